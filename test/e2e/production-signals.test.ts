// `cssh serve` with a real SSH client sending signals (OpenSSH's client cannot): signal.mode allows or refuses them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, scrape, startServer, uniqueUser, type ProductionServer } from './production-helpers.js';

const PROGRAM = "trap 'echo got-usr1; exit 0' USR1; echo ready; while true; do sleep 0.2; done";

function login(server: ProductionServer, user: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('ready', () => resolve(client)).on('error', reject);
    client.connect({ host: '127.0.0.1', port: server.port, username: user, privateKey: readFileSync(server.srv.keyPath), readyTimeout: 20_000 });
  });
}

function exec(client: Client, command: string): Promise<{ channel: ClientChannel; output: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let text = '';
      channel.on('data', (chunk: Buffer) => (text += chunk.toString()));
      channel.stderr.on('data', () => undefined);
      const closed = new Promise<void>((done) => channel.on('close', () => done()));
      resolve({ channel, output: () => text, closed });
    });
  });
}

dockerTest('signals reach the program when signal.mode allows them and are refused when it does not', async (t) => {
  const server = await startServer({ security: { shell: { mode: 'disable' }, signal: { mode: 'enable', deny: ['KILL', 'USR2'] } } });
  t.after(() => server.stop());
  const user = uniqueUser('prod-signal');
  const client = await login(server, user);
  t.after(() => client.end());

  const allowed = await exec(client, PROGRAM);
  await eventually(() => allowed.output().includes('ready'), 'program ready');
  allowed.channel.signal('USR1');
  await eventually(() => allowed.output().includes('got-usr1'), 'USR1 delivered although shell.mode is disable');
  await allowed.closed;

  const refused = await exec(client, "trap 'echo got-usr2; exit 0' USR2; echo ready; while true; do sleep 0.2; done");
  await eventually(() => refused.output().includes('ready'), 'program ready');
  refused.channel.signal('USR2');
  await eventually(async () => (await scrape(server))('cssh_policy_refusals_total{code="SECURITY_SIGNAL_REJECTED"}') === 1, 'refusal counted');
  assert.doesNotMatch(refused.output(), /got-usr2/);
  refused.channel.close();
  await refused.closed;
  client.end();
  await eventually(() => containersOfUser(user).length === 0, 'no container left');
});
