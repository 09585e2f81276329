// Server-to-client keepalives with OpenSSH's ClientAliveInterval meaning: 0 disables them, n > 0 pings every n ms.
import ssh2 from 'ssh2';
import type { SshConfig } from '../config/types.js';

/** The static ssh2's server reads when a connection starts; its types do not declare it. */
interface KeepaliveDefaults {
  KEEPALIVE_CLIENT_INTERVAL?: number;
}

/**
 * ssh2's server falls back to its static KEEPALIVE_CLIENT_INTERVAL (15 s) whenever `keepaliveInterval` is absent or
 * not positive, so an interval of 0 cannot be expressed through its options. cssh always passes a positive interval
 * explicitly when it wants keepalives, so that fallback is switched off for the process: a value of 0 there means
 * "no keepalive timer" to ssh2. Harmless if a later ssh2 drops the static.
 */
function disableImplicitKeepalives(): void {
  (ssh2.Server as unknown as KeepaliveDefaults).KEEPALIVE_CLIENT_INTERVAL = 0;
}

/**
 * The ssh2 server options for `ssh.clientAliveInterval` / `ssh.clientAliveCountMax`: with an interval > 0, a
 * `keepalive@openssh.com` request every interval and a disconnect (ssh2 error level "client-timeout") after
 * `clientAliveCountMax` unanswered ones; with 0, none at all.
 */
export function keepaliveOptions(ssh: Pick<SshConfig, 'clientAliveInterval' | 'clientAliveCountMax'>): {
  keepaliveInterval?: number;
  keepaliveCountMax?: number;
} {
  disableImplicitKeepalives();
  if (ssh.clientAliveInterval <= 0) return {};
  return { keepaliveInterval: ssh.clientAliveInterval, keepaliveCountMax: ssh.clientAliveCountMax };
}
