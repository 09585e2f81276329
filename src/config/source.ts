// Reads a configuration file (or stdin) and parses it as YAML or JSON with the yaml library, keeping the Document
// and a LineCounter so any dotted option path can be mapped back to file:line:column.
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { configError, type ConfigIssue } from './issues.js';

/** A parsed configuration file. `data` is the plain value (null for an empty file). */
export interface ParsedSource {
  name: string;
  json: boolean;
  doc: Document;
  lineCounter: LineCounter;
  data: unknown;
}

export type ParseResult =
  | { ok: true; source: ParsedSource; issues: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[] };

const MAX_ALIASES = 100;

/** Reads a file, or stdin for "-"; failures come back as CONFIG_UNREADABLE issues, never as exceptions. */
export async function readSource(file: string): Promise<{ text: string } | { issue: ConfigIssue }> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStdin() : await readFile(file);
  } catch (error) {
    return { issue: unreadable(file, readErrorText(error)) };
  }
  if (bytes.includes(0)) return { issue: unreadable(file, 'the file is binary, not YAML or JSON text') };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { issue: unreadable(file, 'the file is not UTF-8 text') };
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function readErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'this is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

function unreadable(file: string, message: string, line?: number, column?: number): ConfigIssue {
  return configError('CONFIG_UNREADABLE', '', message, {
    file: displayName(file),
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
  });
}

export function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

/** Parses YAML, or JSON when the name ends in .json; syntax errors are CONFIG_UNREADABLE, duplicate keys CONFIG_DUPLICATE_KEY. */
export function parseSource(text: string, file: string): ParseResult {
  const name = displayName(file);
  const lineCounter = new LineCounter();
  if (file.toLowerCase().endsWith('.json')) {
    const jsonIssue = strictJsonIssue(text, file);
    if (jsonIssue !== undefined) return { ok: false, issues: [jsonIssue] };
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' });
  const issues: ConfigIssue[] = [];
  for (const error of doc.errors) {
    const pos = lineCounter.linePos(error.pos[0]);
    const message = error.message.split('\n')[0] ?? error.message;
    if (error.code === 'DUPLICATE_KEY') {
      const key = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*?)(?=\s*:)/.exec(text.slice(error.pos[0]))?.[0].trim() ?? '';
      const what = key === '' || key.length > 80 ? 'a key' : `the key ${JSON.stringify(key.replace(/^["']|["']$/g, ''))}`;
      issues.push(configError('CONFIG_DUPLICATE_KEY', '', `${what} appears twice in the same mapping`, { file: name, line: pos.line, column: pos.col, hint: 'keep one of them' }));
    } else {
      return { ok: false, issues: [unreadable(file, `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${message}`, pos.line, pos.col)] };
    }
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /excessive alias count/i.test(message)
      ? 'too many alias expansions (a YAML alias bomb?)'
      : message.replace(/^Unresolved alias \(the anchor must be set before the alias\): (\S+)/, 'the alias $1 refers to no anchor defined before it');
    return { ok: false, issues: [unreadable(file, reason)] };
  }
  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    return { ok: false, issues: [unreadable(file, `expected a YAML/JSON mapping of options, found ${Array.isArray(data) ? 'a list' : 'a single value'}`, 1, 1)] };
  }
  return { ok: true, source: { name, json: file.toLowerCase().endsWith('.json'), doc, lineCounter, data }, issues };
}

/**
 * A .json file must be JSON, as ContainerSSH's decoder demands: the YAML parser would read a `// comment` or a
 * trailing comma as data. Returns the problem with its position, or undefined for valid JSON (and empty text).
 */
function strictJsonIssue(text: string, file: string): ConfigIssue | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const comment = firstCommentOffset(text);
    const offset = comment ?? Number(/at position (\d+)/.exec(String(error))?.[1] ?? 0);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = (before[before.length - 1]?.length ?? 0) + 1;
    const reason = comment === undefined ? (error instanceof Error ? error.message : String(error)) : 'comments are not allowed in JSON';
    return unreadable(file, `not valid JSON: ${reason}`, line, column);
  }
}

/** The offset of the first // or /* outside a JSON string, if any. */
function firstCommentOffset(text: string): number | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return i;
  }
  return undefined;
}

/** The 1-based line and column of the node a dotted path names, or of its nearest ancestor present in the file. */
export function locate(source: ParsedSource, path: string): { line: number; column: number } | undefined {
  let node: unknown = source.doc.contents;
  let best = rangeOf(node);
  const segments = path === '' ? [] : path.split('.');
  let index = 0;
  let keyRange: number | undefined;
  while (index < segments.length && node !== null && node !== undefined) {
    const step = stepInto(node, segments, index);
    if (step === undefined) break;
    index = step.next;
    node = step.node;
    keyRange = step.keyRange;
    best = rangeOf(step.node) ?? step.keyRange ?? best;
  }
  // A mapping or list, or a parent of something missing, is best shown at its key.
  if (keyRange !== undefined && (index < segments.length || isMap(node) || isSeq(node) || node === null)) best = keyRange;
  if (best === undefined) return undefined;
  const pos = source.lineCounter.linePos(best);
  return { line: pos.line, column: pos.col };
}

function rangeOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}

function stepInto(node: unknown, segments: string[], index: number): { node: unknown; next: number; keyRange: number | undefined } | undefined {
  if (isSeq(node)) {
    const item: unknown = node.items[Number(segments[index])];
    return item === undefined ? undefined : { node: item, next: index + 1, keyRange: rangeOf(item) };
  }
  if (!isMap(node)) return undefined;
  for (let end = segments.length; end > index; end -= 1) {
    const wanted = segments.slice(index, end).join('.').toLowerCase();
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value).toLowerCase() === wanted);
    if (pair !== undefined) return { node: pair.value, next: end, keyRange: rangeOf(pair.key) };
  }
  return undefined;
}
