// Floods of unauthenticated connections against a real `cssh serve`: the caps hold, a real OpenSSH login still gets in.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, scrape, startServer, uniqueUser } from '../e2e/production-helpers.js';
import { rawConnection, rssMiB, watchUnauthenticated, type RawConnection } from './hostile-clients.js';

/** RSS the server may reach during a flood, MiB (measured: about 130 at rest and 140 after these floods). */
const RSS_BOUND_MIB = 250;

function flood(port: number, address: string, count: number, send?: () => Buffer): RawConnection[] {
  return Array.from({ length: count }, () => rawConnection(port, address, send?.()));
}

async function tally(connections: RawConnection[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = { admitted: 0, refused: 0, closed: 0 };
  for (const verdict of await Promise.all(connections.map((c) => c.verdict))) counts[verdict] = (counts[verdict] ?? 0) + 1;
  return counts;
}

/** Garbage a scanner or fuzzer sends: random bytes, an HTTP request, or a valid version line then random bytes. */
function garbage(index: number): Buffer {
  if (index % 3 === 0) return randomBytes(2048);
  if (index % 3 === 1) return Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  return Buffer.concat([Buffer.from('SSH-2.0-Fuzz_1.0\r\n'), randomBytes(4096)]);
}

dockerTest('300 idle and 50 garbage connections from three addresses: a real ssh login still succeeds within 10 s', async (t) => {
  const cap = { total: 40, perSource: 10 };
  const server = await startServer({ ssh: { maxStartups: `${cap.total}:30:100`, perSourceMaxStartups: cap.perSource } });
  t.after(() => server.stop());
  const pid = server.srv.process.pid ?? 0;
  const rssAtRest = rssMiB(pid);
  const gauge = watchUnauthenticated(server);

  const idle = [...flood(server.port, '127.0.0.2', 150), ...flood(server.port, '127.0.0.3', 150)];
  const junk = Array.from({ length: 50 }, (_, index) => rawConnection(server.port, '127.0.0.4', garbage(index)));
  t.after(() => [...idle, ...junk].forEach((c) => c.socket.destroy()));
  const idleTally = await tally(idle);
  // Each address holds exactly its cap; every other connection got sshd's refusal line before any SSH version.
  assert.deepEqual(idleTally, { admitted: 2 * cap.perSource, refused: 300 - 2 * cap.perSource, closed: 0 });
  // Garbage beyond the address's cap is refused at once (a client whose bytes the server never read may see a reset
  // instead of the refusal line, as with sshd); admitted garbage is dropped when ssh2 sees it is not SSH.
  const junkTally = await tally(junk);

  // The flood is still held open: a legitimate OpenSSH client (from 127.0.0.1) logs in and runs a command.
  const user = uniqueUser('sec-flood');
  const started = Date.now();
  const login = await server.srv.ssh(['echo', 'in'], { user, timeoutMs: 10_000 });
  const loginMs = Date.now() - started;
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout.toString(), 'in\n');
  t.diagnostic(`login during the flood took ${loginMs} ms`);

  const { max, samples } = await gauge.stop();
  const read = await scrape(server);
  t.diagnostic(`unauthenticated connections: highest sampled ${max} over ${samples} scrapes; RSS ${rssAtRest.toFixed(0)} -> ${rssMiB(pid).toFixed(0)} MiB`);
  assert.ok(samples > 0 && max <= 3 * cap.perSource + 1, `at most ${3 * cap.perSource + 1} held, saw ${max}`);
  assert.ok(read('cssh_ssh_unauthenticated_connections') <= 3 * cap.perSource);
  const perSourceRefusals = read('cssh_ssh_unauthenticated_refused_total{code="SSH_PER_SOURCE_MAX_STARTUPS"}');
  assert.ok(perSourceRefusals >= (idleTally.refused ?? 0) + (junkTally.refused ?? 0), `${perSourceRefusals} refusals counted`);
  assert.ok(perSourceRefusals <= (idleTally.refused ?? 0) + 50 - (junkTally.admitted ?? 0), `${perSourceRefusals} refusals counted`);
  assert.equal(read('cssh_ssh_unauthenticated_refused_total{code="SSH_MAX_STARTUPS"}'), 0);
  assert.match(server.srv.output(), /"code":"SSH_PER_SOURCE_MAX_STARTUPS"[^\n]*refused: 10 unauthenticated connections from its netblock/);

  for (const c of [...idle, ...junk]) c.socket.destroy();
  await eventually(async () => (await scrape(server))('cssh_ssh_unauthenticated_connections') === 0, 'every slot freed');
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
  assert.ok(rssMiB(pid) < RSS_BOUND_MIB, `RSS ${rssMiB(pid).toFixed(0)} MiB is under ${RSS_BOUND_MIB} MiB`);
  const after = await server.srv.ssh(['true'], { user, timeoutMs: 10_000 });
  assert.equal(after.code, 0, after.stderr);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});

dockerTest('300 idle connections from 300 addresses: never more than maxStartups held, early drop from start on', async (t) => {
  const spec = { start: 10, rate: 30, full: 50 };
  const server = await startServer({ ssh: { maxStartups: `${spec.start}:${spec.rate}:${spec.full}` } });
  t.after(() => server.stop());
  const pid = server.srv.process.pid ?? 0;
  const gauge = watchUnauthenticated(server);
  const idle = Array.from({ length: 300 }, (_, i) => rawConnection(server.port, `127.1.${Math.floor(i / 200)}.${(i % 200) + 1}`));
  t.after(() => idle.forEach((c) => c.socket.destroy()));
  const counts = await tally(idle);
  const { max } = await gauge.stop();
  t.diagnostic(`admitted ${counts.admitted}, refused ${counts.refused}; highest sampled gauge ${max}`);
  assert.equal(counts.closed, 0);
  assert.ok((counts.admitted ?? 0) >= spec.start && (counts.admitted ?? 0) <= spec.full, JSON.stringify(counts));
  assert.ok(max <= spec.full, `gauge ${max} stays within ${spec.full}`);
  const read = await scrape(server);
  assert.equal(read('cssh_ssh_unauthenticated_connections'), counts.admitted);
  assert.equal(read('cssh_ssh_unauthenticated_refused_total{code="SSH_MAX_STARTUPS"}'), counts.refused);
  // The server is at its limit: one more connection is refused once `full` is held, randomly before.
  if (counts.admitted === spec.full) assert.equal(await rawConnection(server.port, '127.0.0.9').verdict, 'refused');

  for (const c of idle) c.socket.destroy();
  await eventually(async () => (await scrape(server))('cssh_ssh_unauthenticated_connections') === 0, 'every slot freed');
  const user = uniqueUser('sec-spread');
  const login = await server.srv.ssh(['true'], { user, timeoutMs: 10_000 });
  assert.equal(login.code, 0, login.stderr);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
  assert.ok(rssMiB(pid) < RSS_BOUND_MIB, `RSS ${rssMiB(pid).toFixed(0)} MiB is under ${RSS_BOUND_MIB} MiB`);
});
