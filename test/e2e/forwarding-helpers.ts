// Helpers of the forwarding end-to-end tests: an echo server in the container, free ports, transfers, helper lookup.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { TEST_IMAGES } from '../support/docker.js';
import { eventually, ssh, sshBackground, startServer, type ProductionServer, type SshResult } from './production-helpers.js';

/** An echo server on the container's port 8080 (busybox nc), then "ready" once it listens; stdin ends the session. */
export const ECHO_SERVER =
  'nc -ll -p 8080 -e /bin/cat </dev/null >/dev/null 2>&1 & ' +
  "until grep -qs ':1F90 0*:0000 0A' /proc/net/tcp /proc/net/tcp6; do usleep 20000; done; echo ready; read x";

export const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A port the OS says is free on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Sends `data` to 127.0.0.1:port, half-closes, and resolves with everything the far side sent until it closed. */
export function echoThrough(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.end(data);
  });
}

export function helpersOf(user: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=cssh.user=${user}`, '--filter', 'label=cssh.role=forwarding'], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
}

export async function forwardingServer(mode: 'connection' | 'session', forwarding: Record<string, unknown> = { forwardingMode: 'enable' }): Promise<ProductionServer> {
  return startServer(
    { security: { forwarding }, docker: { forwarding: { image: TEST_IMAGES.node } } },
    { mode, image: TEST_IMAGES.busybox },
  );
}

/** An OpenSSH client running in the background, as sshBackground returns it. */
export type SshClient = ReturnType<typeof sshBackground>;

/**
 * Starts `user`'s ControlMaster client (its socket in `dir`) running `program`, which prints "ready" once set up, and
 * resolves once it has; the client is killed after the test.
 */
export async function startMaster(t: TestContext, server: ProductionServer, user: string, dir: string, program: string, flags: string[] = []): Promise<{ master: SshClient; control: string }> {
  const control = join(dir, `ctl-${user}`);
  const master = sshBackground(server, user, [program], [...flags, '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}`]);
  t.after(() => master.child.kill('SIGKILL'));
  await eventually(() => master.output().includes('ready'), `${user}'s session ready (${master.errors()})`, 60_000);
  return { master, control };
}

/** `ssh -O forward|cancel -L|-R spec` through the master at `control`. */
export function muxForward(server: ProductionServer, user: string, control: string, op: 'forward' | 'cancel', direction: '-L' | '-R', spec: string): Promise<SshResult> {
  return ssh(server, user, [], { flags: ['-o', `ControlPath=${control}`, '-O', op, direction, spec] });
}

/** Through the master at `control`, `-R 0:127.0.0.1:target`: resolves with the port the server allocated inside. */
export async function remoteForwardTo(server: ProductionServer, user: string, control: string, target: number): Promise<number> {
  const forward = await muxForward(server, user, control, 'forward', '-R', `0:127.0.0.1:${target}`);
  assert.equal(forward.code, 0, forward.stderr);
  const port = Number(forward.stdout.trim());
  assert.ok(Number.isInteger(port) && port > 0, `the allocated port is printed (${forward.stdout})`);
  return port;
}
