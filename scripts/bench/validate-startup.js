#!/usr/bin/env node
// Start-up benchmark: `cssh config validate` on a typical config against a bare `node -e 0` (median of several
// interleaved runs). The target is a ratio under 3. Needs `npm run build` first. Usage: validate-startup.js [runs]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 15);
const TARGET = 3;

const TYPICAL = `# a typical cssh configuration
ssh:
  listen: 0.0.0.0:2222
  serverVersion: SSH-2.0-ContainerSSH
auth:
  password:
    method: webhook
    webhook:
      url: http://127.0.0.1:8080
      timeout: 2s
  publicKey:
    method: authorizedkeys
    authorizedKeys:
      path: /etc/cssh/keys/{username}
backend: docker
docker:
  connection:
    host: unix:///var/run/docker.sock
  execution:
    container:
      image: busybox
      env: [LANG=C.UTF-8]
    host:
      networkmode: none
      resources:
        memory: 268435456
    mode: connection
    imagePullPolicy: IfNotPresent
  timeouts:
    containerStart: 60s
security:
  maxSessions: 10
  idleTimeout: 15m
log:
  level: info
metrics:
  enable: true
`;

if (!existsSync(join(root, 'dist/commands/config/validate.js')) || !existsSync(join(root, 'oclif.manifest.json'))) {
  console.error('Run `npm run build` first (dist/ and oclif.manifest.json are needed).');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'cssh-bench-'));
const config = join(dir, 'typical.yaml');
writeFileSync(config, TYPICAL);
const fastEntry = join(dir, 'fast.mjs');
writeFileSync(fastEntry, `const { runValidateFast } = await import(${JSON.stringify(join(root, 'dist/cli/config-validate-fast.js'))});\nprocess.exitCode = (await runValidateFast(process.argv.slice(2))) ?? 99;\n`);

const subjects = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'cssh config validate (bin/run.js, oclif)', args: [join(root, 'bin/run.js'), 'config', 'validate', config] },
  { name: 'config validate fast path (no oclif)', args: [fastEntry, config] },
];

function once(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const samples = subjects.map(() => []);
for (const subject of subjects) once(subject.args); // warm the file cache
for (let run = 0; run < runs; run += 1) subjects.forEach((subject, index) => samples[index].push(once(subject.args)));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const base = median(samples[0]);
console.log(`median of ${runs} interleaved runs (ms), ratio to node -e 0 (target < ${TARGET}x):`);
subjects.forEach((subject, index) => {
  const value = median(samples[index]);
  console.log(`  ${subject.name.padEnd(44)} ${value.toFixed(1).padStart(7)}  ${(value / base).toFixed(2)}x`);
});
const cliRatio = median(samples[1]) / base;
console.log(cliRatio < TARGET ? `OK: cssh config validate is ${cliRatio.toFixed(2)}x node -e 0` : `SLOW: cssh config validate is ${cliRatio.toFixed(2)}x node -e 0 (target ${TARGET}x)`);
process.exitCode = cliRatio < TARGET ? 0 : 1;
