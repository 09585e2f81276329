// What `cssh serve` assumes without a config file: state directory, loopback listen, the invoking user's keys.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/types.js';
import type { SshAuthenticator } from './auth-types.js';

export const DEFAULT_LISTEN = '127.0.0.1:2222';

/** `$XDG_STATE_HOME/cssh`, else `~/.local/state/cssh`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.trim() !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'cssh');
}

/** Whom the zero-config server lets in: the invoking user, with the keys in their ~/.ssh/authorized_keys. */
export function invokingUser(): { name: string; authorizedKeys: string } {
  const info = userInfo();
  return { name: info.username, authorizedKeys: join(info.homedir || homedir(), '.ssh', 'authorized_keys') };
}

/** Zero-config defaults: loopback listen, and public keys from the invoking user's authorized_keys file. */
export function applyZeroConfigDefaults(config: AppConfig, user = invokingUser()): AppConfig {
  return {
    ...config,
    ssh: { ...config.ssh, listen: DEFAULT_LISTEN },
    auth: {
      ...config.auth,
      publicKey: { ...config.auth.publicKey, method: 'authorizedkeys', authorizedKeys: { path: user.authorizedKeys } },
    },
  };
}

/** Lets only `username` log in (the zero-config authorized_keys file belongs to that one user). */
export function restrictToUser(authenticator: SshAuthenticator, username: string): SshAuthenticator {
  const refused = Promise.resolve({ success: false });
  return {
    methods: authenticator.methods,
    password: (req, password, signal) => (req.username === username ? authenticator.password(req, password, signal) : refused),
    publicKey: (req, line, signal) => (req.username === username ? authenticator.publicKey(req, line, signal) : refused),
    authorize: (info, signal) => authenticator.authorize(info, signal),
  };
}
