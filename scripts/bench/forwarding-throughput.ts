// Benchmark (not a test): N MiB through `ssh -L` (ssh → cssh → helper relay → a server on the container's loopback)
// against `docker exec -i <container> <the same program>`, both ways, same machine, one run. Usage:
//   node --import tsx scripts/bench/forwarding-throughput.ts [--mib 256] [--runs 3] [--cipher aes128-gcm@openssh.com]
//        [--helper-image cssh-test/node:latest]
// In the container, busybox `nc -ll -p PORT -e PROGRAM` hands each connection's socket to PROGRAM as its stdin and
// stdout: `wc -c` (a sink that answers with the count) for client→container, `head -c BYTES /dev/zero` for
// container→client. The `docker exec` rows run the same PROGRAM in the same container with its stdio piped by the
// Docker CLI; a third row pipes it through cssh's own session channel (`ssh host PROGRAM`). This process writes and
// reads every byte in all paths (1 MiB buffers, with backpressure) and checks the count; each figure is the median
// of `--runs` runs after one warm-up, each run timed from the connect (or spawn) to the last byte, so it includes
// the start of the path (a relay `docker exec` in the helper; the Docker CLI and its exec): the "first byte" column
// gives that part for downloads.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { parseFlags, positiveInteger } from '../script-args.js';
import { TEST_IMAGES } from '../../test/support/docker.js';
import { startServe } from '../../test/support/serve-harness.js';
import { spawnSsh } from '../../test/support/ssh-process.js';
import { freePort, median } from './throughput.lib.js';

const { values } = parseFlags({
  options: {
    mib: { type: 'string', default: '256' },
    runs: { type: 'string', default: '3' },
    cipher: { type: 'string' },
    'helper-image': { type: 'string', default: TEST_IMAGES.node },
  },
});
const mibs = positiveInteger('mib', values.mib);
const runs = positiveInteger('runs', values.runs);
if (!Number.isInteger(mibs) || mibs < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('forwarding-throughput: --mib and --runs must be whole numbers of at least 1');
  process.exit(2);
}
const MIB = 1024 * 1024;
const bytes = mibs * MIB;
const cipher = values.cipher === undefined ? [] : ['-c', values.cipher];
const SINK_PORT = 8080; // inside the container's own network namespace (network mode none): nothing else listens
const SOURCE_PORT = 8081;
const SINK = ['wc', '-c'];
const SOURCE = ['head', '-c', String(bytes), '/dev/zero'];

