// Connection mode uses the guest agent when it is enabled and present (pid header, signal helper), and not otherwise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before } from 'node:test';
import { createDockerBackend } from '../../src/backend/docker/index.js';
import { containersOf, eventually, runOnce, startInteractive, testConfig, testContext } from '../support/backend.js';
import { dockerAvailable, dockerTest, TEST_IMAGES } from '../support/docker.js';

const IMAGE = 'cssh-test/fake-agent:latest';

/** A stand-in for the agent's console (4-byte little-endian pid, then exec) and signal commands. */
const AGENT = `#!/bin/sh
case "$1" in
  console)
    shift 3
    p=$$
    printf "$(printf '\\\\%03o\\\\%03o\\\\%03o\\\\%03o' $((p % 256)) $((p / 256 % 256)) $((p / 65536 % 256)) $((p / 16777216)))"
    export VIA_AGENT=yes
    exec "$@" ;;
  signal) exec kill -s "$5" "$3" ;;
  *) echo "unsupported: $1" >&2; exit 2 ;;
esac
`;

before(() => {
  if (!dockerAvailable) return;
  const dir = mkdtempSync(join(tmpdir(), 'cssh-agent-'));
  const file = join(dir, 'containerssh-agent');
  writeFileSync(file, AGENT);
  chmodSync(file, 0o755);
  const id = execFileSync('docker', ['create', TEST_IMAGES.busybox, 'true'], { encoding: 'utf8' }).trim();
  try {
    execFileSync('docker', ['cp', file, `${id}:/usr/bin/containerssh-agent`]);
    execFileSync('docker', ['commit', id, IMAGE], { stdio: 'ignore' });
  } finally {
    execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  }
});

dockerTest('connection mode runs programs through the agent when present and enabled', async () => {
  const backend = createDockerBackend({ instanceId: 'test-agent' });
  const ctx = testContext(testConfig('connection', IMAGE));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    assert.deepEqual(await runOnce(conn, { kind: 'exec', command: 'echo "via:$VIA_AGENT"; exit 5' }), { code: 5, stdout: 'via:yes\n', stderr: '' });
    const tty = await runOnce(conn, { kind: 'exec', command: 'echo "$VIA_AGENT"' }, { pty: { term: 'xterm', cols: 80, rows: 24 } });
    assert.equal(tty.stdout, 'yes\r\n');
    const sleeper = await startInteractive(conn, { kind: 'exec', command: 'echo up; sleep 60' });
    await eventually(() => sleeper.stdout.text.includes('up'));
    await sleeper.session.signal('TERM');
    assert.equal((await sleeper.program.exited).code, 143);
    await sleeper.session.close();
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});

dockerTest('disableAgent keeps the agent out even when the image has it', async () => {
  const backend = createDockerBackend({ instanceId: 'test-agent' });
  const ctx = testContext(testConfig('connection', IMAGE, { disableAgent: true }));
  const conn = await backend.connect(ctx, AbortSignal.timeout(60_000));
  try {
    assert.equal((await runOnce(conn, { kind: 'exec', command: 'echo "via:$VIA_AGENT"' })).stdout, 'via:\n');
  } finally {
    await conn.close();
  }
  assert.deepEqual(containersOf(ctx.info.connectionId), []);
});
