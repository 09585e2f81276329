// Each validation rule: its path, message, severity and location (ContainerSSH's rules and cssh's own checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSource } from '../../src/config/source.js';
import { analyzeSource } from '../../src/config/analyze.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { HARDENING_CODES } from '../../src/config/rules-hardening.js';

const AUTH = 'auth:\n  password:\n    method: webhook\n    webhook:\n      url: http://127.0.0.1:8080\n';

/** The issues `config validate` reports; the hardening advice (tested on its own) only with `hardening`. */
function issuesOf(text: string, withAuth = true, hardening = false): ConfigIssue[] {
  const parsed = parseSource(withAuth ? `${AUTH}${text}` : text, 'cfg.yaml');
  assert.ok(parsed.ok, 'the test YAML parses');
  const issues = analyzeSource(parsed.source, 'validate').issues;
  return hardening ? issues : issues.filter((issue) => !HARDENING_CODES.includes(issue.code));
}

function only(issues: ConfigIssue[], path: string): ConfigIssue {
  const found = issues.filter((issue) => issue.path === path);
  assert.equal(found.length, 1, `one issue at ${path}, got ${JSON.stringify(issues)}`);
  return found[0] as ConfigIssue;
}

test('a minimal valid config has no issues', () => {
  assert.deepEqual(issuesOf('backend: docker\n'), []);
});

test('§1.5.1/2: connection mode needs an idle command and a shell command', () => {
  const issues = issuesOf('docker:\n  execution:\n    idleCommand: []\n    shellCommand: []\n');
  assert.equal(only(issues, 'docker.execution.idleCommand').message, 'idle command required for execution mode "connection"');
  assert.equal(only(issues, 'docker.execution.shellCommand').message, 'shell command required for execution mode "connection"');
  assert.deepEqual(issuesOf('docker:\n  execution:\n    mode: session\n    idleCommand: []\n    shellCommand: []\n'), []);
});

test('§1.5.3: a restarting session container is refused; "" and no are fine', () => {
  const issue = only(issuesOf('docker:\n  execution:\n    mode: session\n    host:\n      restartpolicy:\n        name: always\n'), 'docker.execution.host.RestartPolicy');
  assert.equal(issue.message, 'unsupported restart policy for execution mode "session": always (session containers may not restart)');
  assert.equal(issue.line, 10);
  assert.deepEqual(issuesOf('docker:\n  execution:\n    mode: session\n    host:\n      RestartPolicy: {Name: "no"}\n'), []);
});

test('§1.5.4: imagePullPolicy is case-sensitive', () => {
  const issue = only(issuesOf('docker:\n  execution:\n    imagePullPolicy: always\n'), 'docker.execution.imagePullPolicy');
  assert.equal(issue.message, 'invalid image pull policy: "always"');
  assert.equal(issue.expected, 'Always|IfNotPresent|Never');
  assert.equal(issue.hint, 'did you mean Always?');
  assert.equal(issue.line, 8);
  assert.equal(issue.column, 22);
});

test('§1.5.6: the container needs an image', () => {
  const issue = only(issuesOf('docker:\n  execution:\n    container:\n      env: [A=1]\n'), 'docker.execution.container.Image');
  assert.equal(issue.message, 'no image name provided');
  assert.equal(issue.line, 8);
});

test('§1.5.7: an invalid execution mode', () => {
  const issue = only(issuesOf('docker:\n  execution:\n    mode: pod\n'), 'docker.execution.mode');
  assert.equal(issue.message, 'invalid execution mode: "pod"');
  assert.equal(issue.expected, 'connection|session');
});

test('a Docker host without a scheme is an error with a tcp:// hint', () => {
  const issue = only(issuesOf('docker:\n  connection:\n    host: 127.0.0.1:2375\n'), 'docker.connection.host');
  assert.equal(issue.code, 'DOCKER_HOST_NO_SCHEME');
  assert.equal(issue.hint, 'write tcp://127.0.0.1:2375');
  assert.deepEqual(issuesOf('docker:\n  connection:\n    host: tcp://127.0.0.1:2375\n'), []);
  assert.equal(only(issuesOf('docker:\n  connection:\n    host: ftp://x\n'), 'docker.connection.host').code, 'DOCKER_HOST_NO_SCHEME');
});

