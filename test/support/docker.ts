// Gate for the Docker and end-to-end tiers: they skip on a machine without an engine, but never under CI=true.
import { spawnSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';

function probeDocker(): boolean {
  const flag = process.env.CSSH_TEST_DOCKER;
  if (flag === '1') return true;
  if (flag === '0') return false;
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20000 }).status === 0;
}

export const dockerAvailable = probeDocker();

/** Images built by scripts/build-test-images.sh. */
export const TEST_IMAGES = {
  busybox: 'cssh-test/busybox:latest',
  sftp: 'cssh-test/sftp:latest',
  bash: 'cssh-test/bash:latest',
  /** busybox with OpenSSH's ssh-add and ssh-agent (agent and Unix-socket forwarding tests). */
  sshTools: 'cssh-test/ssh-tools:latest',
  /** Node.js only (no shell, no busybox): the forwarding helper image of the tests. */
  node: 'cssh-test/node:latest',
} as const;

type TestFn = (t: TestContext) => Promise<void> | void;

/** Declares a test that needs a real Docker engine. Under CI=true a missing engine is a failure, not a skip. */
/**
 * `todo` names a known, documented bug the test demonstrates: it still runs and reports, but its failure does not fail
 * the run (node:test's todo). Remove it with the fix.
 */
export function dockerTest(name: string, fn: TestFn, options: { timeout?: number; todo?: string } = {}): void {
  if (dockerAvailable) {
    test(name, { timeout: options.timeout ?? 120_000, ...(options.todo === undefined ? {} : { todo: options.todo }) }, fn);
  } else if (process.env.CI === 'true') {
    test(name, () => {
      throw new Error('CI=true but no Docker engine is reachable: this test must run in CI.');
    });
  } else {
    test(name, { skip: 'no Docker engine reachable (start one as .ci/run does; never skipped under CI=true)' }, fn);
  }
}
