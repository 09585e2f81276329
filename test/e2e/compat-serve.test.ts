// An operator's own YAML config served to the real OpenSSH client: odd commands, refused forwarding, abrupt clients.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerTest } from '../support/docker.js';
import { containersOf, makeClientKey, run, type RunResult } from '../support/serve-harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test/fixtures/containerssh');
const SSH_OPTIONS = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR'];

/** Runs a cssh command from source (e.g. 'serve', 'config/migrate') as its own process. */
function launchCli(command: string, args: string[]): { child: ChildProcess; output(): string } {
  const entry = `const { default: C } = await import(${JSON.stringify(join(ROOT, 'src/commands', `${command}.ts`))});
await C.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text };
}

interface Prepared {
  dir: string;
  config: string;
  keyPath: string;
}

/** Writes a fixture's YAML as an operator would deploy it: @HOSTKEY@ and @KEYDIR@ point at fresh temp files. */
function prepareFixture(yaml: string, user: string): Prepared {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-compat-'));
  const hostKey = makeClientKey(dir, 'host_ed25519').keyPath;
  const { keyPath, publicKey } = makeClientKey(dir);
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', user), publicKey + '\n');
  const config = join(dir, 'cssh.yaml');
  writeFileSync(config, yaml.replaceAll('@HOSTKEY@', hostKey).replaceAll('@KEYDIR@', join(dir, 'keys')));
  return { dir, config, keyPath };
}

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

interface YamlServer {
  child: ChildProcess;
  port: number;
  instance: string;
  keyPath: string;
  output(): string;
  /** ssh options, then '--', then the remote command. */
  ssh(args: string[], input?: string | Buffer): Promise<RunResult>;
  stop(): Promise<number | null>;
}

/** Serves YAML text (see prepareFixture) and resolves once it listens. */
async function serveYaml(yaml: string, user: string): Promise<YamlServer> {
  const { dir, config, keyPath } = prepareFixture(yaml, user);
  const cli = launchCli('serve', ['--config', config, '--state-dir', join(dir, 'state')]);
  const { child } = cli;
  const output = (): string => cli.output();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The start-up summary (port first, instance last) comes after the SSH_LISTEN log line: wait for its last line.
  let instance: string;
  try {
    instance = await waitFor(() => /\n {2}instance\s+([0-9a-f]+)/.exec(output())?.[1], child, output);
  } catch (error) {
    child.kill('SIGKILL'); // never leave a server (and this test file) running after a failed start
    throw error;
  }
  const port = /cssh serve listening on 127\.0\.0\.1:(\d+)/.exec(output())?.[1] ?? '';
  assert.notEqual(port, '', output());
  const target = ['-i', keyPath, '-p', port, `${user}@127.0.0.1`];
  return {
    child,
    port: Number(port),
    instance,
    keyPath,
    output,
    ssh: (extra, input) => run('ssh', [...SSH_OPTIONS, ...extra.slice(0, extra.indexOf('--')), ...target, ...extra.slice(extra.indexOf('--') + 1)], { input, timeoutMs: 60_000 }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitFor(probe: () => string | undefined, child: ChildProcess, output: () => string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const value = probe();
    if (value !== undefined) return value;
    if (child.exitCode !== null) throw new Error(`cssh serve exited (${child.exitCode}):\n${output()}`);
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`cssh serve did not start:\n${output()}`);
}

/** A loopback port that was free a moment ago (ssh -D does not take port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

/** Connects to a local forward once ssh listens on it; resolves with what came back before the close. */
async function throughForward(port: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const result = await new Promise<string | undefined>((resolve) => {
      let data = '';
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(10_000, () => socket.destroy());
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('error', () => resolve(undefined));
      socket.on('close', (hadError) => resolve(hadError ? undefined : data));
    });
    if (result !== undefined) return result;
    await sleep(100);
  }
  throw new Error(`ssh -L never listened on ${port}`);
}

/** Waits for a log line (log output may reach the pipe a moment after the client saw the result). */
async function logged(srv: YamlServer, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 50 && !pattern.test(srv.output()); i++) await sleep(100);
  assert.match(srv.output(), pattern);
}

async function noContainersLeft(instance: string): Promise<void> {
  for (let i = 0; i < 100 && containersOf(instance).length > 0; i++) await sleep(200);
  assert.deepEqual(containersOf(instance), [], 'containers left behind');
}

dockerTest('serve with an operator YAML config: odd commands, env and binary data behave as with OpenSSH', async (t) => {
  const srv = await serveYaml(fixture('serve-operator.yaml'), 'alice');
  t.after(() => srv.stop());

  const missing = await srv.ssh(['--', '/no/such/binary']);
  assert.equal(missing.code, 127, missing.stderr);
  assert.match(missing.stderr, /not found|No such file/);
  const bare = await srv.ssh(['--', 'nosuchcommand --flag']);
  assert.equal(bare.code, 127, bare.stderr);

  const shell = await srv.ssh(['--', 'for i in 1 2 3; do echo "n$i"; done | tail -1; echo "$LANG $(hostname) $(pwd)" >&2; exit 3']);
  assert.equal(shell.code, 3);
  assert.equal(shell.stdout.toString(), 'n3\n');
  assert.equal(shell.stderr.trim(), 'C.UTF-8 sandbox /tmp');

  const env = await srv.ssh(['-o', 'SetEnv=ODD="a b;c$d|e" UNI=ünï EMPTY=', '--', 'printf "[%s][%s][%s]" "$ODD" "$UNI" "${EMPTY-unset}"']);
  assert.equal(env.stdout.toString(), '[a b;c$d|e][ünï][]', env.stderr);

  const bytes = randomBytes(256 * 1024);
  const echoed = await srv.ssh(['--', 'cat'], bytes);
  assert.equal(echoed.code, 0, echoed.stderr);
  assert.ok(echoed.stdout.equals(bytes), 'binary data changed on the way through');

  const long = 'x'.repeat(20_000);
  const longLine = await srv.ssh(['--', `echo ${long} | wc -c`]);
  assert.equal(longLine.stdout.toString().trim(), String(long.length + 1), longLine.stderr);

  const subsystem = await srv.ssh(['-s', '--', 'nosuchsubsystem']);
  assert.notEqual(subsystem.code, 0);
  await noContainersLeft(srv.instance);
  assert.equal(await srv.stop(), 0);
});

dockerTest('serve refuses port, agent and X11 forwarding cleanly and the session goes on; killed clients leave nothing', async (t) => {
  const srv = await serveYaml(fixture('serve-operator.yaml'), 'bob');
  t.after(() => srv.stop());

  const remote = await srv.ssh(['-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:22', '--', 'echo reached']);
  assert.notEqual(remote.code, 0);
  assert.match(remote.stderr, /remote port forwarding failed/);

  const localPort = await freePort();
  const local = spawn('ssh', [...SSH_OPTIONS, '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:${srv.port}`, '-i', srv.keyPath, '-p', String(srv.port), 'bob@127.0.0.1']);
  t.after(() => local.kill('SIGKILL'));
  assert.equal(await throughForward(localPort), '', 'a forwarded connection must be closed without data');
  assert.equal(local.exitCode, null, 'ssh -N must stay connected after a refused forward');
  local.kill('SIGKILL');

  const forwarded = await srv.ssh(['-A', '-X', '-D', `127.0.0.1:${await freePort()}`, '-L', `127.0.0.1:${await freePort()}:127.0.0.1:22`, '--', 'echo "still works [${SSH_AUTH_SOCK-}][${DISPLAY-}]"']);
  assert.equal(forwarded.code, 0, forwarded.stderr);
  assert.equal(forwarded.stdout.toString(), 'still works [][]\n');

  const clients = [1, 2, 3].map(() => spawn('ssh', [...SSH_OPTIONS, '-tt', '-i', srv.keyPath, '-p', String(srv.port), 'bob@127.0.0.1', 'echo started; exec sleep 300'], { stdio: ['pipe', 'pipe', 'ignore'] }));
  await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.stdout.once('data', () => resolve()))));
  assert.ok(containersOf(srv.instance).length >= 3, 'each connection should have its container');
  for (const c of clients) c.kill('SIGKILL');
  await noContainersLeft(srv.instance);

  const after = await srv.ssh(['--', 'echo serving']);
  assert.equal(after.stdout.toString(), 'serving\n', after.stderr);
  assert.equal(await srv.stop(), 0);
  await noContainersLeft(srv.instance);
});

