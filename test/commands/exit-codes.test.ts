// The exit-code table is the one source: every command is in it, its help and docs/exit-codes.md show it, no command
// exits with a number of its own, usage errors are 64 (125 in exec-test), and every --json output is one envelope.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { COMMANDS, EXIT_CODES, exitCodesHelp, exitCodesMarkdown, exitCodesOf, type CommandName } from '../../src/cli/exit-codes.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin/run.js');

function cssh(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('every command is in the table, and its help lists its rows of it', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { description?: string }> };
  const ids = Object.keys(manifest.commands).map((id) => id.replaceAll(':', ' ')).sort();
  assert.deepEqual(ids, [...COMMANDS].sort(), 'the commands of the CLI and of the exit-code table are the same');
  for (const command of COMMANDS) {
    assert.ok(exitCodesOf(command).some((entry) => entry.code === 0), `${command} can succeed`);
    const description = (manifest.commands[command.replaceAll(' ', ':')]?.description ?? '').replace(/\s+/g, ' ');
    assert.ok(description.includes(exitCodesHelp(command)), `${command}'s help lists its exit codes`);
  }
});

test('docs/exit-codes.md carries the table as generated, and cssh --help lists every code', () => {
  const doc = readFileSync(join(root, 'docs/exit-codes.md'), 'utf8');
  assert.ok(doc.includes(exitCodesMarkdown()), 'regenerate the table in docs/exit-codes.md from src/cli/exit-codes.ts (exitCodesMarkdown)');
  const help = cssh(['--help']);
  assert.equal(help.code, 0);
  const section = help.stdout.slice(help.stdout.indexOf('EXIT CODES'));
  for (const entry of EXIT_CODES) assert.match(section, new RegExp(`^ {2}${entry.code}\\s`, 'm'), `cssh --help lists ${entry.code}`);
});

test('no command picks an exit code of its own: every one comes from ExitCode', () => {
  const offenders: string[] = [];
  for (const file of [...files(join(root, 'src/commands')), ...files(join(root, 'src/cli')), ...files(join(root, 'src/hooks'))]) {
    if (file.endsWith('exit-codes.ts')) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
      if (/(exitCode\s*[=:]\s*\d|exit:\s*\d|process\.exit\(\d)/.test(line)) offenders.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('usage errors: 64 with a fix for every command, 125 for exec-test; the same as a --json envelope', () => {
  for (const command of COMMANDS) {
    const words = command.split(' ');
    const expected = command === 'exec-test' ? 125 : 64;
    assert.ok(exitCodesOf(command).some((entry) => entry.code === expected), `${command} lists ${expected}`);
    const human = cssh([...words, '--no-such-flag']);
    assert.equal(human.code, expected, `${command}: ${human.stderr}`);
    assert.match(human.stderr, new RegExp(`^cssh ${command}: Nonexistent flag: --no-such-flag\\n {2}fix: run "cssh ${command} --help"`, 'm'));
    const json = cssh([...words, '--no-such-flag', '--json']);
    assert.equal(json.code, expected);
    assert.deepEqual(JSON.parse(json.stdout), {
      ok: false, command, exitCode: expected,
      error: { code: 'USAGE', message: 'Nonexistent flag: --no-such-flag', fix: 'run the command with --help for its flags and arguments' },
    });
  }
  const missingArg = cssh(['config', 'migrate']);
  assert.equal(missingArg.code, 64, 'a missing argument is a usage error');
  const badOption = cssh(['config', 'validate', '--format', 'xml', 'x.yaml']);
  assert.equal(badOption.code, 64, 'a bad option value is a usage error');
  assert.equal(cssh(['confg']).code, 64, 'an unknown command is a usage error');
});

test('the --json envelope: {ok, command, exitCode} and the command\'s own fields; codes outside the table never appear', () => {
  const runs: [CommandName, string[], number][] = [
    ['codes', ['codes', '--json'], 0],
    ['config schema', ['config', 'schema', '--json'], 0],
    ['config validate', ['config', 'validate', '--json', '/nonexistent/cssh.yaml'], 2],
    ['config migrate', ['config', 'migrate', '--json', '/nonexistent/cssh.yaml'], 2],
    ['healthcheck', ['healthcheck', '--json', '--config', '/nonexistent/cssh.yaml'], 1],
  ];
  for (const [command, args, expected] of runs) {
    const r = cssh(args);
    assert.equal(r.code, expected, `${command}: ${r.stderr}`);
    assert.ok(exitCodesOf(command).some((entry) => entry.code === r.code), `${command} exited ${r.code}, which its table rows list`);
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual([body.ok, body.command, body.exitCode], [expected === 0, command, expected], command);
  }
  const schema = JSON.parse(cssh(['config', 'schema', '--json']).stdout) as { schema: { $schema: string } };
  assert.match(schema.schema.$schema, /json-schema\.org/);
  const failed = JSON.parse(cssh(['healthcheck', '--json', '--config', '/nonexistent/cssh.yaml']).stdout) as { error: { code: string; message: string; fix: string } };
  assert.equal(failed.error.code, 'CONFIG_UNREADABLE');
  assert.match(failed.error.fix, /cssh config validate/);
});
