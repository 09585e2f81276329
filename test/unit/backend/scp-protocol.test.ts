// The scp protocol as cssh speaks it, against an in-memory ContainerFiles: records, acknowledgements, refusals.
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { ByteReader } from '../../../src/backend/docker/scp/byte-reader.js';
import { refusingMounts, type ContainerFiles, type TreeEntry } from '../../../src/backend/docker/scp/container-files.js';
import { parseScpCommand } from '../../../src/backend/docker/scp/scp-command.js';
import { runSink } from '../../../src/backend/docker/scp/scp-sink.js';
import { runSource } from '../../../src/backend/docker/scp/scp-source.js';

/** Shows scp's fatal-error byte (2) as <fatal>, for readable patterns. */
const fatal = (output: string): string => output.split('\x02').join('<fatal>');

interface Node { dir: boolean; mode: number; data: Buffer }

/** A tiny in-memory filesystem keyed by absolute path. */
function memoryFiles(initial: Record<string, Node>): ContainerFiles & { nodes: Map<string, Node> } {
  const nodes = new Map<string, Node>(Object.entries(initial));
  const parentExists = (dir: string): void => {
    if (nodes.get(dir)?.dir !== true) throw Object.assign(new Error('no such directory'), { statusCode: 404 });
  };
  return {
    nodes,
    async stat(path) {
      const n = nodes.get(path);
      return n && { name: path.split('/').pop() ?? '', size: n.data.length, mode: n.mode, isDir: n.dir, mtime: 0 };
    },
    async writeFile(dir, name, meta, data) {
      const parts: Buffer[] = [];
      for await (const chunk of data) parts.push(chunk);
      parentExists(dir);
      nodes.set(`${dir}/${name}`.replace('//', '/'), { dir: false, mode: meta.mode, data: Buffer.concat(parts) });
    },
    async makeDirectory(dir, name, meta) {
      parentExists(dir);
      nodes.set(`${dir}/${name}`, { dir: true, mode: meta.mode, data: Buffer.alloc(0) });
    },
    async *readTree(path) {
      const base = path.slice(0, path.lastIndexOf('/'));
      for (const [p, n] of [...nodes].sort(([a], [b]) => a.localeCompare(b))) {
        if (p !== path && !p.startsWith(`${path}/`)) continue;
        const entry: TreeEntry = { path: p.slice(base.length + 1), type: n.dir ? 'directory' : 'file', size: n.data.length, mode: n.mode, mtime: 0, data: Readable.from([n.data]) };
        yield entry;
      }
    },
  };
}

async function sink(command: string, input: string, files: ContainerFiles): Promise<{ code: number; output: string }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const cmd = parseScpCommand(command);
  assert.ok(cmd);
  const code = await runSink(cmd, new ByteReader(Readable.from([Buffer.from(input, 'latin1')])), output, files, '/root');
  return { code, output: Buffer.concat(chunks).toString('latin1') };
}

test('sink: a directory with a file lands where scp -r puts it, with its mode, each record acknowledged', async () => {
  const files = memoryFiles({ '/t': { dir: true, mode: 0o755, data: Buffer.alloc(0) } });
  const result = await sink('scp -r -p -t /t', 'D0750 0 d\nC0600 3 f\nabc\0E\n', files);
  assert.equal(result.code, 0);
  assert.equal(result.output, '\0'.repeat(5)); // ready, D, C, file done, E
  assert.deepEqual(files.nodes.get('/t/d/f'), { dir: false, mode: 0o600, data: Buffer.from('abc') });
  assert.equal(files.nodes.get('/t/d')?.mode, 0o750);
});

test('sink: a relative target resolves against the working directory; a missing one names the file', async () => {
  const files = memoryFiles({ '/root': { dir: true, mode: 0o700, data: Buffer.alloc(0) } });
  assert.equal((await sink('scp -t copy.txt', 'C0644 2 x\nhi\0', files)).code, 0);
  assert.equal(files.nodes.get('/root/copy.txt')?.data.toString(), 'hi');
  const missing = await sink('scp -t /nope/file', 'C0644 2 x\nhi\0', files);
  assert.equal(missing.code, 1);
  assert.equal(missing.output, '\0\0\x01scp: /nope/file: No such file or directory\n');
});

