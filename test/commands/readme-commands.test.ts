// The README and docs/ hold true: every `cssh ...` command shown exists with the flags shown, the quick start makes `cssh` callable, and every relative link resolves.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin', 'run.js');

interface ManifestFlag { char?: string; options?: string[]; type: 'boolean' | 'option' }
interface Manifest { commands: Record<string, { flags: Record<string, ManifestFlag> }> }

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as Manifest;
}

interface Shown { file: string; line: number; text: string }

/** Each `cssh ...` invocation in the ```sh blocks of the README and docs/*.md, with where it is. */
function shownCommands(): Shown[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const shown: Shown[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let inShell = false;
    lines.forEach((raw, index) => {
      const fence = /^\s*```(\w*)/.exec(raw);
      if (fence) {
        inShell = !inShell && ['sh', 'bash', 'shell', 'console'].includes(fence[1] ?? '');
        return;
      }
      if (!inShell) return;
      const code = raw.replace(/(^|\s)#.*$/, '');
      // A pipeline or list may hold several commands; cssh's are the segments that start with `cssh`.
      for (const segment of code.split(/\|\||&&|[|;]/)) {
        const text = segment.replace(/\s[12]?>.*$/, '').trim();
        if (/^cssh(\s|$)/.test(text)) shown.push({ file, line: index + 1, text });
      }
    });
  }
  return shown;
}

function words(text: string): string[] {
  return [...text.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0]);
}

test('the README and docs show cssh commands, and each names a real command with real flags', () => {
  const { commands } = manifest();
  const shown = shownCommands();
  assert.ok(shown.length >= 10, `expected the docs to show cssh commands, found ${shown.length}`);
  const problems: string[] = [];
  for (const { file, line, text } of shown) {
    const argv = words(text).slice(1);
    let id = '';
    let used = 0;
    for (let n = 1; n <= argv.length && !argv[n - 1]!.startsWith('-'); n++) {
      const candidate = argv.slice(0, n).join(':');
      if (commands[candidate]) {
        id = candidate;
        used = n;
      }
    }
    const where = `${file}:${line}: ${text}`;
    if (id === '') {
      problems.push(`${where}: no such command`);
      continue;
    }
    const flags = commands[id]!.flags;
    const rest = argv.slice(used);
    if (rest[0] === '--') continue;
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i]!;
      if (word === '--') break;
      if (!word.startsWith('-') || word === '-') continue;
      if (word === '--help' || word === '-h') continue;
      const [name, inline] = word.startsWith('--') ? word.slice(2).split('=', 2) : [word.slice(1), undefined];
      const flag = word.startsWith('--') ? flags[name] : Object.values(flags).find((f) => f.char === name);
      if (flag === undefined) {
        problems.push(`${where}: ${id.replace(':', ' ')} has no flag ${word}`);
        continue;
      }
      if (flag.type === 'option') {
        const value = inline ?? rest[++i];
        if (value === undefined) problems.push(`${where}: ${word} needs a value`);
        else if (flag.options && !flag.options.includes(value)) problems.push(`${where}: ${word} takes ${flag.options.join('|')}, not ${value}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('every command the docs show answers --help through bin/run.js', () => {
  const ids = new Set<string>();
  for (const { text } of shownCommands()) {
    const argv = words(text).slice(1);
    const { commands } = manifest();
    for (let n = argv.length; n >= 1; n--) {
      if (commands[argv.slice(0, n).join(':')]) {
        ids.add(argv.slice(0, n).join(' '));
        break;
      }
    }
  }
  for (const id of ids) {
    const r = spawnSync(process.execPath, [bin, ...id.split(' '), '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, `cssh ${id} --help: ${r.stderr}`);
    assert.match(r.stdout, /USAGE/, `cssh ${id} --help prints its usage`);
  }
});

test('the quick start makes `cssh` callable: an alias to bin/run.js, which is executable', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const quickstart = readme.slice(readme.indexOf('<!-- section: quickstart -->'), readme.indexOf('<!-- /section: quickstart -->'));
  assert.match(quickstart, /^npm ci && \.\/bin\/run\.js serve /m, 'one command installs and runs the server');
  assert.match(quickstart, /^alias cssh="\$PWD\/bin\/run\.js"$/m);
  accessSync(bin, constants.X_OK);
  const firstCssh = readme.search(/^cssh (serve|config|exec-test|image|codes|sweep)\b/m);
  assert.ok(firstCssh === -1 || firstCssh > readme.indexOf('<!-- /section: quickstart -->'), 'no `cssh` command before the quick start defines it');
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replaceAll(' ', '-');
}

function withoutCode(text: string): string {
  return text.replace(/```[\s\S]*?```/g, '');
}

test('every relative link in the README and docs/ points at a file (and heading) that exists', () => {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const file of files) {
    for (const [, link] of withoutCode(readFileSync(join(root, file), 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(link!)) continue;
      const [path = '', anchor] = link!.split('#', 2);
      const target = path === '' ? join(root, file) : join(root, dirname(file), path);
      let text: string | undefined;
      try {
        text = statSync(target).isDirectory() ? '' : readFileSync(target, 'utf8');
      } catch {
        broken.push(`${file}: ${link} (no such file)`);
        continue;
      }
      if (anchor !== undefined && target.endsWith('.md')) {
        const anchors = [...withoutCode(text).matchAll(/^#+ (.*)$/gm)].map((m) => anchorOf(m[1]!));
        if (!anchors.includes(anchor)) broken.push(`${file}: ${link} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