dockerTest('serve fails closed: a dead auth webhook and an absent image (policy Never) refuse logins, create nothing, keep serving', async (t) => {
  const srv = await serveYaml(fixture('serve-faults.yaml'), 'carol');
  t.after(() => srv.stop());
  const byPassword = ['-o', 'BatchMode=no', '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password', '-o', 'NumberOfPasswordPrompts=1'];
  const password = await run('sshpass', ['-p', 'secret', 'ssh', ...byPassword, ...SSH_OPTIONS, '-p', String(srv.port), 'carol@127.0.0.1', 'echo in'], { timeoutMs: 60_000 });
  assert.equal(password.code, 255);
  assert.match(password.stderr, /Permission denied/);
  await logged(srv, /AUTH_BACKEND_ERROR/);

  for (let i = 0; i < 2; i++) {
    const key = await srv.ssh(['--', 'echo in']);
    assert.equal(key.code, 255, key.stderr);
    assert.equal(key.stdout.toString(), '');
  }
  await logged(srv, /DOCKER_IMAGE_NOT_FOUND/);
  assert.deepEqual(containersOf(srv.instance), []);
  assert.equal(srv.child.exitCode, null, 'the server must keep running');
  assert.equal(await srv.stop(), 0);
});

dockerTest('serve with a Docker socket that does not exist stops at once with a message that names it', async () => {
  const { dir, config } = prepareFixture(fixture('serve-dead-engine.yaml'), 'dave');
  const cli = launchCli('serve', ['--config', config, '--state-dir', join(dir, 'state')]);
  const code = await new Promise<number | null>((resolve) => cli.child.on('exit', (c) => resolve(c)));
  assert.equal(code, 2, cli.output());
  assert.match(cli.output(), /\/nonexistent\/cssh-qa\/docker\.sock/);
  assert.doesNotMatch(cli.output(), /\n\s+at .*\.(ts|js):\d+/, 'no stack trace');
});

