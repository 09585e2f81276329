// Unit tests of idle and maximum-duration timeouts and of the activity-observing SessionIO, over fakes of cssh's contracts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import type { Program, ProgramExit, SessionHandler, SessionIO } from '../../src/core/contracts.js';
import { createNullLogger } from '../../src/core/logger.js';
import { observeActivity } from '../../src/security/activity-io.js';
import { TimeoutSessionHandler, type TimeoutSettings } from '../../src/security/timeouts.js';
import { ManualClock } from '../support/manual-clock.js';

/** A program the test drives: it records what happens to it in order and exits on KILL (and on TERM if told to). */
class FakeProgram {
  readonly steps: string[] = [];
  io: SessionIO | undefined;
  private resolveExit!: (exit: ProgramExit) => void;
  readonly exited = new Promise<ProgramExit>((resolve) => (this.resolveExit = resolve));
  constructor(
    private readonly exitOnTerm: boolean,
    private readonly signalFails = false,
  ) {}

  session(): SessionHandler {
    return {
      setEnv: () => undefined,
      requestPty: () => undefined,
      start: async (_req, io): Promise<Program> => {
        this.io = io;
        return { exited: this.exited, kill: () => this.exit('KILL', 137) };
      },
      resize: async () => undefined,
      signal: async (name) => {
        if (this.signalFails) throw new Error('no way to signal');
        this.steps.push(name);
        if (this.exitOnTerm && name === 'TERM') this.exit('exit', 143);
      },
      close: async () => undefined,
    };
  }

  exit(step: string, code: number): void {
    this.steps.push(step);
    this.resolveExit({ code });
  }
}

function settings(overrides: Partial<TimeoutSettings>): TimeoutSettings {
  return {
    idleTimeout: 0,
    maxSessionDuration: 0,
    timeoutWarning: { message: 'Session ends: {reason}.', leadTime: 0 },
    terminateGracePeriod: 20,
    ...overrides,
  };
}

/** Front-end streams whose stdout output is recorded as a step of the program's story. */
function frontEnd(program: FakeProgram): SessionIO & { stdin: PassThrough; text: () => string } {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      program.steps.push(`out:${chunk.toString()}`);
      cb();
    },
  });
  return { stdin: new PassThrough(), stdout, stderr: new PassThrough(), text: () => text };
}

const never = new AbortController().signal;

/** A timeout handler over `program` on a manual clock; the test moves time. */
function timed(program: FakeProgram, overrides: Partial<TimeoutSettings>): { handler: TimeoutSessionHandler; clock: ManualClock } {
  const clock = new ManualClock();
  return { handler: new TimeoutSessionHandler(program.session(), settings(overrides), createNullLogger(), clock), clock };
}

test('idle timeout: a silent session gets the warning at its lead time, then TERM, then KILL after the grace period', async () => {
  const program = new FakeProgram(false);
  const { handler, clock } = timed(program, { idleTimeout: 120, timeoutWarning: { message: 'Bye ({reason})', leadTime: 80 } });
  const running = await handler.start({ kind: 'shell' }, frontEnd(program), never);
  await clock.advance(39);
  assert.deepEqual(program.steps, [], 'nothing before the lead time');
  await clock.advance(1);
  assert.deepEqual(program.steps, ['out:Bye (idle timeout)\r\n']);
  await clock.advance(79);
  assert.deepEqual(program.steps, ['out:Bye (idle timeout)\r\n'], 'TERM only when the idle timeout is reached');
  await clock.advance(1);
  assert.deepEqual(program.steps, ['out:Bye (idle timeout)\r\n', 'TERM']);
  await clock.advance(20);
  assert.deepEqual(await running.exited, { code: 137 });
  assert.deepEqual(program.steps, ['out:Bye (idle timeout)\r\n', 'TERM', 'KILL']);
});

test('idle timeout: a program that exits on TERM is not killed', async () => {
  const program = new FakeProgram(true);
  const { handler, clock } = timed(program, { idleTimeout: 50, terminateGracePeriod: 50 });
  const running = await handler.start({ kind: 'exec', command: 'sleep 100' }, frontEnd(program), never);
  await clock.advance(50);
  assert.deepEqual(await running.exited, { code: 143 });
  await clock.advance(1000);
  assert.deepEqual(program.steps, ['out:Session ends: idle timeout.\r\n', 'TERM', 'exit']);
  assert.equal(clock.scheduled, 0, 'no timer is left once the program has exited');
});

test('idle timeout: input and output keep a session alive, silence then ends it', async () => {
  const program = new FakeProgram(true);
  const { handler, clock } = timed(program, { idleTimeout: 300 });
  const io = frontEnd(program);
  const running = await handler.start({ kind: 'shell' }, io, never);
  const backendIO = program.io!;
  const received: string[] = [];
  backendIO.stdin.on('data', (chunk: Buffer) => received.push(chunk.toString()));
  for (let i = 0; i < 60; i++) {
    if (i % 2 === 0) io.stdin.write(`k${i}`);
    else backendIO.stdout.write(`o${i}`);
    await clock.advance(15);
  }
  assert.ok(!program.steps.includes('TERM'), `ended while active (900 ms of activity): ${program.steps.join(',')}`);
  assert.equal(received.join(''), Array.from({ length: 30 }, (_, i) => `k${i * 2}`).join(''));
  await clock.advance(284);
  assert.ok(!program.steps.includes('TERM'), 'not before 300 ms of silence');
  await clock.advance(1);
  assert.deepEqual(await running.exited, { code: 143 });
  assert.deepEqual(program.steps.slice(-3), ['out:Session ends: idle timeout.\r\n', 'TERM', 'exit']);
});