function drainedOrClosed(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/**
 * Writes `bytes` zero bytes to `out` in 1 MiB writes, waiting for 'drain' when it asks to, then ends it; rejects,
 * naming `what` and how far it got, when the other side goes away first.
 */
async function produce(what: string, out: Writable): Promise<void> {
  const block = Buffer.alloc(MIB);
  let sent = 0;
  let failed: Error | undefined;
  out.on('error', (error: Error) => (failed ??= error));
  const error = (): Error => new Error(`${what}: the write side failed after ${sent} of ${bytes} bytes: ${String(failed)}`);
  for (; sent < bytes; sent += MIB) {
    if (failed !== undefined) throw error();
    if (!out.write(sent + MIB <= bytes ? block : block.subarray(0, bytes - sent))) await drainedOrClosed(out);
  }
  if (failed !== undefined) throw error();
  out.end();
}

/** Reads `input` to its end; resolves with the byte count, the first 64 bytes (the sink's answer) and when the first came. */
function consume(input: Readable): Promise<{ count: number; head: string; firstAt: bigint }> {
  return new Promise((resolve, reject) => {
    let count = 0;
    let head = '';
    let firstAt = 0n;
    input.on('data', (chunk: Buffer) => {
      if (count === 0) firstAt = process.hrtime.bigint();
      if (head.length < 64) head += chunk.subarray(0, 64).toString();
      count += chunk.length;
    });
    input.on('error', reject);
    input.on('end', () => resolve({ count, head, firstAt }));
  });
}

function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: ${got} bytes arrived, not ${want}`);
}

/** A run resolves with when its first byte arrived (down) or with undefined (up). */
type Run = () => Promise<bigint | undefined>;

/** Median total time and, for downloads, median time to the first byte, in ms, of `runs` runs after one warm-up. */
async function medianOfRuns(what: string, run: Run): Promise<{ ms: number; firstMs: number }> {
  console.error(`${new Date().toISOString()} ${what}`);
  await run();
  const times: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const firstAt = await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (firstAt !== undefined) firsts.push(Number(firstAt - started) / 1e6);
  }
  return { ms: median(times), firstMs: firsts.length > 0 ? median(firsts) : NaN };
}

async function connected(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Through the -L port: up sends the bytes to the sink and reads its count; down reads the source to its end. */
const forwardedUp = (port: number): Run => async () => {
  const socket = await connected(port);
  const [answer] = await Promise.all([consume(socket), produce('ssh -L up', socket)]);
  check('ssh -L up', Number(answer.head.trim()), bytes);
  return undefined;
};
const forwardedDown = (port: number): Run => async () => {
  const socket = await connected(port);
  socket.end();
  const got = await consume(socket);
  check('ssh -L down', got.count, bytes);
  return got.firstAt;
};

/** A process whose stdin gets the bytes (up) or whose stdout is read to its end (down); it must exit 0. */
function processUp(what: string, cmd: string, args: string[]): Run {
  return async () => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const exit = once(child, 'close');
    const [answer] = await Promise.all([consume(child.stdout), produce(what, child.stdin)]);
    const [code] = (await exit) as [number | null];
    if (code !== 0) throw new Error(`${what} exited ${code}`);
    check(what, Number(answer.head.trim()), bytes);
    return undefined;
  };
}
function processDown(what: string, cmd: string, args: string[]): Run {
  return async () => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const exit = once(child, 'close');
    const got = await consume(child.stdout);
    const [code] = (await exit) as [number | null];
    if (code !== 0) throw new Error(`${what} exited ${code}`);
    check(what, got.count, bytes);
    return got.firstAt;
  };
}

interface Row {
  path: string;
  up: { ms: number };
  down: { ms: number; firstMs: number };
}

async function main(): Promise<void> {
  const srv = await startServe({
    image: TEST_IMAGES.busybox,
    mode: 'connection',
    config: {
      log: { level: 'warning' },
      security: { forwarding: { forwardingMode: 'enable' } },
      docker: { forwarding: { image: values['helper-image'] } },
    },
  });
  const user = `bench-fwd-${process.pid}`;
  const local = { sink: await freePort(), source: await freePort() };
  const servers =
    `nc -ll -p ${SINK_PORT} -e ${SINK.join(' ')} </dev/null >/dev/null 2>&1 & ` +
    `nc -ll -p ${SOURCE_PORT} -e ${SOURCE.join(' ')} </dev/null >/dev/null 2>&1 & ` +
    // 1F90/1F91 = 8080/8081 listening
    'until grep -qs \':1F90 0*:0000 0A\' /proc/net/tcp /proc/net/tcp6 && grep -qs \':1F91 0*:0000 0A\' /proc/net/tcp /proc/net/tcp6; ' +
    'do usleep 20000; done; echo ready; read x';
  const client = spawnSsh([
    ...cipher, '-o', 'ExitOnForwardFailure=yes',
    '-L', `127.0.0.1:${local.sink}:127.0.0.1:${SINK_PORT}`, '-L', `127.0.0.1:${local.source}:127.0.0.1:${SOURCE_PORT}`,
    ...srv.sshArgs(user), servers,
  ]);
  try {
    for (let i = 0; !client.stdout().includes('ready'); i++) {
      if (client.child.exitCode !== null || i > 600) throw new Error(`the servers in the container did not start: ${client.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const container = execFileSync('docker', ['ps', '-q', '--filter', `label=cssh.user=${user}`], { encoding: 'utf8' }).trim();
    if (container === '' || container.includes('\n')) throw new Error(`expected the one session container of ${user}, found: ${container}`);

    const rows: Row[] = [];
    rows.push({ path: '`ssh -L` → cssh → helper relay → `nc -e PROGRAM`', up: await medianOfRuns('ssh -L up', forwardedUp(local.sink)), down: await medianOfRuns('ssh -L down', forwardedDown(local.source)) });
    rows.push({
      path: '`docker exec -i CONTAINER PROGRAM` (no SSH)',
      up: await medianOfRuns('docker exec up', processUp('docker exec up', 'docker', ['exec', '-i', container, ...SINK])),
      down: await medianOfRuns('docker exec down', processDown('docker exec down', 'docker', ['exec', container, ...SOURCE])),
    });
    const session = [...cipher, ...srv.sshArgs(user)];
    rows.push({
      path: '`ssh host PROGRAM` (cssh session channel)',
      up: await medianOfRuns('ssh session up', processUp('ssh session up', 'ssh', [...session, SINK.join(' ')])),
      down: await medianOfRuns('ssh session down', processDown('ssh session down', 'ssh', [...session, SOURCE.join(' ')])),
    });
    report(rows);
  } finally {
    client.child.stdin.end('\n');
    await Promise.race([client.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    client.child.kill('SIGKILL');
    await srv.stop();
  }
}

function report(rows: Row[]): void {
  const mibps = (m: { ms: number }): string => (mibs / (m.ms / 1000)).toFixed(1);
  console.log(`${mibs} MiB each way, median of ${runs} runs after one warm-up, cipher: ${values.cipher ?? 'client default'}, ` +
    `helper image: ${values['helper-image']}; PROGRAM = \`${SINK.join(' ')}\` (up) / \`${SOURCE.join(' ')}\` (down)`);
  console.log('');
  console.log('| Path | client→container MiB/s | container→client MiB/s | first byte (down) |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.path} | ${mibps(row.up)} | ${mibps(row.down)} | ${row.down.firstMs.toFixed(0)} ms |`);
  const [forwarded, exec] = rows;
  if (forwarded && exec) {
    console.log(`| **ssh -L / docker exec -i** | **${(exec.up.ms / forwarded.up.ms).toFixed(2)}x** | **${(exec.down.ms / forwarded.down.ms).toFixed(2)}x** | |`);
  }
}

await main();
