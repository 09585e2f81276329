// Rules for security.forwarding: allow-list patterns that parse, a cap of -1 or more, and a filter with nothing to allow.
import { parseTargetPattern } from '../forwarding/target-pattern.js';
import { configError, configWarning, describeValue, type ConfigIssue } from './issues.js';
import type { SecurityConfig } from './types.js';

export function checkForwarding(forwarding: SecurityConfig['forwarding'], issues: ConfigIssue[]): void {
  for (const key of ['forwardingAllow', 'reverseForwardingAllow'] as const) {
    forwarding[key].forEach((text, index) => {
      const parsed = parseTargetPattern(text);
      if (typeof parsed !== 'string') return;
      issues.push(configError('CONFIG_INVALID_VALUE', `security.forwarding.${key}[${index}]`, parsed, {
        found: describeValue(text),
        hint: 'for example "localhost:8080", "127.0.0.1:*" or "*:8000-8100"',
      }));
    });
  }
  if (forwarding.maxListeners < -1) {
    issues.push(configError('CONFIG_OUT_OF_RANGE', 'security.forwarding.maxListeners', 'must be at least -1 (-1 = unlimited)', {
      expected: '>= -1', found: String(forwarding.maxListeners),
    }));
  }
  if (forwarding.maxChannels < -1) {
    issues.push(configError('CONFIG_OUT_OF_RANGE', 'security.forwarding.maxChannels', 'must be at least -1 (-1 = unlimited)', {
      expected: '>= -1', found: String(forwarding.maxChannels),
    }));
  }
  if (forwarding.forwardingMode === 'filter' && forwarding.forwardingAllow.length === 0) {
    issues.push(configWarning('SECURITY_FORWARDING_FILTER_EMPTY', 'security.forwarding.forwardingAllow', 'forwardingMode is filter but no destination is allowed, so every forwarding is refused', {
      hint: 'list destinations such as "localhost:8080", or set forwardingMode: disable',
    }));
  }
  for (const key of ['agentForwardingMode', 'socketForwardingMode', 'socketListenMode'] as const) {
    if (forwarding[key] !== 'filter') continue;
    issues.push(configWarning('SECURITY_FORWARDING_FILTER_UNSUPPORTED', `security.forwarding.${key}`, `${key} has no allow-list, so filter refuses every request (as disable does)`, {
      hint: 'use enable or disable',
    }));
  }
  if (forwarding.forwardingMode !== 'filter' && forwarding.forwardingAllow.length > 0) {
    issues.push(configWarning('SECURITY_FORWARDING_ALLOW_UNUSED', 'security.forwarding.forwardingAllow', `forwardingAllow only applies with forwardingMode: filter (it is ${forwarding.forwardingMode === '' ? 'unset' : forwarding.forwardingMode})`, {
      hint: 'set forwardingMode: filter',
    }));
  }
}