test('maximum duration ends even a busy session, warning first', async () => {
  const program = new FakeProgram(false);
  const { handler, clock } = timed(program, {
    maxSessionDuration: 150,
    timeoutWarning: { message: 'Time is up: {reason}', leadTime: 100 },
  });
  const running = await handler.start({ kind: 'shell' }, frontEnd(program), never);
  const meaningful = (): string[] => program.steps.filter((s) => s !== 'out:.');
  for (let elapsed = 0; elapsed < 200; elapsed += 5) {
    program.io!.stdout.write('.');
    await clock.advance(5);
    if (elapsed + 5 === 45) assert.deepEqual(meaningful(), [], 'no warning before 50 ms');
    if (elapsed + 5 === 50) assert.deepEqual(meaningful(), ['out:Time is up: maximum session duration\r\n']);
    if (elapsed + 5 === 150) assert.deepEqual(meaningful().at(-1), 'TERM');
  }
  assert.equal((await running.exited).code, 137);
  assert.deepEqual(meaningful(), ['out:Time is up: maximum session duration\r\n', 'TERM', 'KILL']);
});

test('a lead time not shorter than the timeout warns at the start (duration) or when ending (idle)', async () => {
  const long = { message: 'bye', leadTime: 5000 };
  const duration = new FakeProgram(true);
  const d = timed(duration, { maxSessionDuration: 60, timeoutWarning: long });
  const io = frontEnd(duration);
  const running = await d.handler.start({ kind: 'shell' }, io, never);
  await d.clock.advance(0);
  assert.equal(io.text(), 'bye\r\n', 'written as soon as the program runs');
  await d.clock.advance(60);
  await running.exited;
  assert.deepEqual(duration.steps, ['out:bye\r\n', 'TERM', 'exit']);

  const idle = new FakeProgram(true);
  const i = timed(idle, { idleTimeout: 40, timeoutWarning: long });
  const idleRunning = await i.handler.start({ kind: 'shell' }, frontEnd(idle), never);
  await i.clock.advance(39);
  assert.deepEqual(idle.steps, [], 'no warning at the start of a silence');
  await i.clock.advance(1);
  await idleRunning.exited;
  assert.deepEqual(idle.steps, ['out:bye\r\n', 'TERM', 'exit']);
});

test('a subsystem gets no warning on its protocol stream; a failed TERM kills at once', async () => {
  const program = new FakeProgram(false, true);
  const { handler, clock } = timed(program, { idleTimeout: 30 });
  const running = await handler.start({ kind: 'subsystem', name: 'sftp' }, frontEnd(program), never);
  await clock.advance(30);
  assert.deepEqual(await running.exited, { code: 137 });
  assert.deepEqual(program.steps, ['KILL']);
});

test('closing the session stops its timers', async () => {
  const program = new FakeProgram(true);
  const { handler, clock } = timed(program, { idleTimeout: 40 });
  await handler.start({ kind: 'shell' }, frontEnd(program), never);
  assert.ok(clock.scheduled > 0);
  await handler.close();
  assert.equal(clock.scheduled, 0);
  await clock.advance(1000);
  assert.deepEqual(program.steps, []);
});

test('with both timeouts off the front end streams reach the backend unchanged', async () => {
  const program = new FakeProgram(true);
  const handler = new TimeoutSessionHandler(program.session(), settings({}), createNullLogger());
  const io = frontEnd(program);
  await handler.start({ kind: 'shell' }, io, never);
  assert.equal(program.io, io);
});

test('the activity view loses no bytes and keeps backpressure in both directions', async () => {
  let slowWrites = 0;
  const got: Buffer[] = [];
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      slowWrites++;
      setImmediate(cb);
    },
  });
  let activity = 0;
  const stdin = new PassThrough({ highWaterMark: 1024 });
  const view = observeActivity({ stdin, stdout: slow, stderr: new PassThrough() }, () => activity++);
  const payload = Buffer.alloc(256 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  let sawBackpressure = false;
  for (let off = 0; off < payload.length; off += 4096) {
    if (!view.stdout.write(payload.subarray(off, off + 4096))) {
      sawBackpressure = true;
      await once(view.stdout, 'drain');
    }
  }
  await new Promise<void>((resolve) => view.stdout.write(Buffer.alloc(0), () => resolve()));
  assert.ok(sawBackpressure, 'a slow front end must push back on the backend');
  assert.ok(Buffer.concat(got).equals(payload));
  assert.ok(slowWrites > 1 && activity > 1);

  stdin.end(payload);
  const inBytes: Buffer[] = [];
  for await (const chunk of view.stdin) inBytes.push(chunk as Buffer);
  assert.ok(Buffer.concat(inBytes).equals(payload));
});

test('output written through the activity view reaches the front end at once, with its own backpressure signal', async () => {
  const seen: string[] = [];
  const front = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, cb) {
      seen.push(chunk.toString());
      setImmediate(cb);
    },
  });
  let activity = 0;
  const view = observeActivity({ stdin: new PassThrough(), stdout: front, stderr: new PassThrough() }, () => activity++);
  assert.equal(view.stdout.write('hello'), false, 'the front end is full: the backend must wait');
  assert.deepEqual(seen, ['hello'], 'nothing is held back in the view');
  await once(view.stdout, 'drain');
  front.end();
  await once(front, 'finish');
  assert.equal(activity, 1);
  assert.equal(view.stdout.writableFinished, true);
});
