// Random and truncated SSH packets against a real `cssh serve`, before and after authentication, and broken bytes on
// the encrypted stream: each ends at most its own connection; the server keeps serving normal logins.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ssh2, { type Client } from 'ssh2';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, startServer, uniqueUser, type ProductionServer } from '../e2e/production-helpers.js';
import { hostilePayload, rawConnection, rssMiB, seededRandom, sendPacket } from './hostile-clients.js';

/** RSS the server may reach after the fuzzing, MiB (measured: about 120 at rest, 130 to 145 after these runs). */
const RSS_BOUND_MIB = 250;
const CLIENTS = 80;
const PACKETS = 25;

type Stage = 'handshake' | 'ready';

/**
 * One ssh2 client that, once at `stage`, sends PACKETS hostile packets (or, with `rawBytes`, random bytes straight
 * onto the encrypted socket), then ends. Resolves when the connection is gone, whoever closed it.
 */
function hostileClient(server: ProductionServer, key: Buffer, stage: Stage, random: () => number, rawBytes = false): Promise<void> {
  return new Promise((resolve) => {
    const client: Client = new ssh2.Client();
    const guard = setTimeout(() => client.destroy(), 20_000);
    client.on('error', () => undefined);
    client.on('close', () => (clearTimeout(guard), resolve()));
    const attack = (): void => {
      try {
        if (rawBytes) (client as unknown as { _sock: { write(b: Buffer): void } })._sock.write(randomBytes(64 + randomInt(512)));
        else for (let i = 0; i < PACKETS; i++) sendPacket(client, hostilePayload(random));
      } catch {
        // the server already dropped us
      }
      setTimeout(() => client.end(), 50);
    };
    if (stage === 'handshake') client.once('handshake', attack);
    else client.once('ready', attack);
    client.connect({ host: '127.0.0.1', port: server.port, username: uniqueUser('fuzz'), privateKey: key, readyTimeout: 15_000 });
  });
}

async function inBatches(count: number, size: number, run: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, i) => run(start + i)));
  }
}

dockerTest('random and truncated packets before and after auth never take the server down', async (t) => {
  const seed = Number(process.env.CSSH_FUZZ_SEED ?? randomInt(2 ** 31));
  t.diagnostic(`fuzz seed ${seed} (repeat with CSSH_FUZZ_SEED=${seed})`);
  const random = seededRandom(seed);
  const server = await startServer({ ssh: { perSourceMaxStartups: -1 } }, { mode: 'session' });
  t.after(() => server.stop());
  const pid = server.srv.process.pid ?? 0;
  const key = readFileSync(server.srv.keyPath);
  const rssAtRest = rssMiB(pid);
  const alive = (): void => assert.equal(server.srv.process.exitCode, null, `server exited:\n${server.srv.output().slice(-3000)}`);

  await inBatches(CLIENTS, 10, () => hostileClient(server, key, 'handshake', random));
  alive();
  await inBatches(CLIENTS, 10, () => hostileClient(server, key, 'ready', random));
  alive();
  await inBatches(10, 10, (i) => hostileClient(server, key, i % 2 === 0 ? 'handshake' : 'ready', random, true));
  alive();
  // Cut-off handshakes: a version line then part of a packet, then gone.
  await Promise.all(Array.from({ length: 20 }, (_, i) => {
    const partial = Buffer.concat([Buffer.from('SSH-2.0-Cut_1.0\r\n'), Buffer.from([0, 0, 1, 44, 6, 20]), randomBytes(i * 10)]);
    const connection = rawConnection(server.port, '127.0.0.5', partial);
    void connection.verdict.then(() => connection.socket.end());
    return connection.closed;
  }));
  alive();

  const user = uniqueUser('sec-fuzz');
  const started = Date.now();
  const login = await server.srv.ssh(['true'], { user, timeoutMs: 10_000 });
  t.diagnostic(`ssh host true after the fuzzing: ${Date.now() - started} ms; RSS ${rssAtRest.toFixed(0)} -> ${rssMiB(pid).toFixed(0)} MiB`);
  assert.equal(login.code, 0, login.stderr);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
  await eventually(() => server.srv.containers().length === 0, 'no container of this server left');
  assert.ok(rssMiB(pid) < RSS_BOUND_MIB, `RSS ${rssMiB(pid).toFixed(0)} MiB is under ${RSS_BOUND_MIB} MiB`);
  assert.doesNotMatch(server.srv.output(), /uncaught|unhandled/i);
  const malformed = server.srv.output().match(/"code":"SSH_CLIENT_ERROR"[^\n]*Malformed/g)?.length ?? 0;
  t.diagnostic(`${malformed} connections ended by the server on a malformed packet`);
  assert.ok(malformed > 0, 'the hostile packets reached the server\'s parser');
});
