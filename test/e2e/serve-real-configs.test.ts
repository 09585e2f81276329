// `cssh serve` with ContainerSSH's own published configs: the 0.4.1 and 0.6 examples start when their files exist
// and stop at once naming the missing host key otherwise; the Kerberos docs config and the honeypot guide's
// placeholder certificates are refused with their real cause, before anything listens.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTest } from '../support/docker.js';
import { makeClientKey, run, startServe, type RunResult } from '../support/serve-harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ENTRY = `const { default: Serve } = await import(${JSON.stringify(join(ROOT, 'src/commands/serve.ts'))});
await Serve.run(process.argv.slice(1), ${JSON.stringify(join(ROOT, 'package.json'))});`;
const HOST_KEY = '/etc/containerssh/ssh_host_rsa_key';
/** A hang guard only: a start-up failure must end the process long before it. */
const HANG_GUARD_MS = 45_000;

function fixture(name: string): string {
  return readFileSync(join(ROOT, 'test/fixtures/containerssh', name), 'utf8');
}

/** The published example as a user would run it here: only the listen addresses are made free loopback ports. */
function localised(text: string): string {
  return text.replace('listen: 0.0.0.0:9100', 'listen: 127.0.0.1:0');
}

/** Runs `cssh serve` on `yaml` to its exit (or kills it at the hang guard: code null). */
async function serveToExit(yaml: string): Promise<RunResult & { output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-real-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, yaml);
  const args = ['--config', config, '--state-dir', join(dir, 'state'), '--listen', '127.0.0.1:0'];
  const result = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, '--', ...args], { timeoutMs: HANG_GUARD_MS });
  return { ...result, output: `${result.stdout.toString()}${result.stderr}` };
}

for (const example of ['containerssh-0.4.1-example.yaml', 'containerssh-0.6-example.yaml']) {
  dockerTest(`${example}: without its host key file, serve refuses the config at once (exit 1) naming the file at its line`, async () => {
    const result = await serveToExit(localised(fixture(example)));
    assert.notEqual(result.code, null, `serve did not exit (killed after ${HANG_GUARD_MS} ms):\n${result.output}`);
    assert.equal(result.code, 1, result.output);
    assert.match(result.stderr, new RegExp(`config\\.yaml:\\d+:\\d+: ssh\\.hostkeys\\.0: host key file "${HOST_KEY.replaceAll('/', '\\/')}" does not exist here`));
    assert.doesNotMatch(result.output, /\n\s+at .*\.(ts|js):\d+/, 'no stack trace');
  }, { timeout: 90_000 });

  dockerTest(`${example}: with its host key file, serve starts (metrics on) and stops cleanly`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cssh-real-key-'));
    const hostKey = makeClientKey(dir, 'ssh_host_ed25519_key').keyPath;
    const srv = await startServe({ configText: localised(fixture(example)).replace(HOST_KEY, hostKey), args: ['--listen', '127.0.0.1:0'] });
    try {
      assert.match(srv.output(), /auth {9}(password|publickey)/);
      assert.match(srv.output(), new RegExp(`host key .*${hostKey.replaceAll('/', '\\/')}`));
    } finally {
      assert.equal(await srv.stop(), 0, srv.output());
    }
  }, { timeout: 90_000 });
}

dockerTest('the Kerberos docs config: serve refuses the config, as nobody could log in (exit 1, AUTH_NO_USABLE_METHOD)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cssh-real-krb-'));
  const hostKey = makeClientKey(dir, 'ssh_host_ed25519_key').keyPath;
  const result = await serveToExit(fixture('kerberos-docs.yaml').replace(HOST_KEY, hostKey));
  assert.equal(result.code, 1, result.output);
  assert.match(result.stderr, /config\.yaml:\d+:\d+: auth: no login method cssh implements is configured \(auth\.password\.method \(kerberos\), auth\.gssapi\.method \(kerberos\) are not implemented\)/);
  assert.doesNotMatch(result.output, /listening on/);
}, { timeout: 90_000 });

dockerTest('the honeypot guide with its placeholder certificates: serve names each at file:line:col, not an unreachable engine', async () => {
  const result = await serveToExit(fixture('honeypot-guide-placeholders.yaml'));
  assert.equal(result.code, 1, result.output);
  assert.match(result.stderr, /config\.yaml:15:11: docker\.connection\.cert: not a certificate: .*"<client certificate here>"/);
  assert.match(result.stderr, /config\.yaml:19:10: docker\.connection\.key: not a private key/);
  assert.match(result.stderr, /config\.yaml:23:13: docker\.connection\.cacert: not a certificate: the CERTIFICATE block is empty/);
  assert.doesNotMatch(result.output, /cannot reach the Docker engine|start the Docker engine/);
  assert.doesNotMatch(result.output, /MaxListenersExceededWarning/);
}, { timeout: 90_000 });