test('a partial Docker TLS set is an error naming what is missing', () => {
  const pem = '"-----BEGIN CERTIFICATE-----\\nx\\n-----END CERTIFICATE-----"';
  const issue = only(issuesOf(`docker:\n  connection:\n    host: tcp://h:2376\n    cacert: ${pem}\n`), 'docker.connection.cert');
  assert.equal(issue.code, 'DOCKER_TLS_PARTIAL');
  assert.match(issue.message, /cert and key missing/);
});

test('a TLS file path that does not exist here is an error (serve would not start here); --offline leaves it out', () => {
  const issue = only(issuesOf('docker:\n  connection:\n    host: tcp://h:2376\n    cacert: /nope/ca.pem\n    cert: /nope/c.pem\n    key: /nope/k.pem\n'), 'docker.connection.cacert');
  assert.equal(issue.severity, 'error');
  assert.equal(issue.code, 'CONFIG_FILE_NOT_FOUND');
  assert.match(issue.hint ?? '', /--offline/);
});

test('backend: kubernetes/sshproxy are refused as serve refuses them, other values are errors with a hint', () => {
  const warning = only(issuesOf('backend: kubernetes\n'), 'backend');
  assert.equal(warning.severity, 'error');
  assert.equal(warning.code, 'BACKEND_NOT_IMPLEMENTED');
  const error = only(issuesOf('backend: dokcer\n'), 'backend');
  assert.equal(error.message, 'invalid backend: dokcer');
  assert.equal(error.hint, 'did you mean docker?');
});

test('unimplemented ContainerSSH sections are accepted with a warning', () => {
  const issues = issuesOf('kubernetes:\n  connection: {}\naudit:\n  enable: true\ngeoip:\n  provider: dummy\nsshproxy: {}\n');
  assert.deepEqual(issues.map((issue) => [issue.path, issue.severity, issue.code]), [
    ['kubernetes', 'warning', 'CONFIG_SECTION_IGNORED'],
    ['audit', 'warning', 'CONFIG_SECTION_IGNORED'],
    ['geoip', 'warning', 'CONFIG_SECTION_IGNORED'],
    ['sshproxy', 'warning', 'CONFIG_SECTION_IGNORED'],
  ]);
});

test('unknown keys are errors with did-you-mean hints; YAML keys are case-sensitive', () => {
  const issues = issuesOf('securty: {}\ndocker:\n  execution:\n    imagepullpolicy: Always\n');
  assert.equal(only(issues, 'securty').hint, 'did you mean security?');
  const caseIssue = only(issues, 'docker.execution.imagepullpolicy');
  assert.equal(caseIssue.code, 'CONFIG_UNKNOWN_KEY');
  assert.equal(caseIssue.hint, 'did you mean imagePullPolicy?');
});

test('JSON files match ContainerSSH keys case-insensitively, as Go does', () => {
  const parsed = parseSource(JSON.stringify({ Backend: 'docker', docker: { Execution: { ImagePullPolicy: 'Never' } }, auth: { password: { method: 'webhook', webhook: { url: 'http://x' } } } }), 'cfg.json');
  assert.ok(parsed.ok);
  const analysis = analyzeSource(parsed.source, 'validate');
  assert.deepEqual(analysis.issues.filter((issue) => !HARDENING_CODES.includes(issue.code)), []);
  assert.equal(analysis.config.docker.execution.imagePullPolicy, 'Never');
});

test('wrong types name expected and found', () => {
  const issues = issuesOf('ssh:\n  ciphers: aes256-ctr\nmetrics:\n  enable: "yes"\nsecurity:\n  maxSessions: many\n');
  const list = only(issues, 'ssh.ciphers');
  assert.equal(list.message, 'expected a list of strings, found "aes256-ctr"');
  assert.equal(list.hint, 'write a list, for example ["aes256-ctr"]');
  assert.equal(only(issues, 'metrics.enable').expected, 'true or false');
  assert.equal(only(issues, 'security.maxSessions').expected, 'an integer');
});

