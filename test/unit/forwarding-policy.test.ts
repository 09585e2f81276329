// security.forwarding: destination patterns, the filter decision, and the config rules for the new keys.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, defaultConfig, loadConfig, type SecurityConfig } from '../../src/config/index.js';
import { allowsDestination } from '../../src/forwarding/policy.js';
import { matchesTarget, parseTargetPattern } from '../../src/forwarding/target-pattern.js';

test('patterns: host globs, ports, ranges and bracketed IPv6', () => {
  assert.equal(matchesTarget(['localhost:8080'], 'LOCALHOST', 8080), true, 'hosts ignore case');
  assert.equal(matchesTarget(['localhost:8080'], '127.0.0.1', 8080), false, 'no name resolution');
  assert.equal(matchesTarget(['127.0.0.1:*'], '127.0.0.1', 1), true);
  assert.equal(matchesTarget(['*:8000-8100'], 'db', 8100), true);
  assert.equal(matchesTarget(['*:8000-8100'], 'db', 8101), false);
  assert.equal(matchesTarget(['10.0.*.1:22'], '10.0.9.1', 22), true);
  assert.equal(matchesTarget(['10.0.*.1:22'], '10.0.9.2', 22), false);
  assert.equal(matchesTarget(['a.b:1'], 'aXb', 1), false, 'dots are literal');
  assert.equal(matchesTarget(['[::1]:22'], '::1', 22), true);
  assert.equal(matchesTarget(['[::1]:22'], '[::1]', 22), true);
  assert.equal(matchesTarget(['nonsense', 'x:0'], 'x', 0), false, 'invalid patterns match nothing');
  for (const bad of ['', 'host', 'host:', ':80', 'h:70000', 'h:9-3', '::1:22', 'h:1-2-3']) {
    assert.equal(typeof parseTargetPattern(bad), 'string', `${JSON.stringify(bad)} is refused`);
  }
});

test('forwardingMode: enable allows all, filter only forwardingAllow (empty: none, as ContainerSSH), disable and unset none', () => {
  const security = (forwarding: Partial<SecurityConfig['forwarding']>, defaultMode: SecurityConfig['defaultMode'] = ''): SecurityConfig => {
    const base = defaultConfig().security;
    return { ...base, defaultMode, forwarding: { ...base.forwarding, ...forwarding } };
  };
  assert.equal(allowsDestination(security({}), 'localhost', 80), false, 'disabled by default');
  assert.equal(allowsDestination(security({}, 'enable'), 'localhost', 80), false, 'defaultMode does not reach forwarding');
  assert.equal(allowsDestination(security({ forwardingMode: 'enable' }), 'anything', 1), true);
  assert.equal(allowsDestination(security({ forwardingMode: 'filter' }), 'localhost', 80), false);
  const filtered = security({ forwardingMode: 'filter', forwardingAllow: ['localhost:80'] });
  assert.equal(allowsDestination(filtered, 'localhost', 80), true);
  assert.equal(allowsDestination(filtered, 'localhost', 81), false);
  assert.equal(allowsDestination(security({ forwardingMode: '', forwardingAllow: ['localhost:80'] }), 'localhost', 80), false);
});

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cssh-fwd-config-')), 'cssh.yaml');
  writeFileSync(path, text);
  return path;
}

test('config: defaults, a bad pattern and a bad cap name their path; filter without a list warns', async () => {
  const defaults = defaultConfig();
  assert.deepEqual(
    { ...defaults.security.forwarding, image: defaults.docker.forwarding.image },
    { forwardingMode: 'disable', forwardingAllow: [], maxChannels: 32, reverseForwardingMode: 'disable', reverseForwardingAllow: [], maxListeners: 8, socketForwardingMode: 'disable', socketListenMode: 'disable', x11ForwardingMode: 'disable', agentForwardingMode: 'disable', image: 'node:24-alpine' },
  );
  const bad = configFile('security:\n  forwarding:\n    forwardingMode: filter\n    forwardingAllow: ["localhost:8080", "nope"]\n    maxChannels: -2\n');
  await assert.rejects(loadConfig(bad), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    const paths = error.issues.filter((issue) => issue.severity === 'error').map((issue) => `${issue.code} ${issue.path}`);
    assert.deepEqual(paths.sort(), ['CONFIG_INVALID_VALUE security.forwarding.forwardingAllow[1]', 'CONFIG_OUT_OF_RANGE security.forwarding.maxChannels']);
    return true;
  });
  const empty = await loadConfig(configFile('security:\n  forwarding:\n    forwardingMode: filter\n'));
  assert.deepEqual(empty.warnings.map((issue) => issue.code).filter((code) => code.includes('FORWARDING')), ['SECURITY_FORWARDING_FILTER_EMPTY']);
  const agentFilter = await loadConfig(configFile('security:\n  forwarding:\n    agentForwardingMode: filter\n'));
  assert.deepEqual(agentFilter.warnings.map((issue) => `${issue.code} ${issue.path}`).filter((text) => text.includes('FORWARDING')), ['SECURITY_FORWARDING_FILTER_UNSUPPORTED security.forwarding.agentForwardingMode']);
  await assert.rejects(loadConfig(configFile('security:\n  forwarding:\n    agentForwardingMode: yes-please\n')), /agentForwardingMode/);
  const image = await loadConfig(configFile('docker:\n  forwarding:\n    image: registry.example/relay:1\n'));
  assert.equal(image.config.docker.forwarding.image, 'registry.example/relay:1');
  await assert.rejects(loadConfig(configFile('docker:\n  forwarding:\n    imag: x\n')), /imag/);
});
