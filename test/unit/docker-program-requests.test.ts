// Signals and window changes wait for a starting program, reach it in arrival order, and queued resizes coalesce.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgramRequests, type RequestTarget } from '../../src/backend/docker/programs/program-requests.js';
import type { TtySize } from '../../src/backend/docker/engine/docker-engine.js';
import { CsshError } from '../../src/core/errors.js';
import { createNullLogger } from '../../src/core/logger.js';

/** A program that records deliveries; each delivery waits for `gate` when one is set. */
class FakeProgram implements RequestTarget {
  running = true;
  delivered: string[] = [];
  gate: Promise<void> | undefined;
  async resize(size: TtySize): Promise<void> {
    this.delivered.push(`${size.cols}x${size.rows}`);
    await this.gate;
  }
  async signal(name: string): Promise<void> {
    this.delivered.push(name);
    await this.gate;
  }
}

function queue(program: Promise<RequestTarget | undefined>): ProgramRequests {
  return new ProgramRequests({ program, windowMs: 1000, signalMs: 1000, logger: createNullLogger() });
}

test('requests made while the program starts are delivered once it runs, in arrival order', async () => {
  const program = new FakeProgram();
  let started!: (p: RequestTarget) => void;
  const q = queue(new Promise((resolve) => (started = resolve)));
  const all = [q.signal('TERM'), q.resize({ cols: 100, rows: 30 }), q.signal('USR1')];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(program.delivered, []);
  started(program);
  await Promise.all(all);
  assert.deepEqual(program.delivered, ['TERM', '100x30', 'USR1']);
});

test('a resize queued behind another that has not begun replaces its size; one behind a signal stays after it', async () => {
  const program = new FakeProgram();
  let release!: () => void;
  program.gate = new Promise((resolve) => (release = resolve));
  const q = queue(Promise.resolve(program));
  const first = q.signal('USR1'); // in flight, holds the queue
  await new Promise((r) => setImmediate(r));
  const a = q.resize({ cols: 80, rows: 24 });
  const b = q.resize({ cols: 90, rows: 25 });
  const c = q.resize({ cols: 100, rows: 30 });
  const term = q.signal('TERM');
  const d = q.resize({ cols: 120, rows: 40 });
  release();
  await Promise.all([first, a, b, c, term, d]);
  assert.deepEqual(program.delivered, ['USR1', '100x30', 'TERM', '120x40']);
});

test('a failed start or an exited program refuses the queued requests with DOCKER_PROGRAM_NOT_RUNNING', async () => {
  const failed = queue(Promise.resolve(undefined));
  await assert.rejects(failed.signal('TERM'), (e: unknown) => e instanceof CsshError && e.code === 'DOCKER_PROGRAM_NOT_RUNNING');
  const program = new FakeProgram();
  program.running = false;
  const exited = queue(Promise.resolve(program));
  await assert.rejects(exited.resize({ cols: 1, rows: 1 }), /Cannot resize window, program is not running/);
  assert.deepEqual(program.delivered, []);
});

test('a failing delivery does not hold back the next one', async () => {
  const program = new FakeProgram();
  const q = queue(Promise.resolve(program));
  program.signal = async (name) => {
    program.delivered.push(name);
    if (name === 'BAD') throw new Error('engine said no');
  };
  await assert.rejects(q.signal('BAD'), /engine said no/);
  await q.signal('TERM');
  assert.deepEqual(program.delivered, ['BAD', 'TERM']);
});