// ContainerSSH 0.3's disableCommand refused subsystems too; 0.4's refused commands only. The file does not say which
// version it was written for, so migrate reads it as 0.3 unless told --from 0.4.
for (const [from, sftpAllowed] of [[undefined, false], ['0.4', true]] as const) {
  dockerTest(`a migrated 0.3 dockerrun file (${from === undefined ? 'default: read as 0.3' : `--from ${from}`}) serves one container per session, commands disabled, sftp ${sftpAllowed ? 'allowed' : 'refused'}`, async (t) => {
    const source = prepareFixture(fixture('dockerrun-0.3.yaml'), 'erin');
    const migrate = launchCli('config/migrate', [...(from === undefined ? [] : ['--from', from]), source.config]);
    const migrated = await new Promise<string>((resolve) => migrate.child.on('exit', () => resolve(migrate.output())));
    assert.match(migrated, /mode: session/);
    assert.match(migrated, new RegExp(`subsystem:\\n {4}mode: ${sftpAllowed ? 'enable' : 'disable'}`));
    // The registry is out of reach here, so only the pull policy is changed from the migrated Always.
    const yaml = migrated
      .slice(migrated.indexOf('# ContainerSSH 0.3'))
      .replace('imagePullPolicy: Always', 'imagePullPolicy: Never')
      .replace('listen: 0.0.0.0:2222', 'listen: 127.0.0.1:0')
      .replace(/publicKey:\n {4}method: (?:webhook\n {4}webhook:\n(?: {6}.*\n)+|"".*\n)/, 'publicKey:\n    method: authorizedkeys\n    authorizedKeys:\n      path: "@KEYDIR@/{username}"\n')
      .replace('/var/secrets/ssh_host_rsa_key', '@HOSTKEY@');
    const srv = await serveYaml(yaml, 'erin');
    t.after(() => srv.stop());
    const exec = await srv.ssh(['--', 'echo should-not-run']);
    assert.notEqual(exec.code, 0);
    assert.equal(exec.stdout.toString(), '');
    assert.match(exec.stderr, /exec request failed|Command execution disabled/);
    const sftp = await run('sftp', [...SSH_OPTIONS, '-i', srv.keyPath, '-P', String(srv.port), '-b', '-', 'erin@127.0.0.1'], { input: 'ls /usr/lib/openssh\n', timeoutMs: 60_000 });
    if (sftpAllowed) {
      assert.equal(sftp.code, 0, sftp.stderr);
      assert.match(sftp.stdout.toString(), /sftp-server/);
    } else {
      assert.notEqual(sftp.code, 0, 'sftp must be refused, as 0.3 refused it');
      assert.match(sftp.stderr, /subsystem request failed|Connection closed/);
    }
    await noContainersLeft(srv.instance);
    assert.equal(await srv.stop(), 0);
  });
}
