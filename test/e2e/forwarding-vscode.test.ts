// What VS Code Remote-SSH does on connect, with the real OpenSSH client in both modes: `ssh -T -D port host bash` fed a
// probe-and-start script on stdin, which stays open while `-L` and SOCKS (`-D`) channels reach the started server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest, TEST_IMAGES } from '../support/docker.js';
import { socksConnect } from '../support/socks-client.js';
import { freePort, helpersOf, muxForward, sha } from './forwarding-helpers.js';
import { containersOfUser, eventually, ssh, sshBackground, startServer, uniqueUser } from './production-helpers.js';

const COMMIT = 'c0ffee0123456789abcdef0123456789abcdef01';
const SERVER_PORT = 8080; // inside the container's own network namespace, where nothing else listens
const BODY_BYTES = 1024 * 1024;

/**
 * The script Remote-SSH pipes into `bash` (its structure, shortened): a ready marker, `uname -rsv`, the home
 * directory, the shell's version, then a `sh -c` installer that looks for the server's directory and pid file, reads
 * /proc, starts the server on 127.0.0.1 and prints `listeningOn==PORT==` and `printenv` between start and end markers.
 * Here the "server" is busybox httpd serving 1 MiB of random bytes, whose SHA-256 the script prints.
 */
function connectScript(id: string): string {
  const installer = [
    `DIR="$HOME/.vscode-server/bin/${COMMIT}"`,
    'if [ -d "$DIR" ]; then echo "Found existing installation at $DIR"; else echo "Installing to $DIR..."; mkdir -p "$DIR" || exit 1; fi',
    `PIDFILE="$HOME/.vscode-server/.${COMMIT}.pid"`,
    'if [ -f "$PIDFILE" ] && [ -r "/proc/$(cat "$PIDFILE")/cmdline" ]; then echo "Found running server"; else echo "No server running"; fi',
    'echo "arch==$(uname -m)=="',
    'echo "cpus==$(grep -c ^processor /proc/cpuinfo)=="',
    'echo "memKiB==$(sed -n "s/^MemTotal: *\\([0-9]*\\) kB/\\1/p" /proc/meminfo)=="',
    'mkdir -p /tmp/www',
    `head -c ${BODY_BYTES} /dev/urandom > /tmp/www/index.html`,
    `httpd -p 127.0.0.1:${SERVER_PORT} -h /tmp/www`,
    'echo $$ > "$PIDFILE"',
    // 1F90 = 8080: wait until the server listens before announcing it, as Remote-SSH waits for its server's port.
    "until grep -qs ':1F90 0*:0000 0A' /proc/net/tcp; do usleep 20000; done",
    `echo "listeningOn==${SERVER_PORT}=="`,
    'echo "sha256==$(sha256sum /tmp/www/index.html | cut -d " " -f 1)=="',
    'echo "printenv:"; env | sed "s/^/    /"', // busybox has no printenv applet
  ].join('\n');
  return [
    `echo "ready: ${id}"`,
    'uname -rsv',
    'echo "home==$(echo ~)=="',
    'echo "bash version: $BASH_VERSION"',
    `echo "${id}: running"`,
    `sh -c '${installer.replace(/'/g, `'\\''`)}'`,
    `echo "${id}: end"`,
    '',
  ].join('\n');
}

/** The value of `name==VALUE==` in `output`. */
function marker(output: string, name: string): string {
  const value = new RegExp(`^${name}==(.*)==$`, 'm').exec(output)?.[1];
  assert.ok(value !== undefined, `the script printed ${name}==...==:\n${output}`);
  return value;
}

/** Sends an HTTP/1.0 GET for / on `socket` (resumed here) and resolves with the status line and the body. */
function httpGet(socket: Socket): Promise<{ status: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP header in ${all.length} bytes: ${all.subarray(0, 200).toString()}`));
      resolve({ status: all.subarray(0, all.indexOf('\r\n')).toString(), body: all.subarray(split + 4) });
    });
    socket.resume();
    socket.write('GET /index.html HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

async function connected(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: the VS Code Remote-SSH sequence (probe script on bash's stdin, then -L and SOCKS channels while it stays open)`, async (t) => {
    const server = await startServer(
      { security: { forwarding: { forwardingMode: 'enable' } }, docker: { forwarding: { image: TEST_IMAGES.node } } },
      { mode, image: TEST_IMAGES.bash },
    );
    const dir = await mkdtemp(join(tmpdir(), 'cssh-vscode-'));
    t.after(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const user = uniqueUser(`vscode-${mode}`);
    const socksPort = await freePort();
    const localPort = await freePort();
    const control = join(dir, 'ctl');
    const viaMaster = ['-o', `ControlPath=${control}`];

    // Remote-SSH with its local server: `ssh -T -D PORT -o ConnectTimeout=15 host bash`, the script on stdin.
    const id = randomBytes(6).toString('hex');
    const master = sshBackground(server, user, ['bash'], [
      '-T', '-D', `127.0.0.1:${socksPort}`, '-o', 'ConnectTimeout=15', '-o', 'ExitOnForwardFailure=yes',
      '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}`,
    ]);
    t.after(() => master.child.kill('SIGKILL'));
    master.child.stdin.write(connectScript(id));
    await eventually(() => master.output().includes(`${id}: end`), `the connect script ran (${master.errors()})`, 90_000);
    const out = master.output();
    assert.match(out, new RegExp(`^ready: ${id}$`, 'm'));
    assert.match(out, /^Linux \S+ #/m, 'uname -rsv: kernel name, release and version');
    assert.match(out, /^bash version: \d+\.\d+/m, 'the remote command is really bash');
    assert.match(out, new RegExp(`^Installing to /\\S*/\\.vscode-server/bin/${COMMIT}\\.\\.\\.$`, 'm'), 'a fresh container has no server');
    assert.match(out, /^No server running$/m);
    assert.match(marker(out, 'cpus'), /^[1-9]\d*$/, '/proc/cpuinfo was readable');
    assert.match(marker(out, 'memKiB'), /^[1-9]\d*$/, '/proc/meminfo was readable');
    assert.match(out, /^printenv:\n(?: {4}\S.*\n)+/m, 'the environment was listed');
    assert.match(out, /^ {4}HOME=\//m);
    const home = marker(out, 'home');
    const port = Number(marker(out, 'listeningOn'));
    const expected = marker(out, 'sha256');
    assert.equal(port, SERVER_PORT);

    // Remote-SSH's exec server and extensions run further commands over the same connection.
    const uname = await ssh(server, user, ['uname -rsv'], { flags: viaMaster });
    assert.equal(uname.code, 0, uname.stderr);
    assert.match(out, new RegExp(`^${uname.stdout.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), 'the same kernel through a second session');
    const tilde = await ssh(server, user, ['echo ~'], { flags: viaMaster });
    assert.equal(tilde.stdout.trim(), home, 'echo ~ names the same home directory in a second session');

    // A port forwarded later on the same connection (Remote-SSH's "Forward a Port" with dynamic forwarding off).
    const forward = await muxForward(server, user, control, 'forward', '-L', `127.0.0.1:${localPort}:127.0.0.1:${port}`);
    assert.equal(forward.code, 0, forward.stderr);

    // The server's connections, all at once: three through the SOCKS port, one through -L, and a command in bash.
    const [a, b, c, l, alive] = await Promise.all([
      socksConnect(socksPort, '127.0.0.1', port).then(httpGet),
      socksConnect(socksPort, '127.0.0.1', port).then(httpGet),
      socksConnect(socksPort, '127.0.0.1', port).then(httpGet),
      connected(localPort).then(httpGet),
      (async (): Promise<boolean> => {
        master.child.stdin.write(`echo "${id}: still here"\n`);
        await eventually(() => master.output().includes(`${id}: still here`), 'the bash session answers while channels are open');
        return true;
      })(),
    ]);
    for (const [name, got] of [['SOCKS 1', a], ['SOCKS 2', b], ['SOCKS 3', c], ['-L', l]] as const) {
      assert.match(got.status, /^HTTP\/1\.[01] 200 /, `${name}: ${got.status}`);
      assert.equal(got.body.length, BODY_BYTES, `${name}: the whole body`);
      assert.equal(sha(got.body), expected, `${name}: the bytes the container served`);
    }
    assert.ok(alive);
    assert.equal(helpersOf(user).length, 1, 'one helper container carries every forwarded channel');

    // Closing the window: bash's stdin ends, the session and the connection end, nothing is left.
    master.child.stdin.end();
    const end = await master.done;
    assert.equal(end.code, 0, end.stderr);
    await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
  }, { timeout: 240_000 });
}
