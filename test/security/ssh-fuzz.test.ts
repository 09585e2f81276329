// Hostile requests after login against a real `cssh serve`: absurd pty sizes, huge env values, 10,000 channel opens.
import assert from 'node:assert/strict';
import type { Client, ClientChannel, ExecOptions } from 'ssh2';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, scrape, ssh, startServer, uniqueUser, type ProductionServer } from '../e2e/production-helpers.js';
import { capAddressSpace, login, mib, rss, serverPid } from './security-helpers.js';

/** RSS growth allowed over the whole fuzz run (measured: +13 MiB, most of it for the 10,000 channel opens). */
const RSS_BOUND = 64 * 1024 * 1024;
const MAX_U32 = 2 ** 32 - 1;

interface Outcome {
  /** The exec request was refused or the channel open failed (message), or the program ran (exit code). */
  refused?: string;
  code?: number | null;
  output: string;
}

/** Opens a session, optionally with a pty and env, runs `command`, resolves with what happened (never rejects). */
function run(client: Client, command: string, opts: ExecOptions = {}, onChannel?: (c: ClientChannel) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    client.exec(command, opts, (error, channel) => {
      if (error) return resolve({ refused: error.message, output: '' });
      let output = '';
      let code: number | null = null;
      channel.on('data', (chunk: Buffer) => (output += chunk.toString()));
      channel.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => resolve({ code, output }));
      onChannel?.(channel);
    });
  });
}

/** The server is alive, serves a normal OpenSSH login, and left no container behind for `user`. */
async function stillServes(server: ProductionServer, user: string): Promise<void> {
  assert.equal(server.srv.process.exitCode, null, 'the server process is still running');
  const after = await ssh(server, uniqueUser('sec-after'), ['true']);
  assert.equal(after.code, 0, `a normal \`ssh host true\` succeeds afterwards: ${after.stderr}`);
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
}

dockerTest('absurd pty sizes, huge env values and 10,000 channel opens: the server survives and serves a normal login', async (t) => {
  const server = await startServer({ security: { maxSessions: 10 } });
  t.after(() => server.stop());
  const pid = serverPid(server);
  const user = uniqueUser('sec-fuzz');
  const client = await login(server, user);
  t.after(() => client.end());
  client.on('error', () => undefined);
  assert.equal((await run(client, 'true')).code, 0); // warm-up: the connection container exists
  const before = rss(pid);
  capAddressSpace(pid);

  // Absurd pty sizes at pty-req and in window changes: the program still runs (or is refused), nothing crashes.
  for (const size of [{ rows: MAX_U32, cols: MAX_U32, height: MAX_U32, width: MAX_U32 }, { rows: 0, cols: 0, height: 0, width: 0 }, { rows: 65_536, cols: 1 }]) {
    const outcome = await run(client, 'echo pty-ok', { pty: { term: 'x'.repeat(4000), ...size } }, (channel) => {
      channel.setWindow(MAX_U32, MAX_U32, MAX_U32, MAX_U32);
      channel.setWindow(0, 0, 0, 0);
    });
    t.diagnostic(`pty ${size.rows}x${size.cols}: ${outcome.refused ?? `exit ${outcome.code}`}`);
  }

  // Huge env values (each request just under ssh2's 35,000-byte packet limit): refused past maxEnvBytes, program runs.
  const env: Record<string, string> = {};
  for (let i = 0; i < 200; i++) env[`HUGE_${i}`] = String(i % 10).repeat(30_000);
  env['PATH=/x:'] = 'evil';
  env.SSH_ORIGINAL_COMMAND = 'forged';
  const withEnv = await run(client, 'echo "[$SSH_ORIGINAL_COMMAND]" ${#HUGE_0} ${#HUGE_3}', { env });
  assert.equal(withEnv.code, 0);
  assert.match(withEnv.output, /^\[echo .*\] 30000 0\n$/, 'two huge values do not fit maxEnvBytes (64 KiB); the rest is refused');

  // 10,000 session opens at once on one connection: at most maxSessions are served, the rest refused at once.
  const opens = await Promise.all(Array.from({ length: 10_000 }, () => run(client, 'true')));
  const refused = opens.filter((o) => o.refused !== undefined);
  const ran = opens.filter((o) => o.refused === undefined);
  t.diagnostic(`10,000 opens: ${ran.length} ran, ${refused.length} refused (${refused[0]?.refused ?? '-'})`);
  assert.ok(refused.length >= 9_000, `most opens are refused (maxSessions 10), got ${refused.length}`);
  assert.ok(ran.every((o) => o.code === 0), 'the sessions that were served ran normally');
  assert.ok(refused.every((o) => /resource shortage|Too many sessions/i.test(o.refused ?? '')), 'refused as OpenSSH does: resource shortage');
  const read = await scrape(server);
  assert.ok(read('cssh_policy_refusals_total{code="SECURITY_MAX_SESSIONS"}') >= 9_000);
  assert.ok(read('cssh_policy_refusals_total{code="SECURITY_ENV_LIMIT"}') >= 100);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_ENV_INVALID"}'), 1);
  assert.equal(read('cssh_policy_refusals_total{code="SECURITY_ENV_RESERVED"}'), 1);

  // The same connection still works.
  assert.equal((await run(client, 'echo still-here')).output, 'still-here\n');
  const grew = rss(pid) - before;
  t.diagnostic(`cssh RSS before ${mib(before)}, after (+${mib(grew)})`);
  assert.ok(grew < RSS_BOUND, `RSS grew by ${mib(grew)}, bound ${mib(RSS_BOUND)}`);
  client.end();
  await stillServes(server, user);
}, { timeout: 300_000 });
