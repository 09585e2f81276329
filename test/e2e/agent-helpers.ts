// Helpers of the agent and Unix-socket forwarding end-to-end tests: a real ssh-agent with one key, ssh with it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, type ProductionServer, type SshResult } from './production-helpers.js';

export interface TestAgent {
  sock: string;
  /** The key's SHA256 fingerprint, as ssh-add -l prints it. */
  fingerprint: string;
  /** The private key file (not passphrase-protected). */
  key: string;
  process: ChildProcess;
}

/** A real ssh-agent on a socket in `dir`, holding one freshly generated key. */
export async function testAgent(dir: string): Promise<TestAgent> {
  const key = join(dir, 'agent-key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cssh-agent-test', '-f', key]);
  const sock = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  await eventually(() => existsSync(sock), 'ssh-agent listening');
  execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  const fingerprint = /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-lf', `${key}.pub`], { encoding: 'utf8' }))?.[0] ?? '';
  assert.ok(fingerprint !== '', 'the key has a fingerprint');
  return { sock, fingerprint, key, process: agent };
}

/** Runs the OpenSSH client with SSH_AUTH_SOCK pointing at the test agent. */
export function sshWithAgent(server: ProductionServer, user: string, agentSock: string, flags: string[], command: string): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = spawn('ssh', [...flags, ...server.srv.sshArgs(user), command], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SSH_AUTH_SOCK: agentSock },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000); // hang guard
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the OpenSSH client in the background with SSH_AUTH_SOCK pointing at the test agent (e.g. a ControlMaster). */
export function sshWithAgentBackground(server: ProductionServer, user: string, agentSock: string, flags: string[]): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn('ssh', [...flags, ...server.srv.sshArgs(user)], { stdio: 'ignore', env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000); // hang guard
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve(code))));
  return { child, done };
}
