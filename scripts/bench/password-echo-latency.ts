// Benchmark (not a test): the keystroke echo latency of an interactive session while other clients log in with a
// password whose hash is costly (1M-round SHA-512 crypt, or bcrypt cost 12). Usage:
//   node --import tsx scripts/bench/password-echo-latency.ts [--hash sha512|bcrypt] [--seconds 60] [--logins 1]
//        [--wrong-password] [--control]
// One `ssh -tt host 'stty raw -echo; cat'` session gets a key every 10 ms and the time until it comes back is
// recorded, while `--logins` clients log in with the password (`ssh host true`), each pausing between attempts as
// long as an attempt took. Echoes sent while a login was in progress are compared with the others of the same run,
// so load from elsewhere on the machine affects both alike. --wrong-password: every attempt is refused, so only the
// hash check runs (no container is started). --control: a separate process spins a core instead of the logins, which
// shows what any busy core adds to the echo on this machine.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseFlags, positiveInteger } from '../script-args.js';
import bcrypt from 'bcryptjs';
import { startServe, type ServeHandle } from '../../test/support/serve-harness.js';

const { values } = parseFlags({
  options: {
    hash: { type: 'string', default: 'sha512' },
    seconds: { type: 'string', default: '60' },
    logins: { type: 'string', default: '1' },
    'wrong-password': { type: 'boolean', default: false },
    control: { type: 'boolean', default: false },
  },
});
const seconds = positiveInteger('seconds', values.seconds);
const loginLoops = positiveInteger('logins', values.logins);
const password = 'bench-password';
const user = 'slow';

function costlyHash(): string {
  if (values.hash === 'bcrypt') return bcrypt.hashSync(password, 12);
  return execFileSync('openssl', ['passwd', '-6', '-salt', 'rounds=1000000$benchsalt', password], { encoding: 'utf8' }).trim();
}

interface Session {
  /** Sends one key and resolves with the ms until its echo arrived. */
  key(): Promise<number>;
  close(): void;
}

/** An interactive session in raw mode: every key goes to `cat` and comes straight back. */
async function interactive(srv: ServeHandle): Promise<Session> {
  const child = spawn('ssh', ['-tt', ...srv.sshArgs(), 'stty raw -echo; echo READY; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffered = '';
  let waiter: ((text: string) => void) | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    waiter?.(buffered);
  });
  await new Promise<void>((resolve) => (waiter = (text) => text.includes('READY') && resolve()));
  buffered = '';
  let next = 0;
  return {
    key: () =>
      new Promise((resolve, reject) => {
        const char = String.fromCharCode(97 + (next++ % 26));
        const started = performance.now();
        const lost = setTimeout(() => reject(new Error(`no echo of "${char}" within 60 s (session ${child.exitCode === null ? 'open' : 'ended'})`)), 60_000);
        waiter = (text) => {
          if (!text.includes(char)) return;
          clearTimeout(lost);
          buffered = '';
          resolve(performance.now() - started);
        };
        child.stdin.write(char);
      }),
    close: () => child.kill(),
  };
}

interface Sample {
  ms: number;
  /** A password login was in progress when the key was sent. */
  busy: boolean;
}

/** Keys every 10 ms for `ms` milliseconds; the echo times, tagged with whether a login was running. */
async function sample(session: Session, ms: number, busy: () => boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const during = busy();
    const echo = await session.key();
    samples.push({ ms: echo, busy: during && busy() });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return samples;
}

/**
 * Password logins until `stop()`, each followed by a pause as long as it took, so that samples with and without a
 * login in progress alternate through the run (and share whatever else the machine is doing). Resolves durations.
 */
