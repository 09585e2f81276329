// `cssh serve`: a signal or window change sent at once after the exec reply (before the program exists) reaches it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ssh2, { type Client } from 'ssh2';
import { dockerTest } from '../support/docker.js';
import { containersOfUser, eventually, startServer, uniqueUser, type ProductionServer } from './production-helpers.js';

/** Delays (ms) between the exec reply and the TERM; cycled over the rounds. */
const DELAYS = [0, 50, 200];
const ROUNDS = 20;

function login(server: ProductionServer, user: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('ready', () => resolve(client)).on('error', reject);
    client.connect({ host: '127.0.0.1', port: server.port, username: user, privateKey: readFileSync(server.srv.keyPath), readyTimeout: 20_000 });
  });
}

interface Ending {
  code: number | null;
  signal: string | undefined;
}

/**
 * Runs `sleep 30`, sends TERM `delayMs` after the server answered the exec request with success, and resolves with
 * how the program ended. The channel is closed after 10 s if the program is still running (a lost signal).
 */
function execThenTerm(client: Client, delayMs: number): Promise<Ending> {
  return new Promise((resolve, reject) => {
    client.exec('sleep 30', (error, channel) => {
      if (error) return reject(error);
      let ending: Ending = { code: null, signal: undefined };
      channel.on('exit', (code: number | null, signal?: string) => (ending = { code, signal }));
      channel.on('data', () => undefined);
      channel.stderr.on('data', () => undefined);
      const guard = setTimeout(() => channel.close(), 10_000);
      channel.on('close', () => (clearTimeout(guard), resolve(ending)));
      const send = (): void => void channel.signal('TERM');
      if (delayMs === 0) send();
      else setTimeout(send, delayMs);
    });
  });
}

/** Runs `stty size` under a 24x80 pty, resizes to 50x132 `delayMs` after the exec reply; resolves with the output. */
function execThenResize(client: Client, delayMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // The program watches its size for up to 30 s and prints the last one: it ends as soon as the change shows, and an
    // early change that the start-up set back never shows.
    const watch = 'i=0; while [ $i -lt 300 ]; do s=$(stty size); [ "$s" = "50 132" ] && break; i=$((i+1)); sleep 0.1; done; echo $s';
    client.exec(watch, { pty: { rows: 24, cols: 80, term: 'xterm' } }, (error, channel) => {
      if (error) return reject(error);
      let output = '';
      channel.on('data', (chunk: Buffer) => (output += chunk.toString()));
      channel.on('close', () => resolve(output.trim()));
      const send = (): void => void channel.setWindow(50, 132, 0, 0);
      if (delayMs === 0) send();
      else setTimeout(send, delayMs);
    });
  });
}

function endedByTerm(e: Ending): boolean {
  return e.signal === 'TERM' || e.code === 143;
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: TERM sent 0, 50 or 200 ms after the exec reply ends the program, ${ROUNDS} of ${ROUNDS}`, async (t) => {
    const server = await startServer({ security: { signal: { mode: 'enable' } } }, { mode });
    t.after(() => server.stop());
    const user = uniqueUser(`early-sig-${mode.slice(0, 4)}`);
    const client = await login(server, user);
    t.after(() => client.end());
    const endings: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const delay = DELAYS[round % DELAYS.length] ?? 0;
      const ending = await execThenTerm(client, delay);
      endings.push(`${delay}ms:${endedByTerm(ending) ? 'TERM' : `code=${ending.code} signal=${ending.signal}`}`);
    }
    const lost = endings.filter((e) => !e.endsWith(':TERM'));
    assert.deepEqual(lost, [], `every program must end by TERM; got ${endings.join(', ')}`);
    client.end();
    await eventually(() => containersOfUser(user).length === 0, 'no container left');
  }, { timeout: 600_000 });
}

for (const mode of ['connection', 'session'] as const) {
  dockerTest(`${mode} mode: a window change sent 0, 50 or 200 ms after the exec reply is the size the program sees`, async (t) => {
    const server = await startServer({}, { mode });
    t.after(() => server.stop());
    const user = uniqueUser(`early-win-${mode.slice(0, 4)}`);
    const client = await login(server, user);
    t.after(() => client.end());
    const sizes: string[] = [];
    for (let round = 0; round < 6; round++) sizes.push(await execThenResize(client, DELAYS[round % DELAYS.length] ?? 0));
    assert.deepEqual(sizes, Array.from({ length: 6 }, () => '50 132'));
    client.end();
    await eventually(() => containersOfUser(user).length === 0, 'no container left');
  }, { timeout: 300_000 });
}
