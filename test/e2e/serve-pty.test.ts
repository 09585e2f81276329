// `ssh -tt` through cssh under a real pseudo-terminal (python3's pty module): the program sees the client's terminal
// size, follows a resize (window-change), and the exit status comes back; in both modes.
import assert from 'node:assert/strict';
import { dockerTest } from '../support/docker.js';
import { run, startServe } from '../support/serve-harness.js';

// Runs argv under a pty of 30x100, then on the first "READY" resizes it to 40x120 and presses Enter until the
// program reports the new size, then sends EOF. Prints {"output": ..., "status": ...} as JSON.
const DRIVER = String.raw`
import fcntl, json, os, pty, select, struct, sys, termios, time
def size(fd, rows, cols): fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
pid, fd = pty.fork()
if pid == 0:
    size(0, 30, 100)
    os.execvp(sys.argv[1], sys.argv[1:])
out, resized, done, deadline = b'', False, False, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try: chunk = os.read(fd, 65536)
        except OSError: break
        if not chunk: break
        out += chunk
    if b'READY' in out and not resized:
        size(fd, 40, 120); os.kill(pid, 28); resized = True
    elif resized and not done:
        if b'40 120' in out: os.write(fd, b'\x04'); done = True
        elif not r: os.write(fd, b'\n')
if time.time() >= deadline: os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': out.decode('utf8', 'replace'), 'status': os.waitstatus_to_exitcode(status)}))
`;

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`serve (${mode} mode): ssh -tt sees the pty size and follows a resize`, async () => {
    const srv = await startServe({ mode });
    try {
      const remote = 'stty size; echo READY; while read x; do stty size; done; exit 3';
      const result = await run('python3', ['-c', DRIVER, 'ssh', '-tt', ...srv.sshArgs(), remote], { timeoutMs: 90_000 });
      assert.equal(result.code, 0, result.stderr);
      const { output, status } = JSON.parse(result.stdout.toString()) as { output: string; status: number };
      assert.match(output, /30 100\r\n/, output);
      assert.match(output, /40 120\r\n/, output);
      assert.equal(status, 3, output);
    } finally {
      await srv.stop();
    }
    assert.deepEqual(srv.containers(), []);
  }, { timeout: 180_000 });
}
