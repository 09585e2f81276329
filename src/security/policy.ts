// Pure policy decisions of ContainerSSH's security section: which mode applies to an item and whether a value passes it.
import type { PolicyMode, SecurityConfig, SecurityItem } from '../config/types.js';

export type EffectiveMode = 'enable' | 'filter' | 'disable';

/** The item's own mode, else `defaultMode`, else `enable`. */
export function effectiveMode(mode: PolicyMode, defaultMode: PolicyMode): EffectiveMode {
  if (mode !== '') return mode;
  if (defaultMode !== '') return defaultMode;
  return 'enable';
}

/** env, subsystem and signal: disable refuses all, filter accepts only `allow`, enable refuses only `deny`. */
export function passesList(item: SecurityItem, defaultMode: PolicyMode, value: string): boolean {
  switch (effectiveMode(item.mode, defaultMode)) {
    case 'disable':
      return false;
    case 'filter':
      return item.allow.includes(value);
    case 'enable':
      return !item.deny.includes(value);
  }
}

/** Shell and TTY: only `enable` allows (`filter` means disable). */
export function passesOnOff(item: SecurityItem, defaultMode: PolicyMode): boolean {
  return effectiveMode(item.mode, defaultMode) === 'enable';
}

/** Commands: filter needs the whole command string to equal an `allow` entry; enable has no deny list. */
export function passesCommand(item: SecurityItem, defaultMode: PolicyMode, command: string): boolean {
  switch (effectiveMode(item.mode, defaultMode)) {
    case 'disable':
      return false;
    case 'filter':
      return item.allow.includes(command);
    case 'enable':
      return true;
  }
}

export function allowsEnv(security: SecurityConfig, name: string): boolean {
  return passesList(security.env, security.defaultMode, name);
}

export function allowsExec(security: SecurityConfig, command: string): boolean {
  return passesCommand(security.command, security.defaultMode, command);
}

export function allowsShell(security: SecurityConfig): boolean {
  return passesOnOff(security.shell, security.defaultMode);
}

export function allowsSubsystem(security: SecurityConfig, name: string): boolean {
  return passesList(security.subsystem, security.defaultMode, name);
}

export function allowsTty(security: SecurityConfig): boolean {
  return passesOnOff(security.tty, security.defaultMode);
}

/** Signals by name without "SIG"; the mode comes from `signal.mode` (cssh's decision, reference 8.4.4). */
export function allowsSignal(security: SecurityConfig, name: string): boolean {
  return passesList(security.signal, security.defaultMode, normalizeSignal(name));
}

export function normalizeSignal(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('SIG') ? upper.slice(3) : upper;
}

/** The forwarding section's mode keys (its other keys are the allow-list and the channel cap). */
export type ForwardingKind = 'forwardingMode' | 'reverseForwardingMode' | 'socketForwardingMode' | 'socketListenMode' | 'x11ForwardingMode' | 'agentForwardingMode';

const forwardingCodes = {
  forwardingMode: 'SECURITY_FORWARDING_REJECTED',
  reverseForwardingMode: 'SECURITY_REVERSE_FORWARDING_REJECTED',
  socketForwardingMode: 'SECURITY_SOCKET_FORWARDING_REJECTED',
  socketListenMode: 'SECURITY_SOCKET_LISTEN_REJECTED',
  x11ForwardingMode: 'SECURITY_X11_FORWARDING_REJECTED',
  agentForwardingMode: 'SECURITY_AGENT_FORWARDING_REJECTED',
} as const;

/**
 * Forwarding decisions for the SSH layer: only an explicit `enable` allows (the defaults are `disable`, and
 * `defaultMode` does not reach these). Returns the refusal code, or undefined when allowed.
 */
export function forwardingRefusal(security: SecurityConfig, kind: ForwardingKind): (typeof forwardingCodes)[ForwardingKind] | undefined {
  return security.forwarding[kind] === 'enable' ? undefined : forwardingCodes[kind];
}
