// Benchmark (not a test): one run comparing cssh with the alternatives an operator has, for upload, download and login,
// with the client's default cipher and with aes128-gcm. Usage:
//   node --import tsx scripts/bench/compare.ts [--mib 256] [--runs 3] [--logins 7] [--ciphers default,aes128-gcm@openssh.com]
// Paths: cssh (connection mode); `docker exec -i` into a running container (no SSH); OpenSSH sshd on loopback with no
// container (the SSH leg alone); OpenSSH sshd with `ForceCommand docker exec -i` (throughput) and with
// `ForceCommand docker run --rm -i` (login), i.e. what an operator would hand-roll. Prints markdown tables.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { parseFlags, positiveInteger } from '../script-args.js';
import { startServe } from '../../test/support/serve-harness.js';
import { interleavedMedians, quote, startSshd } from './throughput.lib.js';

const { values } = parseFlags({
  options: {
    mib: { type: 'string', default: '256' },
    runs: { type: 'string', default: '3' },
    logins: { type: 'string', default: '7' },
    ciphers: { type: 'string', default: 'default,aes128-gcm@openssh.com' },
  },
});
const mib = positiveInteger('mib', values.mib);
const bytes = mib * 1024 * 1024;
const runs = positiveInteger('runs', values.runs);
const logins = positiveInteger('logins', values.logins);
const ciphers = values.ciphers.split(',');
const image = 'cssh-test/busybox:latest';

/** MiB/s of one median time of moving `bytes`. */
const rate = (ms: number): number => mib / (ms / 1000);

interface Leg {
  name: string;
  /** Shell prefix that runs a command (given as the next argument) at the far end. */
  prefix: (cipher: string) => string;
}

type LegKey = 'cssh' | 'exec' | 'sshd' | 'forced';

/** Upload and download rates of every leg, the legs interleaved round by round (see interleavedMedians). */
async function throughput(legs: Record<LegKey, Leg>, cipher: string): Promise<Record<LegKey, { up: number; down: number }>> {
  const produce = `head -c ${bytes} /dev/zero`;
  const keys = Object.keys(legs) as LegKey[];
  const script = (key: LegKey, direction: 'up' | 'down'): string => direction === 'up'
    ? `${produce} | ${legs[key].prefix(cipher)} ${quote(['cat > /dev/null'])}`
    : `${legs[key].prefix(cipher)} ${quote([produce])} > /dev/null`;
  const up = await interleavedMedians(Object.fromEntries(keys.map((key) => [key, script(key, 'up')])) as Record<LegKey, string>, runs);
  const down = await interleavedMedians(Object.fromEntries(keys.map((key) => [key, script(key, 'down')])) as Record<LegKey, string>, runs);
  return Object.fromEntries(keys.map((key) => [key, { up: rate(up[key]), down: rate(down[key]) }])) as Record<LegKey, { up: number; down: number }>;
}

async function main(): Promise<void> {
  const srv = await startServe({ image, mode: 'connection', config: { log: { level: 'warning' } } });
  const container = execFileSync('docker', ['run', '-d', '--network', 'none', image, 'sleep', '3600'], { encoding: 'utf8' }).trim();
  // $SSH_ORIGINAL_COMMAND is what the client asked for; sh -c runs it in the container as cssh would.
  const forceExec = await startSshd(srv.publicKey, [`ForceCommand docker exec -i ${container} sh -c "$SSH_ORIGINAL_COMMAND"`]);
  const forceRun = await startSshd(srv.publicKey, [`ForceCommand docker run --rm -i --network none ${image} sh -c "$SSH_ORIGINAL_COMMAND"`]);
  const sshd = await startSshd(srv.publicKey);
  const sshTo = (port: number, cipher: string): string => {
    const args = srv.sshArgs().slice(0, -3).concat(['-p', String(port), 'root@127.0.0.1']);
    return `ssh ${quote([...(cipher === 'default' ? [] : ['-c', cipher]), ...args])}`;
  };
  const legs: Record<LegKey, Leg> = {
    cssh: { name: 'cssh', prefix: (c) => `ssh ${quote([...(c === 'default' ? [] : ['-c', c]), ...srv.sshArgs()])}` },
    exec: { name: '`docker exec -i` (no SSH)', prefix: () => `docker exec -i ${container} sh -c` },
    sshd: { name: 'OpenSSH sshd, no container (SSH leg alone)', prefix: (c) => sshTo(sshd.port, c) },
    forced: { name: 'OpenSSH sshd + `ForceCommand docker exec -i`', prefix: (c) => sshTo(forceExec.port, c) },
  };
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`# cssh compared, ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} cores, ${cpuModel}; ${mib} MiB each way, median of ${runs} rounds after one warm-up, every path once per round in turn; image ${image}\n`);
  try {
    for (const cipher of ciphers) {
      const got: Partial<Record<LegKey, { up: number; down: number }>> = await throughput(legs, cipher);
      console.log(`## Throughput, cipher: ${cipher === 'default' ? 'client default' : cipher}\n`);
      console.log('| Path | up MiB/s | down MiB/s |\n|---|---|---|');
      for (const [key, leg] of Object.entries(legs) as [LegKey, Leg][]) console.log(`| ${leg.name} | ${got[key]?.up.toFixed(1)} | ${got[key]?.down.toFixed(1)} |`);
      const c = got.cssh, e = got.exec, s = got.sshd, f = got.forced;
      if (c && e && s && f) {
        const slowerUp = Math.min(e.up, s.up);
        const slowerDown = Math.min(e.down, s.down);
        console.log(`| **cssh / slower of docker exec and SSH leg** | **${(c.up / slowerUp).toFixed(2)}x** | **${(c.down / slowerDown).toFixed(2)}x** |`);
        console.log(`| **cssh / sshd + ForceCommand docker exec** | **${(c.up / f.up).toFixed(2)}x** | **${(c.down / f.down).toFixed(2)}x** |\n`);
      }
    }
    const { viaCssh, viaRun, viaForced } = await interleavedMedians({
      viaCssh: `${legs.cssh.prefix('default')} true`,
      viaRun: `docker run --rm --network none ${image} true`,
      viaForced: `${sshTo(forceRun.port, 'default')} true`,
    }, logins);
    console.log(`## Login: \`ssh host true\`, median of ${logins}\n`);
    console.log('| Path | ms |\n|---|---|');
    console.log(`| cssh (a new container per connection) | ${viaCssh.toFixed(0)} |`);
    console.log(`| \`docker run --rm IMAGE true\` | ${viaRun.toFixed(0)} |`);
    console.log(`| OpenSSH sshd + \`ForceCommand docker run --rm -i\` | ${viaForced.toFixed(0)} |`);
    console.log(`| **cssh / docker run** | **${(viaCssh / viaRun).toFixed(2)}x** |`);
    console.log(`| **cssh / sshd + ForceCommand docker run** | **${(viaCssh / viaForced).toFixed(2)}x** |`);
  } finally {
    for (const server of [forceExec, forceRun, sshd]) server.stop();
    execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
    await srv.stop();
  }
}

await main();