function loginLoop(srv: ServeHandle, inFlight: { count: number }): { stop(): Promise<number[]> } {
  const attempt = values['wrong-password'] ? `${password}-wrong` : password;
  return alternate(inFlight, async () => {
    const result = await srv.ssh(['true'], { user, password: attempt, extra: ['-o', 'NumberOfPasswordPrompts=1'], timeoutMs: 120_000 });
    if (values['wrong-password'] === (result.code === 0)) throw new Error(`unexpected login result ${result.code}: ${result.stderr}`);
  });
}

/**
 * The control run (--control): instead of logins, a separate process spins one core at nice 10 for as long as one
 * login took, with the same pauses. What it adds to the echo is what any busy core adds on this machine.
 */
function burnLoop(burnMs: number, inFlight: { count: number }): { stop(): Promise<number[]> } {
  const spin = `const end = Date.now() + ${Math.round(burnMs)}; while (Date.now() < end);`;
  return alternate(inFlight, () => new Promise<void>((resolve) => spawn('nice', ['-n', '10', process.execPath, '-e', spin]).on('close', () => resolve())));
}

/** Runs `work` in a loop, each run followed by a pause as long as it took; counts runs in flight; resolves durations. */
function alternate(inFlight: { count: number }, work: () => Promise<void>): { stop(): Promise<number[]> } {
  let running = true;
  const durations: number[] = [];
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      inFlight.count++;
      await work();
      inFlight.count--;
      const took = performance.now() - started;
      durations.push(took);
      const pauseEnd = performance.now() + took;
      while (running && performance.now() < pauseEnd) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return durations;
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function describe(times: number[]): { text: string; p50: number; p99: number; max: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const [p50, p90, p99, max] = [percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), sorted.at(-1) ?? NaN];
  return { text: `n=${times.length} p50 ${p50.toFixed(1)} ms, p90 ${p90.toFixed(1)}, p99 ${p99.toFixed(1)}, max ${max.toFixed(1)}`, p50, p99, max };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-bench-pw-'));
  const file = join(dir, 'passwords');
  writeFileSync(file, `${user}:${costlyHash()}\n`);
  const srv = await startServe({
    image: 'cssh-test/busybox:latest',
    mode: 'connection',
    config: { log: { level: 'warning' }, auth: { password: { method: 'passwords', passwords: { file } } } },
  });
  try {
    const probe = performance.now();
    const check = await srv.ssh(['true'], { user, password, timeoutMs: 120_000 });
    if (check.code !== 0) throw new Error(`the password login does not work: ${check.stderr}`);
    const loginMs = performance.now() - probe;
    console.log(`hash ${values.hash === 'bcrypt' ? 'bcrypt cost 12' : 'SHA-512 crypt, 1,000,000 rounds'}; one login: ${loginMs.toFixed(0)} ms`);
    const session = await interactive(srv);
    await sample(session, 2000, () => false); // warm-up
    const inFlight = { count: 0 };
    const loops = Array.from({ length: loginLoops }, () => (values.control ? burnLoop(loginMs, inFlight) : loginLoop(srv, inFlight)));
    const samples = await sample(session, seconds * 1000, () => inFlight.count > 0);
    const logins = (await Promise.all(loops.map((loop) => loop.stop()))).flat();
    session.close();
    const idle = describe(samples.filter((s) => !s.busy).map((s) => s.ms));
    const busy = describe(samples.filter((s) => s.busy).map((s) => s.ms));
    const what = values.control ? 'CPU burner (control)' : values['wrong-password'] ? 'refused password attempt' : 'password login (ssh host true)';
    console.log(`echo, no login in progress:    ${idle.text}`);
    console.log(`echo, ${what} in progress: ${busy.text}`);
    console.log(`${logins.length} of them during the run, mean ${(logins.reduce((a, b) => a + b, 0) / Math.max(1, logins.length)).toFixed(0)} ms each`);
    console.log(`increase: p50 ${(busy.p50 - idle.p50).toFixed(1)} ms, p99 ${(busy.p99 - idle.p99).toFixed(1)} ms, max ${(busy.max - idle.max).toFixed(1)} ms (target: at most 10 ms)`);
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
