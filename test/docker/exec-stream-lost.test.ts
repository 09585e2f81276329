// Connection mode: when the engine connection carrying a running exec's streams is cut, the user is told why on
// stderr and the server logs it with a code, instead of a silent exit status 126.
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { containersOf, eventually, startInteractive, testConfig, testContext } from '../support/backend.js';
import { dockerTest } from '../support/docker.js';

interface Proxy {
  port: number;
  /** Cuts every connection open now: `reset` sends RST, otherwise a plain FIN. */
  cut(reset: boolean): void;
  close(): Promise<void>;
}

/** A TCP front for the local engine socket, so a test can cut the connections cssh holds to the engine. */
async function engineProxy(): Promise<Proxy> {
  const open = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const engine = createConnection('/var/run/docker.sock');
    const pair: [Socket, Socket] = [client, engine];
    open.add(pair);
    client.pipe(engine).pipe(client);
    const forget = (): void => { open.delete(pair); client.destroy(); engine.destroy(); };
    client.on('error', forget).on('close', forget);
    engine.on('error', forget).on('close', forget);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    port: address.port,
    cut: (reset) => {
      for (const [client, engine] of open) {
        if (reset) client.resetAndDestroy(); else client.destroy();
        engine.destroy();
      }
    },
    close: () => new Promise<void>((resolve) => { for (const [c, e] of open) { c.destroy(); e.destroy(); } server.close(() => resolve()); }),
  };
}

function logLines(): { logger: ReturnType<typeof createLogger>; codes: string[] } {
  const codes: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { codes.push((JSON.parse(chunk.toString()) as { code: string }).code); done(); } });
  return { logger: createLogger({ level: 'debug', format: 'ljson', destination: 'stdout', file: '' }, sink), codes };
}

// A clean close (FIN) cannot be told from a program that closed its output and runs on, so cssh waits for its exit
// as OpenSSH would; that path (and the engine's 126 for a failed attach) is covered by the unit tests of
// streamEndNotice. Here: the connection breaks.
const cases = [
  { name: 'a broken connection (RST) while the program is silent', reset: true, command: 'echo started; exec sleep 60' },
  { name: 'a broken connection (RST) while the program writes', reset: true, command: 'echo started; while :; do echo tick; sleep 0.1; done' },
];

for (const c of cases) {
  dockerTest(`connection mode: ${c.name} ends the exec at once, with a line on stderr and DOCKER_EXEC_STREAM_LOST`, async () => {
    const proxy = await engineProxy();
    const config = testConfig('connection');
    config.docker.connection.host = `tcp://127.0.0.1:${proxy.port}`;
    const { logger, codes } = logLines();
    const ctx = { ...testContext(config), logger };
    const conn = await createDockerBackend({ instanceId: 'test-stream-lost' }).connect(ctx, AbortSignal.timeout(60_000));
    try {
      const run = await startInteractive(conn, { kind: 'exec', command: c.command });
      await eventually(() => run.stdout.text.includes('started'));
      proxy.cut(c.reset);
      const exit = await run.program.exited;
      await run.session.close();
      assert.match(run.stderr.text, /^cssh: the connection to the Docker engine carrying this program's input and output closed before the program ended/m);
      assert.ok(codes.includes('DOCKER_EXEC_STREAM_LOST'), codes.join(' '));
      assert.notEqual(exit.code, 0);
    } finally {
      await conn.close();
      await proxy.close();
    }
    assert.deepEqual(containersOf(ctx.info.connectionId), []);
  }, { timeout: 120_000 });
}
