// Entry of one worker process of serve --workers: waits for the primary's start message, runs a full server, reports.
import { startServe, type RunningServe } from '../app.js';
import { trapStopSignals } from '../cli/stop-signals.js';
import { ReportingLiveConnections } from './cluster-live.js';
import { PrimarySlots } from './cluster-slots.js';
import { ClusterCodes } from './codes.js';
import { forwardEvents } from './event-forwarder.js';
import { isToWorker, type FromWorker, type WorkerStart } from './protocol.js';

/** Sends to the primary; a closed channel (the primary is gone) drops the message. */
function send(message: FromWorker, callback: (error: Error | null) => void = () => undefined): void {
  if (process.send === undefined || !process.connected) {
    callback(null);
    return;
  }
  try {
    process.send(message, undefined, undefined, callback);
  } catch {
    callback(null);
  }
}

// SIGTERM/SIGINT work as in a single process (first drains, second forces): a Ctrl-C reaches every process of the
// group, and an operator may stop one worker, which the primary then replaces. SIGHUP only reopens log files.
const signals = trapStopSignals(() => undefined);
let running: RunningServe | undefined;
let started = false;
const slots = new PrimarySlots((message) => {
  if (process.send === undefined || !process.connected) return false;
  send(message);
  return true;
});

process.on('message', (message: unknown) => {
  if (!isToWorker(message)) return;
  switch (message.t) {
    case 'start':
      if (!started) {
        started = true;
        void run(message.start);
      }
      return;
    case 'stop':
    case 'force':
      if (!started) {
        started = true;
        leave(0, () => Promise.resolve());
        return;
      }
      signals.request();
      if (message.t === 'force') signals.force();
      return;
    case 'slot':
      slots.answer(message.id, message.refused);
      return;
    case 'ready?': {
      const ready = running?.ready() ?? Promise.resolve(false);
      void ready.catch(() => false).then((ok) => send({ t: 'ready', id: message.id, ok }));
      return;
    }
  }
});

send({ t: 'hello' });

// node:cluster makes a worker exit on the spot when its primary goes away, which would leave its containers running;
// this worker drains instead (below), so that listener is replaced.
process.removeAllListeners('disconnect');
process.on('disconnect', () => {
  // The primary was killed: nobody sweeps, counts or replaces any more; end the sessions and leave.
  if (!signals.stopRequested.aborted) process.stderr.write(`cssh serve worker ${process.pid}: CLUSTER_PRIMARY_GONE ${ClusterCodes.CLUSTER_PRIMARY_GONE}\n`);
  signals.request();
  if (!started) process.exit(0);
});

async function run(start: WorkerStart): Promise<void> {
  const forwarder = forwardEvents(send);
  const live = new ReportingLiveConnections((id, on) => send({ t: 'live', id, on }));
  try {
    running = await startServe({
      config: start.config,
      stateDir: start.stateDir,
      instanceId: start.instanceId,
      onlyUser: start.onlyUser,
      stopRequested: signals.stopRequested,
      worker: {
        logLabels: { worker: start.index, pid: process.pid },
        onEvent: forwarder.sink,
        janitor: { live, sweeps: false, onEngine: (connection) => send({ t: 'engine', connection }) },
        slots,
      },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    send({ t: 'failed', code: typeof code === 'string' ? code : 'SERVE_START_FAILED', message: error instanceof Error ? error.message : String(error) });
    leave(3, () => forwarder.flush());
    return;
  }
  send({ t: 'listening', summary: running.summary });
  await signals.untilStopped(running.stop, start.config.ssh.shutdownTimeout);
  leave(0, () => forwarder.flush());
}

/** Ends this worker once the last events are handed to the channel; forced after a second if a handle lingers. */
function leave(code: number, flush: () => Promise<void>): void {
  process.exitCode = code;
  void flush().finally(() => {
    if (process.connected) process.disconnect();
    setTimeout(() => process.exit(), 1_000).unref();
  });
}
