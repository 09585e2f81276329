// Message codes of the security layer (policy, limits, timeouts), each with the sentence that explains it.

export const SecurityCodes = {
  SECURITY_ENV_REJECTED: 'An environment variable was refused because it does not pass security.env.',
  SECURITY_EXEC_REJECTED: 'A command execution was refused because it does not pass security.command.',
  SECURITY_SHELL_REJECTED: 'A shell request was refused because security.shell does not allow it.',
  SECURITY_SUBSYSTEM_REJECTED: 'A subsystem request was refused because it does not pass security.subsystem.',
  SECURITY_TTY_REJECTED: 'A PTY request was refused because security.tty does not allow it.',
  SECURITY_SIGNAL_REJECTED: 'A signal was refused because it does not pass security.signal.',
  SECURITY_ENV_INVALID:
    'An environment variable was refused because its name is not a valid environment name (empty, or holding "=" or NUL) or its value holds NUL.',
  SECURITY_ENV_RESERVED: 'An environment variable was refused because cssh sets it itself (SSH_ORIGINAL_COMMAND); a client can never supply it.',
  SECURITY_ENV_LIMIT:
    'An environment variable was refused because the session already set security.maxEnvRequests variables or would exceed security.maxEnvBytes bytes.',
  SECURITY_SIGNAL_LIMIT:
    'A signal was refused because security.maxPendingSignals signals of the session are still waiting or being delivered.',
  SECURITY_MAX_SESSIONS: 'A session channel was refused because the connection already has security.maxSessions open sessions.',
  SECURITY_MAX_FORWARDED_CHANNELS:
    'A forwarded connection (direct-tcpip) was refused (ResourceShortage) because the connection already has security.forwarding.maxChannels of them open or being set up.',
  SECURITY_EXEC_FORCING_COMMAND:
    'The requested program was replaced by security.forceCommand; SSH_ORIGINAL_COMMAND carries the original request.',
  SECURITY_EXEC_FAILED_SETENV: 'SSH_ORIGINAL_COMMAND (which security.forceCommand programs rely on) could not be set, so nothing was run.',
  SECURITY_FORWARDING_REJECTED: 'A TCP port forwarding (direct-tcpip) was refused by security.forwarding.forwardingMode.',
  SECURITY_REVERSE_FORWARDING_REJECTED:
    'A reverse port forwarding (tcpip-forward) was refused by security.forwarding.reverseForwardingMode (or, with filter, its bind address is not in reverseForwardingAllow).',
  SECURITY_MAX_FORWARDING_LISTENERS:
    'A reverse port forwarding (tcpip-forward) was refused because the connection already has security.forwarding.maxListeners of them.',
  SECURITY_SOCKET_FORWARDING_REJECTED:
    'A Unix socket forwarding (direct-streamlocal) was refused by security.forwarding.socketForwardingMode.',
  SECURITY_SOCKET_LISTEN_REJECTED: 'A Unix socket listen (streamlocal-forward) was refused by security.forwarding.socketListenMode.',
  SECURITY_X11_FORWARDING_REJECTED: 'An X11 forwarding request was refused by security.forwarding.x11ForwardingMode.',
  SECURITY_AGENT_FORWARDING_REJECTED: 'An SSH agent forwarding request (ssh -A) was refused by security.forwarding.agentForwardingMode; the program gets no SSH_AUTH_SOCK.',
  SECURITY_MAX_CONNECTIONS: 'A connection was refused because security.maxConnections connections are already open.',
  SECURITY_MAX_CONNECTIONS_PER_USER:
    'A connection was refused because this login username already has security.maxConnectionsPerUser open connections.',
  SECURITY_TIMEOUT_WARNING: 'A session is about to be ended by a timeout; the warning line was written to its terminal.',
  SECURITY_IDLE_TIMEOUT: 'A session had no input or output for security.idleTimeout and is being ended (TERM, then KILL).',
  SECURITY_MAX_DURATION: 'A session ran for security.maxSessionDuration and is being ended (TERM, then KILL).',
  SECURITY_TIMEOUT_KILL: 'A session ended by a timeout did not exit within security.terminateGracePeriod after TERM and was killed.',
  SECURITY_TIMEOUT_SIGNAL_FAILED: 'TERM could not be delivered to a session ended by a timeout; it is killed at once.',
} as const;

export type SecurityCode = keyof typeof SecurityCodes;

/** Texts safe to show the SSH user for each refusal (ContainerSSH's wording where it has one). */
export const SecurityUserMessages = {
  SECURITY_ENV_REJECTED: 'Environment variable setting rejected.',
  SECURITY_EXEC_REJECTED: 'Command execution disabled.',
  SECURITY_SHELL_REJECTED: 'Shell execution disabled.',
  SECURITY_SUBSYSTEM_REJECTED: 'Subsystem execution disabled.',
  SECURITY_TTY_REJECTED: 'TTY allocation disabled.',
  SECURITY_SIGNAL_REJECTED: 'Sending signals is rejected.',
  SECURITY_ENV_INVALID: 'Environment variable setting rejected.',
  SECURITY_ENV_RESERVED: 'Environment variable setting rejected.',
  SECURITY_ENV_LIMIT: 'Environment variable setting rejected.',
  SECURITY_SIGNAL_LIMIT: 'Too many signals.',
  SECURITY_MAX_SESSIONS: 'Too many sessions.',
  SECURITY_MAX_FORWARDED_CHANNELS: 'Too many forwarded connections.',
  SECURITY_MAX_FORWARDING_LISTENERS: 'Too many remote forwardings.',
  SECURITY_EXEC_FAILED_SETENV: 'Could not execute program.',
  SECURITY_MAX_CONNECTIONS: 'Too many connections to this server; please try again later.',
  SECURITY_MAX_CONNECTIONS_PER_USER: 'Too many connections for this user; close one and try again.',
} as const satisfies Partial<Record<SecurityCode, string>>;