test('sink: a file the container refuses is reported, its bytes skipped, and the next file still lands', async () => {
  const memory = memoryFiles({ '/t': { dir: true, mode: 0o755, data: Buffer.alloc(0) } });
  const files = refusingMounts(memory, ['/t/tmpfs']);
  const result = await sink('scp -t /t', 'C0644 3 tmpfs\nabc\0C0644 2 b\nhi\0', files);
  assert.equal(result.code, 1);
  const shown = fatal(result.output).split('\0').join('<ok>').split('\x01').join('<warn>');
  assert.match(shown, /^<ok><ok><warn>scp: \/t\/tmpfs: is inside the mount \/t\/tmpfs, which the built-in scp cannot reach.*\n<ok><ok>$/);
  assert.equal(memory.nodes.get('/t/b')?.data.toString(), 'hi');
  assert.equal(memory.nodes.has('/t/tmpfs'), false);
});

test('sink: names that leave the target directory are refused and nothing is written', async () => {
  for (const name of ['../escape', 'a/b', '..', '.']) {
    const files = memoryFiles({ '/t': { dir: true, mode: 0o755, data: Buffer.alloc(0) } });
    const result = await sink('scp -t /t', `C0644 1 ${name}\nx\0`, files);
    assert.equal(result.code, 1, name);
    assert.match(fatal(result.output), /<fatal>scp: .*invalid file name\n$/, name);
    assert.equal(files.nodes.size, 1, name);
  }
});

test('sink: a directory without -r and garbage are protocol errors, not crashes', async () => {
  const files = memoryFiles({ '/t': { dir: true, mode: 0o755, data: Buffer.alloc(0) } });
  assert.match(fatal((await sink('scp -t /t', 'D0755 0 d\nE\n', files)).output), /<fatal>scp: received a directory without -r\n$/);
  assert.match(fatal((await sink('scp -t /t', 'hello\n', files)).output), /<fatal>scp: protocol error/);
  assert.equal(fatal((await sink('scp -t /t/a b', 'C0644 1 x\nx\0', files)).output), '<fatal>scp: ambiguous target\n');
  assert.match(fatal((await sink('scp -t /t', 'C0644 10 f\nshort', files)).output), /<fatal>scp: .*ended/);
});

test('source: sends T/D/C/E records in order and waits for each acknowledgement', async () => {
  const files = memoryFiles({
    '/s': { dir: true, mode: 0o755, data: Buffer.alloc(0) },
    '/s/a': { dir: false, mode: 0o640, data: Buffer.from('one') },
    '/s/sub': { dir: true, mode: 0o700, data: Buffer.alloc(0) },
    '/s/sub/b': { dir: false, mode: 0o600, data: Buffer.from('two') },
  });
  const cmd = parseScpCommand('scp -r -f /s');
  assert.ok(cmd);
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const acks = Readable.from([Buffer.alloc(16)]); // the client's "ready" and one 0 per record
  assert.equal(await runSource(cmd, new ByteReader(acks), output, files, '/'), 0);
  assert.equal(Buffer.concat(chunks).toString('latin1'), 'D0755 0 s\nC0640 3 a\none\0D0700 0 sub\nC0600 3 b\ntwo\0E\nE\n');
});

test('source: a missing path and a directory without -r are reported and the status is 1', async () => {
  const files = memoryFiles({ '/d': { dir: true, mode: 0o755, data: Buffer.alloc(0) } });
  const cmd = parseScpCommand('scp -f /missing /d');
  assert.ok(cmd);
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  assert.equal(await runSource(cmd, new ByteReader(Readable.from([Buffer.alloc(1)])), output, files, '/'), 1);
  assert.equal(Buffer.concat(chunks).toString('latin1'), '\x01scp: /missing: No such file or directory\n\x01scp: /d: not a regular file\n');
});
