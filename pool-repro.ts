import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServe } from './test/support/serve-harness.js';
const srv = await startServe({ image: 'cssh-test/busybox:latest', config: { log: { level: 'debug' }, docker: { pool: { size: 2 } } } });
try {
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < 100; j++) {
      const n = execFileSync('docker', ['ps', '--filter', `label=cssh.instance=${srv.instanceId}`, '--filter', 'label=cssh.pool', '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter((x) => x !== '' && !x.startsWith('cssh-')).length;
      if (n >= 2) break;
      await sleep(100);
    }
    const t = Date.now();
    const r = await srv.ssh(['true']);
    console.log(i, r.code, Date.now() - t, r.stderr.trim());
    if (r.code !== 0) break;
  }
} finally {
  await srv.stop();
}
const out = srv.output();
(await import('node:fs')).writeFileSync('/tmp/pool-repro.out', out);
