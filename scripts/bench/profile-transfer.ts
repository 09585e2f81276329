// Profiles `cssh serve` under 256 MiB transfers: runs serve with V8's CPU profiler, moves the bytes up or down with
// the real OpenSSH client, and writes the profile (.cpuprofile, for Chrome DevTools or speedscope), folded stacks (for
// flamegraph.pl or speedscope) and a table of where the server's time went. Not part of `npm test`. Usage:
//   node --import tsx scripts/bench/profile-transfer.ts [--direction down|up] [--mib 256] [--runs 3] [--cipher C]
//     [--out DIR]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServe } from '../../test/support/serve-harness.js';
import { oneOf, parseFlags, positiveInteger } from '../script-args.js';
import { busyMicros, foldStacks, selfTimeTable, type CpuProfile } from './cpu-profile.js';
import { quote, timeShell } from './throughput.lib.js';

const { values } = parseFlags({
  options: {
    direction: { type: 'string', default: 'down' },
    mib: { type: 'string', default: '256' },
    runs: { type: 'string', default: '3' },
    cipher: { type: 'string' },
    out: { type: 'string', default: 'profile-out' },
  },
});
const direction = oneOf('direction', values.direction, ['down', 'up'] as const);
const mib = positiveInteger('mib', values.mib);
const runs = positiveInteger('runs', values.runs);
const out = resolve(values.out);
const bytes = mib * 1024 * 1024;
const cipher = values.cipher === undefined ? [] : ['-c', values.cipher];
mkdirSync(out, { recursive: true });

const srv = await startServe({
  image: 'cssh-test/busybox:latest',
  mode: 'connection',
  config: { log: { level: 'warning' } },
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=200'],
});
const ssh = `ssh ${quote([...cipher, ...srv.sshArgs()])}`;
const script = direction === 'down'
  ? `${ssh} ${quote([`head -c ${bytes} /dev/zero`])} > /dev/null`
  : `head -c ${bytes} /dev/zero | ${ssh} ${quote(['cat > /dev/null'])}`;
const before = new Set(readdirSync(out));
const times: number[] = [];
try {
  for (let i = 0; i < runs; i++) times.push(await timeShell(script));
} finally {
  // A graceful stop lets Node write the profile on its way out.
  await srv.stop('SIGTERM');
}
const written = readdirSync(out).filter((name) => name.endsWith('.cpuprofile') && !before.has(name));
if (written.length === 0) throw new Error(`serve wrote no .cpuprofile into ${out}`);
// One profile per thread (the tsx loader has its own): the server's is the one that was busiest.
const profiles = written.map((name) => ({ file: join(out, name), profile: JSON.parse(readFileSync(join(out, name), 'utf8')) as CpuProfile }));
const { file: profileFile, profile } = profiles.reduce((a, b) => (busyMicros(b.profile) > busyMicros(a.profile) ? b : a));
const folded = join(out, `${direction}.folded`);
writeFileSync(folded, foldStacks(profile));
const rates = times.map((ms) => (mib / (ms / 1000)).toFixed(1)).join(', ');
console.log(`${direction}: ${runs} x ${mib} MiB, ${rates} MiB/s; profile ${profileFile}; folded stacks ${folded}`);
console.log(selfTimeTable(profile, 25));
