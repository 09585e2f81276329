// Renders exec-test: an ora spinner per lifecycle phase on a TTY, then the timing breakdown and the verdict.
import chalk from 'chalk';
import type { CsshEvent, EventSink } from '../core/events.js';
import type { ExecTestResult } from './exec-test-run.js';

const PHASE_TEXT: Record<string, string> = {
  connect: 'connecting to the Docker engine',
  'image-check': 'checking the image',
  pull: 'pulling the image',
  create: 'creating the container',
  start: 'starting the container',
  exec: 'starting the program',
  remove: 'removing the container',
};

export interface PhaseSpinner {
  onEvent: EventSink;
  /** Stops the spinner for good (before program output, and at the end). */
  stop(): void;
}

/** An ora spinner on `stream` whose text follows the phase in progress. */
export async function createPhaseSpinner(stream: NodeJS.WritableStream): Promise<PhaseSpinner> {
  const { default: ora } = await import('ora');
  const spinner = ora({ stream, text: PHASE_TEXT.connect }).start();
  let stopped = false;
  return {
    onEvent: (event: CsshEvent) => {
      if (stopped || event.type !== 'phase-start') return;
      spinner.text = `${PHASE_TEXT[event.phase] ?? event.phase}${event.detail === undefined ? '' : ` ${event.detail}`}`;
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      spinner.stop();
    },
  };
}

/** Lines for stderr: per-phase timings, smoke checks, and the verdict (or the error with its code). */
export function renderExecTest(r: ExecTestResult): string[] {
  const lines: string[] = [];
  if (r.checks !== undefined) {
    for (const c of r.checks) lines.push(`${c.ok ? chalk.green('✔') : chalk.red('✖')} ${c.name.padEnd(18)} ${String(c.ms).padStart(6)} ms  ${c.detail}`);
  }
  lines.push(chalk.bold(`timings (${r.mode} mode, ${r.image}):`));
  for (const p of r.phases) {
    const count = p.count > 1 ? ` (${p.count}x)` : '';
    lines.push(`  ${p.phase.padEnd(12)} ${String(p.ms).padStart(6)} ms${count}${p.ok ? '' : chalk.red('  failed')}`);
  }
  lines.push(`  ${'total'.padEnd(12)} ${String(r.totalMs).padStart(6)} ms`);
  if (r.error !== undefined) lines.push(chalk.red(`exec-test failed: ${r.error.message} [${r.error.code}]`));
  else if (r.interrupted) lines.push(chalk.yellow('exec-test interrupted; the container was removed'));
  else if (r.checks !== undefined) lines.push(r.ok ? chalk.green('smoke test passed: this configuration works') : chalk.red('smoke test failed'));
  else lines.push(`program exited with status ${r.programExitCode ?? 'unknown'}`);
  return lines;
}