test('§5.1: server version, algorithms, keepalive', () => {
  const issues = issuesOf('ssh:\n  serverVersion: OpenSSH\n  ciphers: [aes256-ctr, des]\n  kex: []\n  macs: [hmac-sha2-257]\n  clientAliveInterval: 500ms\n  clientAliveCountMax: -1\n');
  assert.equal(only(issues, 'ssh.serverVersion').code, 'SSH_SERVER_VERSION_INVALID');
  assert.equal(only(issues, 'ssh.ciphers.1').message, 'unsupported cipher: "des"');
  const rc4 = only(issuesOf('ssh:\n  ciphers: [aes128-ctr, arcfour256]\n'), 'ssh.ciphers.1');
  assert.equal(rc4.severity, 'error');
  assert.match(rc4.message, /^arcfour256 is a ContainerSSH cipher that cssh cannot serve/);
  assert.equal(only(issues, 'ssh.kex').message, 'at least one key exchange algorithm is required');
  assert.equal(only(issues, 'ssh.macs.0').hint, 'did you mean hmac-sha2-256?');
  assert.equal(only(issues, 'ssh.clientAliveInterval').message, 'must be at least 1000ms (or 0 to disable)');
  assert.equal(only(issues, 'ssh.clientAliveCountMax').message, 'must be at least 1');
  assert.deepEqual(issuesOf('ssh:\n  serverVersion: "SSH-2.0-cssh_1.0 my server"\n  ciphers: []\n  clientAliveInterval: 15s\n'), []);
  assert.equal(issuesOf(`ssh:\n  serverVersion: SSH-2.0-${'x'.repeat(250)}\n`)[0]?.code, 'SSH_SERVER_VERSION_INVALID');
});

