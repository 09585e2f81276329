// Renders `config validate` and `config migrate` results for people (colour-aware text) and for GitHub Actions.
import type { ConfigIssue } from '../config/issues.js';
import type { MigrationNote } from '../config/legacy.js';
import type { ValidateReport } from '../config/validate-files.js';

/** The colours the renderers use; identity functions when colour is off. */
export interface Painter {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plainPainter: Painter = { red: (t) => t, yellow: (t) => t, green: (t) => t, dim: (t) => t, bold: (t) => t };

/** Colour for a TTY (or FORCE_COLOR), never when NO_COLOR is set (https://no-color.org); chalk is loaded only then. */
export async function painterFor(stream: NodeJS.WriteStream): Promise<Painter> {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  const force = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0' && process.env.FORCE_COLOR !== 'false';
  if (noColor || (stream.isTTY !== true && !force)) return plainPainter;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { red: chalk.red, yellow: chalk.yellow, green: chalk.green, dim: chalk.dim, bold: chalk.bold };
}

function where(issue: ConfigIssue): string {
  return [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
}

/** One issue as two or three human lines: location, severity, path and message; then expected/found; then the hint. */
export function renderIssue(issue: ConfigIssue, paint: Painter): string[] {
  const label = issue.severity === 'error' ? paint.red('error') : paint.yellow('warning');
  const path = issue.path === '' ? '' : `${paint.bold(issue.path)}: `;
  const lines = [`${paint.dim(where(issue))}: ${label} ${path}${issue.message} ${paint.dim(`[${issue.code}]`)}`];
  const details: string[] = [];
  if (issue.expected !== undefined) details.push(`expected ${issue.expected}`);
  if (issue.found !== undefined && !issue.message.includes(issue.found)) details.push(`found ${issue.found}`);
  if (details.length > 0) lines.push(`    ${details.join('; ')}`);
  if (issue.hint !== undefined) lines.push(`    ${paint.green('hint:')} ${issue.hint}`);
  return lines;
}

export function renderValidateText(report: ValidateReport, paint: Painter): string {
  const lines: string[] = [];
  for (const file of report.files) {
    for (const issue of file.issues) lines.push(...renderIssue(issue, paint));
    const counts = `${file.errors} error${file.errors === 1 ? '' : 's'}, ${file.warnings} warning${file.warnings === 1 ? '' : 's'}`;
    let verdict: string;
    if (!file.readable) verdict = paint.red('unreadable');
    else if (file.valid) verdict = paint.green('valid');
    else verdict = paint.red('invalid');
    lines.push(`${paint.bold(file.file)}: ${verdict} (${counts})`);
  }
  return lines.join('\n');
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=CODE::message`. */
export function renderValidateGithub(report: ValidateReport): string {
  const lines: string[] = [];
  for (const file of report.files) {
    for (const issue of file.issues) {
      const props = [`file=${escapeProperty(issue.file ?? file.file)}`];
      if (issue.line !== undefined) props.push(`line=${issue.line}`);
      if (issue.column !== undefined) props.push(`col=${issue.column}`);
      props.push(`title=${escapeProperty(issue.code)}`);
      const extra = [issue.expected === undefined ? '' : ` (expected ${issue.expected})`, issue.hint === undefined ? '' : ` hint: ${issue.hint}`].join('');
      const path = issue.path === '' ? '' : `${issue.path}: `;
      lines.push(`::${issue.severity} ${props.join(',')}::${escapeData(`${path}${issue.message}${extra}`)}`);
    }
  }
  return lines.join('\n');
}

const NOTE_LABELS: Record<MigrationNote['kind'], (paint: Painter) => string> = {
  change: (paint) => paint.green('changed'),
  note: (paint) => paint.yellow('note'),
  warning: (paint) => paint.red('warning'),
};

/**
 * Migration notes for stderr: `change` lines are edits, `note` lines are choices worth knowing about, `warning`
 * lines are choices that depended on a ContainerSSH version the file did not show.
 */
export function renderMigrationNotes(file: string, notes: MigrationNote[], paint: Painter): string {
  return notes.map((note) => `${paint.dim(file)}: ${NOTE_LABELS[note.kind](paint)} ${paint.bold(note.path)}: ${note.message}`).join('\n');
}
