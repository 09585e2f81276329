// Remote forwarding pieces: the bind policy, its config rules, and the listener + claim relays run by a local node.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import { ConfigError, defaultConfig, loadConfig, type SecurityConfig } from '../../src/config/index.js';
import { ListenerConnection, type ParkedConnection } from '../../src/forwarding/listener-connection.js';
import { listenerCommand, listenHost } from '../../src/forwarding/listener-script.js';
import { allowsBind } from '../../src/forwarding/policy.js';
import { RelayConnection } from '../../src/forwarding/relay-connection.js';
import { claimCommand } from '../../src/forwarding/relay-script.js';
import { localExec } from '../support/local-exec.js';

const security = (forwarding: Partial<SecurityConfig['forwarding']>): SecurityConfig => {
  const base = defaultConfig().security;
  return { ...base, forwarding: { ...base.forwarding, ...forwarding } };
};

test('reverseForwardingMode: disabled by default, enable allows all, filter only reverseForwardingAllow (port 0 needs a "*" port)', () => {
  assert.equal(allowsBind(security({}), '127.0.0.1', 8080), false);
  assert.equal(allowsBind(security({ forwardingMode: 'enable' }), '127.0.0.1', 8080), false, 'local forwarding does not reach -R');
  assert.equal(allowsBind(security({ reverseForwardingMode: 'enable' }), '', 0), true);
  const filtered = security({ reverseForwardingMode: 'filter', reverseForwardingAllow: ['127.0.0.1:8000-8100', 'localhost:*'] });
  assert.equal(allowsBind(filtered, '127.0.0.1', 8000), true);
  assert.equal(allowsBind(filtered, '127.0.0.1', 8101), false);
  assert.equal(allowsBind(filtered, '127.0.0.1', 0), false, 'any free port is not inside a range');
  assert.equal(allowsBind(filtered, 'localhost', 0), true);
  assert.equal(allowsBind(filtered, '0.0.0.0', 8000), false);
  assert.deepEqual(['', '*', '0.0.0.0', 'localhost', '[::1]', '10.1.2.3'].map(listenHost), ['', '', '', '127.0.0.1', '::1', '10.1.2.3']);
});

test('config: a bad reverseForwardingAllow pattern and a bad maxListeners name their path', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cssh-rfwd-config-')), 'cssh.yaml');
  writeFileSync(path, 'security:\n  forwarding:\n    reverseForwardingMode: filter\n    reverseForwardingAllow: ["127.0.0.1:*", "nope"]\n    maxListeners: -3\n');
  await assert.rejects(loadConfig(path), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    const paths = error.issues.filter((issue) => issue.severity === 'error').map((issue) => `${issue.code} ${issue.path}`);
    assert.deepEqual(paths.sort(), ['CONFIG_INVALID_VALUE security.forwarding.reverseForwardingAllow[1]', 'CONFIG_OUT_OF_RANGE security.forwarding.maxListeners']);
    return true;
  });
});

/** `cmd` run by a local node, its output delivered in Docker's multiplexed frames, as an exec stream would be. */
function localStream(cmd: string[]): Duplex {
  return localExec(cmd).stream;
}

function readAll(stream: Duplex | Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream.once('end', () => resolve(Buffer.concat(chunks))));
}

test('listener relay: port 0 is allocated, an accepted socket is claimed with both half-closes, stop() refuses new ones only', async (t) => {
  const listener = new ListenerConnection(localStream(listenerCommand(process.execPath, '127.0.0.1', 0)));
  t.after(() => listener.destroy());
  const port = await listener.listening;
  assert.ok(port > 0, 'an allocated port is reported');

  const peer = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const [parked] = (await once(listener, 'connection')) as [ParkedConnection];
  assert.match(parked.name, /^cssh-rfwd-[0-9a-f]{32}$/);
  assert.equal(parked.port, peer.localPort, 'the peer is reported as the listener saw it');
  const claimed = new RelayConnection(localStream(claimCommand(process.execPath, parked.name)));
  await claimed.connected;

  const fromPeer = Buffer.alloc(3 * 1024 * 1024, 7);
  const toPeer = Buffer.alloc(2 * 1024 * 1024, 9);
  const gotByClaim = readAll(claimed);
  peer.end(fromPeer);
  assert.deepEqual(await gotByClaim, fromPeer, 'the peer\'s bytes and its EOF reached the claim');
  const gotByPeer = readAll(peer);
  claimed.end(toPeer);
  assert.deepEqual(await gotByPeer, toPeer, 'after the peer half-closed, the answer and its EOF still reached it');

  // A second connection stays up across stop(); a third is refused.
  const second = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const [parked2] = (await once(listener, 'connection')) as [ParkedConnection];
  const claimed2 = new RelayConnection(localStream(claimCommand(process.execPath, parked2.name)));
  await claimed2.connected;
  // drop(): an accepted connection closed unclaimed.
  const dropped = connect({ port, host: '127.0.0.1' });
  dropped.on('error', () => undefined);
  const [parked3] = (await once(listener, 'connection')) as [ParkedConnection];
  listener.drop(parked3.name);
  await once(dropped, 'close');

  listener.stop();
  await once(listener, 'stopped');
  const refused = connect({ port, host: '127.0.0.1' });
  const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED', 'no new connections after stop()');
  const echoed = readAll(second);
  claimed2.end(Buffer.from('still here'));
  second.end();
  assert.equal((await echoed).toString(), 'still here', 'the open connection went on');
  await once(listener, 'close');
});

test('listener relay: a port already in use is reported as the listening failure', async (t) => {
  const first = new ListenerConnection(localStream(listenerCommand(process.execPath, '127.0.0.1', 0)));
  t.after(() => first.destroy());
  const port = await first.listening;
  const second = new ListenerConnection(localStream(listenerCommand(process.execPath, '127.0.0.1', port)));
  await assert.rejects(second.listening, /EADDRINUSE/);
});
