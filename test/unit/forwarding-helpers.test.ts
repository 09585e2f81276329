// ContainerForwarding over a fake HelperEngine: one helper per target, replaced when gone, removed on close.
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import { ContainerForwarding } from '../../src/forwarding/container-forwarding.js';
import type { HelperEngine, HelperSpec } from '../../src/forwarding/helper-engine.js';
import { createNullLogger } from '../../src/core/logger.js';

/** An exec stream that answers like a relay that connected: a C frame inside a Docker stdout frame. */
function connectedExec(): Duplex {
  const stream = new Duplex({ read: () => undefined, write: (_c, _e, cb) => cb() });
  const relay = Buffer.from([0x43, 0, 0, 0, 0]);
  const head = Buffer.alloc(8);
  head[0] = 1;
  head.writeUInt32BE(relay.length, 4);
  stream.push(Buffer.concat([head, relay]));
  return stream;
}

class FakeEngine implements HelperEngine {
  started: HelperSpec[] = [];
  removed: string[] = [];
  gone = new Set<string>();
  images = 0;
  async ensureImage(): Promise<void> {
    this.images++;
  }
  async labelsOf(id: string): Promise<Record<string, string>> {
    return { 'cssh.connection': `conn-of-${id}` };
  }
  async startHelper(spec: HelperSpec): Promise<string> {
    await new Promise((resolve) => setImmediate(resolve));
    this.started.push(spec);
    return `helper-${this.started.length}`;
  }
  async exec(id: string): Promise<Duplex> {
    if (this.gone.has(id)) throw Object.assign(new Error('no such container'), { statusCode: 404 });
    return connectedExec();
  }
  async remove(id: string): Promise<void> {
    this.removed.push(id);
  }
  private readonly stops = new Map<string, () => void>();
  /** Resolves when stop(id) is called, as Docker's wait does when the container stops. */
  untilStopped(id: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stops.set(id, resolve);
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
  /** The helper container `id` stops (its target ended, or it was removed from outside). */
  stop(id: string): void {
    this.gone.add(id);
    this.stops.get(id)?.();
  }
}

function forwardingOver(engine: FakeEngine, target: () => string | undefined): ContainerForwarding {
  return new ContainerForwarding({ engine, target, image: 'relay:1', node: 'node', setupMs: 5_000, logger: createNullLogger() });
}

test('concurrent dials share one helper labelled like its target; close ends the streams and removes the helper', async () => {
  const engine = new FakeEngine();
  const forwarding = forwardingOver(engine, () => 'target-a');
  const streams = await Promise.all([1, 2, 3].map(() => forwarding.dial({ host: '127.0.0.1', port: 80 }, new AbortController().signal)));
  assert.equal(engine.started.length, 1);
  assert.equal(engine.images, 1, 'the image policy runs once');
  const spec = engine.started[0];
  assert.equal(spec?.targetId, 'target-a');
  assert.deepEqual(spec?.labels, { 'cssh.connection': 'conn-of-target-a', 'cssh.role': 'forwarding', 'cssh.forwarding.target': 'target-a' });
  await forwarding.close();
  assert.deepEqual(engine.removed, ['helper-1']);
  assert.ok(streams.every((s) => s.destroyed), 'every forwarded stream ended');
  await assert.rejects(forwarding.dial({ host: '127.0.0.1', port: 80 }, new AbortController().signal), { code: 'DOCKER_FORWARDING_FAILED' });
});

test('a helper that vanished is replaced once; a new target gets its own helper; no target is a clear refusal', async () => {
  const engine = new FakeEngine();
  let target: string | undefined = 'target-a';
  const forwarding = forwardingOver(engine, () => target);
  const signal = new AbortController().signal;
  await forwarding.dial({ host: 'localhost', port: 1 }, signal);
  engine.gone.add('helper-1');
  await forwarding.dial({ host: 'localhost', port: 1 }, signal);
  assert.equal(engine.started.length, 2, 'replaced after a 404');
  target = 'target-b';
  await forwarding.dial({ host: 'localhost', port: 1 }, signal);
  assert.equal(engine.started[2]?.targetId, 'target-b');
  target = undefined;
  await assert.rejects(forwarding.dial({ host: 'localhost', port: 1 }, signal), /No running container to forward into/);
  await forwarding.close();
  assert.deepEqual(engine.removed.sort(), ['helper-1', 'helper-2', 'helper-3'], 'the vanished one is accounted for as removed too');
});

test('a helper container that stops ends its forwarded streams at once; the next dial starts a new helper', async () => {
  const engine = new FakeEngine();
  const forwarding = forwardingOver(engine, () => 'target-a');
  const signal = new AbortController().signal;
  const streams = await Promise.all([1, 2].map(() => forwarding.dial({ host: 'localhost', port: 1 }, signal)));
  const closed = streams.map((s) => new Promise((resolve) => s.once('close', resolve)));
  resumeAll(streams);
  engine.stop('helper-1');
  await Promise.all(closed);
  assert.ok(streams.every((s) => s.destroyed), 'the relays of the stopped helper ended');
  assert.equal(forwarding.openCount, 0);
  assert.ok(engine.removed.includes('helper-1'), 'the stopped helper is removed (and counted out)');
  const again = await forwarding.dial({ host: 'localhost', port: 1 }, signal);
  assert.equal(engine.started.length, 2, 'a new helper for the next forwarded connection');
  assert.equal(again.destroyed, false);
  await forwarding.close();
});

/** Lets the streams flow so that their end is not held back by unread data. */
function resumeAll(streams: Duplex[]): void {
  for (const s of streams) s.resume();
}

test('close during a helper start removes the helper as soon as it exists', async () => {
  const engine = new FakeEngine();
  const forwarding = forwardingOver(engine, () => 'target-a');
  const dial = forwarding.dial({ host: 'localhost', port: 1 }, new AbortController().signal);
  await new Promise((resolve) => setImmediate(resolve));
  await forwarding.close();
  await assert.rejects(dial, { code: 'DOCKER_FORWARDING_FAILED' });
  assert.deepEqual(engine.removed, ['helper-1']);
});

test('closing the connection ends a relay still closing gracefully, although the engine never closed its stream', async () => {
  const engine = new FakeEngine();
  const forwarding = forwardingOver(engine, () => 'target-a');
  const relay = await forwarding.dial({ host: 'localhost', port: 1 }, new AbortController().signal);
  relay.resume();
  await new Promise<void>((resolve) => relay.end(Buffer.from('last bytes'), () => resolve()));
  relay.destroy(); // after 'finish': waits for the relay to deliver and exit, which this engine never reports
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(relay.closed, false, 'still waiting for the exec stream to close');
  await forwarding.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(relay.closed, true, 'the helper is gone, so the relay is ended at once (not after the graceful bound)');
});
