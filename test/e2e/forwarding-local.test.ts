// ssh -L and ssh -W through `cssh serve` in both modes: a server on the container's loopback, several transfers at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { echoThrough, ECHO_SERVER, forwardingServer, freePort, helpersOf, sha } from './forwarding-helpers.js';
import { containersOfUser, eventually, scrape, sshBackground, uniqueUser } from './production-helpers.js';

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: ssh -L reaches the container's loopback, 4 transfers at once, and ssh -W too; nothing is left`, async (t) => {
    const server = await forwardingServer(mode);
    const dir = await mkdtemp(join(tmpdir(), 'cssh-fwd-'));
    t.after(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const user = uniqueUser(`fwd-${mode}`);
    const port = await freePort();
    const control = join(dir, 'ctl');
    const master = sshBackground(server, user, [ECHO_SERVER], [
      '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:8080`,
      '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}`,
    ]);
    t.after(() => master.child.kill('SIGKILL'));
    await eventually(() => master.output().includes('ready'), `echo server ready (${master.errors()})`, 60_000);

    const payloads = Array.from({ length: 4 }, () => randomBytes(4 * 1024 * 1024));
    const echoed = await Promise.all(payloads.map((data) => echoThrough(port, data)));
    echoed.forEach((got, i) => {
      const sent = payloads[i] ?? Buffer.alloc(0);
      assert.equal(got.length, sent.length, `transfer ${i}: every byte came back (a short echo is a truncation)`);
      assert.equal(sha(got), sha(sent), `transfer ${i} came back unaltered`);
    });
    assert.equal(helpersOf(user).length, 1, 'one helper container serves the forwarded connections');

    const data = randomBytes(1024 * 1024);
    const w = sshBackground(server, user, [], ['-o', `ControlPath=${control}`, '-W', '127.0.0.1:8080']);
    w.child.stdout.removeAllListeners('data');
    const chunks: Buffer[] = [];
    w.child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    w.child.stdin.end(data);
    const result = await w.done;
    assert.equal(result.code, 0, result.stderr);
    const got = Buffer.concat(chunks);
    assert.equal(got.length, data.length, `ssh -W: all bytes came back (${result.stderr})`);
    assert.equal(sha(got), sha(data), 'ssh -W carried the bytes both ways');

    const refused = sshBackground(server, user, [], ['-o', `ControlPath=${control}`, '-W', '127.0.0.1:9']);
    refused.child.stdin.end();
    const closed = await refused.done;
    assert.notEqual(closed.code, 0, 'nothing listens on port 9');
    assert.match(closed.stderr, /open failed|refused by peer/);

    const direct = sshBackground(server, user, [], ['-o', 'LogLevel=INFO', '-W', '127.0.0.1:9']);
    direct.child.stdin.end();
    const failed = await direct.done;
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /open failed: connect failed: Error setting up the forwarding/, 'ContainerSSH\'s text and reason');

    master.child.stdin.end();
    await master.done;
    await eventually(() => containersOfUser(user).length === 0, 'no container (and no helper) left', 60_000);
    // The helper was counted when created, so it must be counted out when removed (the gauge once stayed at 1).
    await eventually(async () => (await scrape(server))('cssh_active_containers') === 0, 'cssh_active_containers back to 0');
  }, { timeout: 240_000 });
}
