// File transfer through cssh with the real clients, both modes: sftp put/get, legacy scp (-O) and sftp-based scp.
// The container gets a host directory at /data, so each upload is checked on the host and each download compared.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { run, startServe, type ServeHandle } from '../support/serve-harness.js';

// Legacy scp runs `scp -t/-f` in the container; the test image has none, so the host's (it needs only libc) is mounted.
const SCP_BIND = '/usr/bin/scp:/usr/bin/scp:ro';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function sftpRoundTrip(srv: ServeHandle, local: string, source: string): Promise<void> {
  const batch = join(local, 'batch');
  writeFileSync(batch, `put ${source} /data/sftp.bin\nget /data/sftp.bin ${join(local, 'sftp-back.bin')}\n`);
  const result = await run('sftp', [...srv.sftpArgs(), '-b', batch, 'tester@127.0.0.1'], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, result.stderr);
}

async function scpRoundTrip(srv: ServeHandle, local: string, source: string, name: string, flags: string[]): Promise<void> {
  const up = await run('scp', [...srv.scpArgs(), ...flags, source, `tester@127.0.0.1:/data/${name}.bin`], { timeoutMs: 120_000 });
  assert.equal(up.code, 0, `${name} upload: ${up.stderr}`);
  const down = await run('scp', [...srv.scpArgs(), ...flags, `tester@127.0.0.1:/data/${name}.bin`, join(local, `${name}-back.bin`)], {
    timeoutMs: 120_000,
  });
  assert.equal(down.code, 0, `${name} download: ${down.stderr}`);
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): sftp put/get and scp (legacy and sftp-based) give identical files`, async () => {
    const local = mkdtempSync(join(tmpdir(), 'cssh-files-'));
    const shared = join(local, 'shared');
    mkdirSync(shared);
    const source = join(local, 'source.bin');
    writeFileSync(source, randomBytes(3 * 1024 * 1024 + 17));
    const expected = sha256(source);
    const srv = await startServe({ mode, image: TEST_IMAGES.sftp, config: { docker: { execution: { host: { Binds: [`${shared}:/data`, SCP_BIND] } } } } });
    try {
      await sftpRoundTrip(srv, local, source);
      await scpRoundTrip(srv, local, source, 'scp-legacy', ['-O']);
      await scpRoundTrip(srv, local, source, 'scp-sftp', []);
    } finally {
      await srv.stop();
    }
    for (const name of ['sftp', 'scp-legacy', 'scp-sftp']) {
      assert.equal(sha256(join(shared, `${name}.bin`)), expected, `${name}: uploaded copy`);
      assert.equal(sha256(join(local, `${name}-back.bin`)), expected, `${name}: downloaded copy`);
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 300_000 });
}