test('ssh: maxStartups, perSourceMaxStartups and perSourceNetBlockSize are checked with OpenSSH\'s rules', () => {
  const issues = issuesOf('ssh:\n  maxStartups: "100:30:10"\n  perSourceMaxStartups: 0\n  perSourceNetBlockSize: "33"\n');
  const startups = only(issues, 'ssh.maxStartups');
  assert.equal(startups.severity, 'error');
  assert.equal(startups.message, 'invalid maxStartups: full must not be smaller than start');
  assert.equal(startups.found, '"100:30:10"');
  assert.equal(only(issues, 'ssh.perSourceMaxStartups').message, 'must be at least 1, or -1 for unlimited');
  assert.match(only(issues, 'ssh.perSourceNetBlockSize').message, /^invalid perSourceNetBlockSize: not ipv4bits:ipv6bits/);
  assert.match(only(issuesOf('ssh:\n  maxStartups: "10:30"\n'), 'ssh.maxStartups').message, /not start:rate:full/);
  const above = only(issuesOf('ssh:\n  maxStartups: 20\n  perSourceMaxStartups: 50\n'), 'ssh.perSourceMaxStartups');
  assert.equal(above.severity, 'warning');
  assert.match(above.message, /above maxStartups' full \(20\), so it never applies/);
  assert.deepEqual(issuesOf('ssh:\n  maxStartups: 50\n  perSourceMaxStartups: -1\n  perSourceNetBlockSize: "24:56"\n  loginGraceTime: 0\n'), []);
});

test('§5.1: ECDSA host keys are refused; Ed25519 PEM text is accepted; missing files are errors', () => {
  const ec = '-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE\\n-----END EC PRIVATE KEY-----';
  assert.equal(only(issuesOf(`ssh:\n  hostkeys: ["${ec}"]\n`), 'ssh.hostkeys.0').message, 'ECDSA host keys are not supported');
  const missing = only(issuesOf('ssh:\n  hostkeys: [/nonexistent/host_key]\n'), 'ssh.hostkeys.0');
  assert.equal(missing.severity, 'error');
  assert.equal(only(issuesOf('ssh:\n  hostkeys: ["-----BEGIN NONSENSE-----"]\n'), 'ssh.hostkeys.0').code, 'SSH_HOST_KEY_INVALID');
});

test('§5.7: webhook URL and timeouts; kerberos/oauth2 warn; built-ins need their file or path', () => {
  const issues = issuesOf('auth:\n  password:\n    method: webhook\n    webhook:\n      url: 127.0.0.1:8080\n      timeout: 50ms\n      authTimeout: 10ms\n  publicKey:\n    method: authorizedkeys\n  keyboardInteractive:\n    method: oauth2\n', false);
  assert.equal(only(issues, 'auth.password.webhook.url').code, 'CONFIG_URL_INVALID');
  assert.equal(only(issues, 'auth.password.webhook.timeout').message, 'must be at least 100ms');
  assert.equal(only(issues, 'auth.password.webhook.authTimeout').code, 'CONFIG_DURATION_TOO_SHORT');
  assert.equal(only(issues, 'auth.publicKey.authorizedKeys.path').message, 'the authorizedkeys method needs a path');
  assert.equal(only(issues, 'auth.keyboardInteractive.method').severity, 'warning');
  const more = issuesOf('auth:\n  password:\n    method: passwords\n  publicKey:\n    method: authorizedkeys\n    authorizedKeys:\n      path: /etc/keys\n  authz:\n    method: webhook\n', false);
  assert.equal(only(more, 'auth.password.passwords.file').code, 'AUTH_CONFIG_INVALID');
  assert.equal(only(more, 'auth.publicKey.authorizedKeys.path').code, 'AUTH_CONFIG_SHARED_KEYS');
  assert.equal(only(more, 'auth.authz.webhook.url').message, 'a URL is required');
  assert.equal(only(issuesOf('auth:\n  password:\n    method: kerberos\n', false), 'auth.password.method').code, 'AUTH_METHOD_NOT_IMPLEMENTED');
  assert.equal(only(issuesOf('auth:\n  password:\n    method: ldap\n', false), 'auth.password.method').code, 'CONFIG_INVALID_VALUE');
});

test('no authentication method at all is a warning', () => {
  assert.equal(only(issuesOf('backend: docker\n', false), 'auth').code, 'AUTH_NONE_CONFIGURED');
});

test('0.4 auth.url is converted with a deprecation warning naming what it configures', () => {
  const parsed = parseSource('backend: docker\nauth:\n  url: http://127.0.0.1:8080\n', 'cfg.yaml');
  assert.ok(parsed.ok);
  const analysis = analyzeSource(parsed.source, 'validate');
  const issue = only(analysis.issues, 'auth.url');
  assert.equal(issue.code, 'CONFIG_AUTH_URL_DEPRECATED');
  assert.equal(issue.line, 3);
  assert.match(issue.message, /used for auth\.password\.webhook and auth\.publicKey\.webhook$/);
  assert.equal(analysis.config.auth.password.webhook.url, 'http://127.0.0.1:8080');
  assert.equal(analysis.config.auth.publicKey.method, 'webhook');
});

test('§6: policy modes, maxSessions >= -1, limits, lead time', () => {
  const issues = issuesOf('security:\n  defaultMode: allow\n  env:\n    mode: filtr\n  maxSessions: -2\n  maxConnectionsPerUser: -5\n  idleTimeout: 20s\n');
  assert.equal(only(issues, 'security.defaultMode').message, 'invalid mode: "allow"');
  assert.equal(only(issues, 'security.env.mode').hint, 'did you mean filter?');
  assert.equal(only(issues, 'security.maxSessions').message, 'must be at least -1 (-1 = unlimited)');
  assert.equal(only(issues, 'security.maxConnectionsPerUser').code, 'CONFIG_OUT_OF_RANGE');
  const lead = only(issues, 'security.timeoutWarning.leadTime');
  assert.equal(lead.severity, 'warning');
  assert.equal(lead.code, 'SECURITY_WARNING_LEAD_TOO_LONG');
  assert.equal(only(issuesOf('security:\n  maxSessions: 0\n'), 'security.maxSessions').severity, 'warning');
});

test('instance.workers: 0 (one per core) to 1024', () => {
  assert.equal(only(issuesOf('instance:\n  workers: -1\n'), 'instance.workers').code, 'CONFIG_OUT_OF_RANGE');
  assert.equal(only(issuesOf('instance:\n  workers: 5000\n'), 'instance.workers').message, 'must be 1 to 1024 worker processes, or 0 for one per CPU core');
  assert.equal(issuesOf('instance:\n  workers: 4\n').filter((i) => i.path === 'instance.workers').length, 0);
});

test('instance.workers other than 1 with connection caps: no warning, the caps hold for the whole server', () => {
  assert.equal(issuesOf('instance:\n  workers: 4\nsecurity:\n  maxConnectionsPerUser: 2\n').filter((i) => i.path === 'instance.workers').length, 0);
  assert.equal(issuesOf('instance:\n  workers: 0\nsecurity:\n  maxConnections: 100\n').filter((i) => i.path === 'instance.workers').length, 0);
});

test('log, metrics and health', () => {
  const issues = issuesOf('log:\n  level: verbose\n  destination: file\nmetrics:\n  enable: true\n  listen: ":99999"\n  path: metrics\nhealth:\n  enable: true\n  listen: localhost\n');
  assert.equal(only(issues, 'log.level').expected, 'debug|info|notice|warning|error|crit|alert|emerg');
  assert.equal(only(issues, 'log.file').message, 'log destination "file" needs a file path');
  assert.equal(only(issues, 'metrics.listen').code, 'CONFIG_LISTEN_INVALID');
  assert.equal(only(issues, 'metrics.path').message, 'the metrics path must start with /');
  assert.equal(only(issues, 'health.listen').code, 'CONFIG_LISTEN_INVALID');
});

test('configserver: URL and timeout checked when set', () => {
  const issues = issuesOf('configserver:\n  url: nope\n  timeout: 1ms\n');
  assert.equal(only(issues, 'configserver.url').code, 'CONFIG_URL_INVALID');
  assert.equal(only(issues, 'configserver.timeout').code, 'CONFIG_DURATION_TOO_SHORT');
});

test('dockerrun is an error in validate that names cssh config migrate', () => {
  const issue = only(issuesOf('dockerrun:\n  config:\n    container:\n      image: busybox\n'), 'dockerrun');
  assert.equal(issue.severity, 'error');
  assert.equal(issue.code, 'DOCKERRUN_LEGACY');
  assert.match(issue.hint ?? '', /cssh config migrate/);
  assert.equal(issue.line, 6);
});

test('all issues are reported in one run, in file order', () => {
  const issues = issuesOf('docker:\n  execution:\n    mode: pod\n    imagePullPolicy: sometimes\nssh:\n  macs: [x]\nsecurty: 1\n');
  assert.deepEqual(issues.map((issue) => issue.line), [8, 9, 11, 12]);
});

test('numbers are accepted where strings are expected (tlsVersion: 1.3), and unit-less duration strings get a hint', () => {
  assert.deepEqual(issuesOf('configserver:\n  url: http://x\n  tlsVersion: 1.2\n'), []);
  const issue = only(issuesOf('docker:\n  timeouts:\n    window: "60"\n'), 'docker.timeouts.window');
  assert.equal(issue.hint, 'add a unit, for example 60s');
});

test('Docker hosts cssh cannot reach (npipe://, ssh://) and http:// with TLS are errors', () => {
  assert.match(only(issuesOf('docker:\n  connection:\n    host: npipe:////./pipe/docker_engine\n'), 'docker.connection.host').message, /unsupported Docker host scheme "npipe"/);
  assert.equal(only(issuesOf('docker:\n  connection:\n    host: ssh://me@box\n'), 'docker.connection.host').code, 'DOCKER_HOST_NO_SCHEME');
  const pem = (kind: string) => `"-----BEGIN ${kind}-----\\nx\\n-----END ${kind}-----"`;
  const issue = only(issuesOf(`docker:\n  connection:\n    host: http://h:2376\n    cacert: ${pem('CERTIFICATE')}\n    cert: ${pem('CERTIFICATE')}\n    key: ${pem('PRIVATE KEY')}\n`), 'docker.connection.host');
  assert.equal(issue.hint, 'use https://h:2376 or tcp://');
});

test('with a config server, docker/security/backend errors wait for the per-connection merge (warnings)', () => {
  const issue = only(issuesOf('configserver:\n  url: http://127.0.0.1:9000\ndocker:\n  execution:\n    container: {env: [A=1]}\n'), 'docker.execution.container.Image');
  assert.equal(issue.severity, 'warning');
  assert.match(issue.message, /checked again per connection/);
});

test('more rules: agent idle command without agent, webhook TLS pairs and version, ssh.listen, log enums, encrypted keys', () => {
  const agent = only(issuesOf('docker:\n  execution:\n    disableAgent: true\n    idleCommand: [/usr/bin/containerssh-agent, wait-signal, --signal, INT, --signal, TERM]\n'), 'docker.execution.idleCommand');
  assert.equal(agent.code, 'DOCKER_GUEST_AGENT_DISABLED');
  const webhook = issuesOf('auth:\n  password:\n    method: webhook\n    webhook:\n      url: https://x\n      cert: "-----BEGIN CERTIFICATE-----"\n      tlsVersion: "1.1"\n', false);
  assert.equal(only(webhook, 'auth.password.webhook.key').code, 'CONFIG_TLS_PARTIAL');
  assert.equal(only(webhook, 'auth.password.webhook.tlsVersion').expected, '1.2|1.3');
  assert.equal(only(issuesOf('ssh:\n  listen: 2222\n'), 'ssh.listen').code, 'CONFIG_LISTEN_INVALID');
  assert.deepEqual(issuesOf('ssh:\n  listen: "[::]:2222"\n'), []);
  const log = issuesOf('log:\n  format: json\n  destination: stderr\n');
  assert.equal(only(log, 'log.format').hint, 'did you mean ljson?');
  assert.equal(only(log, 'log.destination').message, 'invalid log destination: "stderr"');
  const encrypted = '-----BEGIN ENCRYPTED PRIVATE KEY-----\\nMIIB\\n-----END ENCRYPTED PRIVATE KEY-----';
  assert.equal(only(issuesOf(`ssh:\n  hostkeys: ["${encrypted}"]\n`), 'ssh.hostkeys.0').message, 'the host key is encrypted with a passphrase');
});

test('hardening advice: containers without limits, passwords over plain http, metrics/health exposed without TLS', () => {
  const codes = (text: string, withAuth = true) => issuesOf(text, withAuth, true).map((issue) => [issue.path, issue.severity, issue.code]);
  const limits = issuesOf('backend: docker\n', false, true).find((issue) => issue.code === 'DOCKER_RESOURCES_UNLIMITED');
  assert.ok(limits !== undefined);
  assert.equal(limits.severity, 'warning');
  assert.match(limits.message, /no memory \(Memory\), process count \(PidsLimit\), CPU \(NanoCpus or CpuQuota\) limit/);
  const partly = issuesOf('docker:\n  execution:\n    host:\n      resources: {memory: 536870912}\n', false, true);
  assert.match(partly.find((issue) => issue.code === 'DOCKER_RESOURCES_UNLIMITED')?.message ?? '', /no process count \(PidsLimit\), CPU/);
  const bounded = 'docker:\n  execution:\n    host:\n      resources: {memory: 536870912, pidslimit: 256, nanocpus: 1000000000}\n';
  assert.deepEqual(codes(bounded), [], 'limits set, password webhook on loopback: nothing to advise');

  const remote = 'auth:\n  password:\n    method: webhook\n    webhook:\n      url: http://auth.example.com:8080\n';
  assert.deepEqual(codes(bounded + remote, false), [['auth.password.webhook.url', 'warning', 'AUTH_PASSWORD_PLAINTEXT']]);
  for (const url of ['https://auth.example.com', 'http://localhost:8080', 'http://[::1]:8080', 'http://127.0.0.2']) {
    assert.deepEqual(codes(bounded + remote.replace('http://auth.example.com:8080', url), false), [], url);
  }
  const pubkeyOnly = 'auth:\n  publicKey:\n    method: webhook\n    webhook:\n      url: http://auth.example.com\n';
  assert.deepEqual(codes(bounded + pubkeyOnly, false), [], 'no password travels to a public-key webhook');

  const exposed = 'metrics:\n  enable: true\nhealth:\n  enable: true\n  listen: "[::]:7000"\n';
  assert.deepEqual(codes(bounded + exposed), [
    ['metrics.listen', 'warning', 'CONFIG_HTTP_PLAINTEXT_PUBLIC'],
    ['health.listen', 'warning', 'CONFIG_HTTP_PLAINTEXT_PUBLIC'],
  ]);
  assert.deepEqual(codes(`${bounded}metrics:\n  enable: true\n  listen: 127.0.0.1:9100\nhealth:\n  enable: true\n  listen: 10.0.0.5:7000\n`), []);
  assert.deepEqual(codes(`${bounded}metrics:\n  enable: true\n  cert: /etc/tls/cert.pem\n  key: /etc/tls/key.pem\n`).map(([, , code]) => code), [
    'CONFIG_FILE_NOT_FOUND', 'CONFIG_FILE_NOT_FOUND',
  ], 'with TLS the all-interfaces listen is fine');
});

test('metrics/health TLS: pairs, clientcacert only with a certificate, ContainerSSH curve and cipher names', () => {
  // Real PEM files: placeholders are CONFIG_PEM_INVALID, tested with the other PEM options.
  const dir = mkdtempSync(join(tmpdir(), 'cssh-metrics-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=t'], { stdio: 'ignore' });
  const [pem, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const codes = (text: string) => issuesOf(`metrics:\n  enable: true\n  listen: 127.0.0.1:9100\n${text}`).map((issue) => [issue.path, issue.severity, issue.code]);
  assert.deepEqual(codes(`  cert: ${pem}\n`), [['metrics.key', 'error', 'CONFIG_TLS_PARTIAL']]);
  assert.deepEqual(codes(`  key: ${key}\n`), [['metrics.cert', 'error', 'CONFIG_TLS_PARTIAL']]);
  assert.deepEqual(codes(`  clientcacert: ${pem}\n`), [['metrics.clientcacert', 'error', 'CONFIG_TLS_PARTIAL']]);
  assert.deepEqual(codes(`  cert: ${pem}\n  key: ${key}\n  clientcacert: ${pem}\n  curves: x25519:prime256v1\n  cipher: [TLS_AES_256_GCM_SHA384, ECDHE-ECDSA-AES128-GCM-SHA256]\n`), []);
  assert.deepEqual(codes('  tlsVersion: "1.1"\n  curves: [x448]\n  cipher: RC4-SHA\n'), [
    ['metrics.tlsVersion', 'error', 'CONFIG_INVALID_VALUE'],
    ['metrics.curves', 'error', 'CONFIG_INVALID_VALUE'],
    ['metrics.cipher', 'error', 'CONFIG_INVALID_VALUE'],
  ]);
  const noTls13 = issuesOf('health:\n  enable: true\n  listen: 127.0.0.1:7000\n  cipher: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n');
  assert.match(only(noTls13, 'health.cipher').message, /tlsVersion 1\.3 needs at least one TLS 1\.3 suite/);
  assert.deepEqual(issuesOf('health:\n  enable: true\n  listen: 127.0.0.1:7000\n  tlsVersion: "1.2"\n  cipher: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n'), []);
  const webhook = issuesOf('auth:\n  password:\n    method: webhook\n    webhook:\n      url: https://127.0.0.1\n      curves: [secp256k1]\n', false);
  assert.match(only(webhook, 'auth.password.webhook.curves').message, /unsupported ECDH curve "secp256k1"/);
});

test('the hardened example in docs/security.md draws no advice and no error', () => {
  const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  assert.ok(yaml.includes('pidslimit'));
  const issues = issuesOf(yaml, false, true).filter((issue) => issue.code !== 'CONFIG_FILE_NOT_FOUND'); // paths of the target machine
  assert.deepEqual(issues, []);
});
