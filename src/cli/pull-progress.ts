// Renders image pull events: a live per-layer ora spinner on a TTY, one plain line per layer status change otherwise.
import type { CsshEvent, EventSink } from '../core/events.js';

/** A progress view fed with lifecycle events. `stop` ends the spinner; call it once, whatever happened. */
export interface PullProgressView {
  onEvent: EventSink;
  stop(): void;
}

interface LayerState {
  status: string;
  current?: number;
  total?: number;
}

const MAX_LAYERS_SHOWN = 8;

/** Formats bytes the way docker pull does (kB/MB/GB, decimal). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function layerLine(layer: string, state: LayerState): string {
  const amount =
    state.current !== undefined && state.total !== undefined && state.total > 0
      ? ` ${formatBytes(state.current)}/${formatBytes(state.total)}`
      : '';
  return `${layer}: ${state.status}${amount}`;
}

/** A view for a non-TTY stream: prints a line when a layer's status text changes (not on every byte count). */
export function createPlainPullProgress(write: (line: string) => void): PullProgressView {
  const last = new Map<string, string>();
  return {
    onEvent: (event: CsshEvent) => {
      if (event.type === 'phase-start' && event.phase === 'pull') write(`pulling ${event.detail ?? ''}`.trimEnd());
      if (event.type !== 'pull-progress') return;
      const key = event.layer === '' ? event.status : event.layer;
      if (last.get(key) === event.status) return;
      last.set(key, event.status);
      write(event.layer === '' ? event.status : `${event.layer}: ${event.status}`);
    },
    stop: () => undefined,
  };
}

/** A view for a TTY: one ora spinner whose text lists every layer with its status and byte counts. */
export async function createTtyPullProgress(stream: NodeJS.WritableStream, title: string): Promise<PullProgressView> {
  const { default: ora } = await import('ora');
  const spinner = ora({ stream, text: title }).start();
  const layers = new Map<string, LayerState>();
  let header = title;
  let stopped = false;
  const redraw = (): void => {
    const entries = [...layers.entries()];
    const shown = entries.slice(-MAX_LAYERS_SHOWN).map(([layer, state]) => `  ${layerLine(layer, state)}`);
    const hidden = entries.length - shown.length;
    spinner.text = [header, ...(hidden > 0 ? [`  (${hidden} more layers)`] : []), ...shown].join('\n');
  };
  const onEvent = (event: CsshEvent): void => {
    if (stopped) return;
    if (event.type === 'phase-start') {
      header = event.phase === 'pull' ? `pulling ${event.detail ?? ''}` : `checking ${event.detail ?? ''}`;
      redraw();
    } else if (event.type === 'phase-end' && event.phase === 'pull') {
      stopped = true;
      const summary = `${event.ok ? 'pulled' : 'pull failed:'} ${event.detail ?? ''} (${layers.size} layers, ${event.ms} ms)`;
      if (event.ok) spinner.succeed(summary);
      else spinner.fail(summary);
    } else if (event.type === 'pull-progress' && event.layer !== '' && !/^Pulling from /.test(event.status)) {
      layers.set(event.layer, {
        status: event.status,
        ...(event.current === undefined ? {} : { current: event.current }),
        ...(event.total === undefined ? {} : { total: event.total }),
      });
      redraw();
    }
  };
  return {
    onEvent,
    stop: () => {
      if (!stopped) spinner.stop();
      stopped = true;
    },
  };
}
