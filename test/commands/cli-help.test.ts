// The built `cssh` entry point: help for the root, topics and commands, -h, and a suggestion for a mistyped command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const bin = new URL('../../bin/run.js', import.meta.url).pathname;

function cssh(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.replace(/\s*›\s*/g, ' ') };
}

test('cssh help and cssh -h list the topics and commands', () => {
  for (const args of [['help'], ['-h'], ['--help']]) {
    const { code, out } = cssh(...args);
    assert.equal(code, 0, out);
    assert.match(out, /TOPICS[\s\S]*config\s+Check, migrate and describe configuration files/);
    assert.match(out, /COMMANDS[\s\S]*serve\s/);
  }
});

test('cssh help config and cssh config validate -h describe the topic and the command', () => {
  const topic = cssh('help', 'config');
  assert.equal(topic.code, 0, topic.out);
  assert.match(topic.out, /config validate/);
  const command = cssh('config', 'validate', '-h');
  assert.equal(command.code, 0, command.out);
  assert.match(command.out, /USAGE[\s\S]*cssh config validate/);
});

test('a mistyped command is a usage error that names the closest command', () => {
  for (const [typed, expected] of [[['confg'], 'cssh config'], [['confg', 'validate'], 'cssh config validate'], [['config', 'valdate', 'x.yaml'], 'cssh config validate'], [['serv'], 'cssh serve']] as const) {
    const { code, out } = cssh(...typed);
    assert.equal(code, 64, out);
    assert.match(out.replace(/\s+/g, ' '), new RegExp(`Did you mean "${expected}"\\?`), out);
  }
  const unknown = cssh('zzzzzz');
  assert.equal(unknown.code, 64);
  assert.doesNotMatch(unknown.out, /Did you mean/);
});
