// Legacy scp (`scp -O`) into an image that has no scp binary: cssh serves the transfer itself, in both modes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { run, startServe } from '../support/serve-harness.js';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A small tree: a 3 MiB random file (old mtime), an empty file, and a private file in a subdirectory. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'big.bin'), randomBytes(3 * 1024 * 1024 + 5));
  utimesSync(join(root, 'big.bin'), 1_600_000_000, 1_600_000_000);
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'sub', 'secret.txt'), 'only for me\n');
  chmodSync(join(root, 'sub', 'secret.txt'), 0o600);
}

function assertSameTree(expected: string, actual: string, label: string): void {
  for (const name of ['big.bin', 'empty', 'sub/secret.txt']) {
    assert.equal(sha256(join(actual, name)), sha256(join(expected, name)), `${label}: ${name} content`);
  }
  assert.equal(statSync(join(actual, 'sub', 'secret.txt')).mode & 0o777, 0o600, `${label}: mode kept`);
  assert.equal(Math.floor(statSync(join(actual, 'big.bin')).mtimeMs / 1000), 1_600_000_000, `${label}: -p keeps mtime`);
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): scp -O works against an image without scp, errors are scp's`, async () => {
    const local = mkdtempSync(join(tmpdir(), 'cssh-scp-'));
    const shared = join(local, 'shared');
    mkdirSync(shared);
    const tree = join(local, 'tree');
    makeTree(tree);
    const srv = await startServe({ mode, image: TEST_IMAGES.sftp, config: { docker: { execution: { host: { Binds: [`${shared}:/data`], Tmpfs: { '/scratch': '' } } } } } });
    const scp = (args: string[]): ReturnType<typeof run> => run('scp', [...srv.scpArgs(), '-O', ...args], { timeoutMs: 120_000 });
    try {
      const single = await scp([join(tree, 'big.bin'), 'tester@127.0.0.1:/data/single.bin']);
      assert.equal(single.code, 0, single.stderr);
      assert.equal(sha256(join(shared, 'single.bin')), sha256(join(tree, 'big.bin')));

      const up = await scp(['-r', '-p', tree, 'tester@127.0.0.1:/data/tree']);
      assert.equal(up.code, 0, up.stderr);
      assertSameTree(tree, join(shared, 'tree'), 'upload');

      const back = join(local, 'back');
      const down = await scp(['-r', '-p', 'tester@127.0.0.1:/data/tree', back]);
      assert.equal(down.code, 0, down.stderr);
      assertSameTree(tree, back, 'download');

      const missing = await scp(['tester@127.0.0.1:/data/nope', join(local, 'nope')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /\/data\/nope: No such file or directory/);
      const noDir = await scp([join(tree, 'empty'), 'tester@127.0.0.1:/no/such/dir/file']);
      assert.equal(noDir.code, 1);
      assert.match(noDir.stderr, /No such file or directory/);

      // A transfer cut short (the client promised 1 MB and sent 1000 bytes) is dropped, not left half-written, and
      // Docker is not left waiting for the rest of the archive (which would keep the container from being removed).
      const cut = await srv.ssh(['scp', '-t', '/data/'], { input: Buffer.concat([Buffer.from('C0644 1000000 cut.bin\n'), Buffer.alloc(1000)]) });
      assert.equal(cut.code, 1);
      assert.match(cut.stdout.toString('latin1'), /scp: input ended/);
      assert.equal(existsSync(join(shared, 'cut.bin')), false);

      // Docker's archive API cannot see inside tmpfs mounts: refused loudly rather than written where nobody looks.
      const tmpfs = await scp([join(tree, 'empty'), 'tester@127.0.0.1:/scratch/x']);
      assert.equal(tmpfs.code, 1);
      assert.match(tmpfs.stderr, /\/scratch\/x: is inside the mount \/scratch/);

      // A download the client gives up on (ready byte, then gone) must release the archive it was reading: left
      // unread, it keeps Docker's lock on the container and the next program on the same connection never starts.
      const control = join(local, 'cm');
      const mux = [...srv.sshArgs().slice(0, -1), '-o', `ControlPath=${control}`];
      const target = srv.sshArgs().at(-1) ?? '';
      assert.equal((await run('ssh', [...mux, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=60', '-fN', target], { timeoutMs: 60_000 })).code, 0);
      const abandoned = await run('ssh', [...mux, target, 'scp -f /data/single.bin'], { input: Buffer.from([0]), timeoutMs: 60_000 });
      assert.match(abandoned.stdout.toString('latin1'), /^C0644 3145733 single\.bin\n/);
      const next = await run('ssh', [...mux, target, 'echo same container'], { timeoutMs: 60_000 });
      assert.equal(next.stdout.toString(), 'same container\n', next.stderr);
      await run('ssh', [...mux, '-O', 'exit', target], { timeoutMs: 30_000 });

      const after = await srv.ssh(['echo', 'still serving']);
      assert.equal(after.stdout.toString(), 'still serving\n');
      assert.match(srv.output(), /DOCKER_SCP_BUILTIN/);
    } finally {
      assert.equal(await srv.stop(), 0, 'serve stops cleanly');
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 300_000 });
}
