// Rules for the auth section (ContainerSSH's methods plus cssh's built-in password file and authorized_keys methods).
import { configError, configWarning, type ConfigIssue } from './issues.js';
import { minDurationIssue, urlIssue } from './rules-common.js';
import { checkTlsChoice } from './rules-http.js';
import type { AuthConfig, WebhookClientConfig } from './types.js';

/** The login methods a config turns on: those cssh serves, and those it accepts but does not implement. */
export interface LoginMethods {
  /** 'password' and/or 'publickey'. */
  usable: ('password' | 'publickey')[];
  /** Option paths of methods cssh does not implement, e.g. 'auth.gssapi.method (kerberos)'. */
  unimplemented: string[];
}

export function loginMethods(auth: AuthConfig): LoginMethods {
  const usable: LoginMethods['usable'] = [];
  if (auth.publicKey.method === 'webhook' || auth.publicKey.method === 'authorizedkeys') usable.push('publickey');
  if (auth.password.method === 'webhook' || auth.password.method === 'passwords') usable.push('password');
  const unimplemented: string[] = [];
  if (auth.password.method === 'kerberos') unimplemented.push('auth.password.method (kerberos)');
  if (auth.gssapi.method === 'kerberos') unimplemented.push('auth.gssapi.method (kerberos)');
  if (auth.keyboardInteractive.method === 'oauth2') unimplemented.push('auth.keyboardInteractive.method (oauth2)');
  return { usable, unimplemented };
}

/** Why nobody could log in with this config (serve refuses it), or undefined when some login method works. */
export function noLoginReason(auth: AuthConfig): { code: 'AUTH_NONE_CONFIGURED' | 'AUTH_NO_USABLE_METHOD'; message: string } | undefined {
  const { usable, unimplemented } = loginMethods(auth);
  if (usable.length > 0) return undefined;
  if (unimplemented.length === 0) return { code: 'AUTH_NONE_CONFIGURED', message: 'no authentication method is configured, so every login would be refused' };
  return {
    code: 'AUTH_NO_USABLE_METHOD',
    message: `no login method cssh implements is configured (${unimplemented.join(', ')} ${unimplemented.length === 1 ? 'is' : 'are'} not implemented), so every login would be refused`,
  };
}

const LOGIN_HINT = 'set auth.password.method (webhook or passwords) or auth.publicKey.method (webhook or authorizedkeys)';

export function checkAuth(auth: AuthConfig, issues: ConfigIssue[]): void {
  if (auth.password.method === 'webhook') checkWebhook(auth.password.webhook, 'auth.password.webhook', issues);
  if (auth.publicKey.method === 'webhook') checkWebhook(auth.publicKey.webhook, 'auth.publicKey.webhook', issues);
  if (auth.authz.method === 'webhook') checkWebhook(auth.authz.webhook, 'auth.authz.webhook', issues);
  if (auth.password.method === 'kerberos') {
    issues.push(configWarning('AUTH_METHOD_NOT_IMPLEMENTED', 'auth.password.method', 'kerberos is not implemented by cssh; password logins will be refused'));
  }
  if (auth.gssapi.method === 'kerberos') {
    issues.push(configWarning('AUTH_METHOD_NOT_IMPLEMENTED', 'auth.gssapi.method', 'kerberos is not implemented by cssh; GSSAPI (Kerberos ticket) logins will be refused'));
  }
  if (auth.keyboardInteractive.method === 'oauth2') {
    issues.push(configWarning('AUTH_METHOD_NOT_IMPLEMENTED', 'auth.keyboardInteractive.method', 'oauth2 is not implemented by cssh; keyboard-interactive logins will be refused'));
  }
  if (auth.password.method === 'passwords' && auth.password.passwords.file === '') {
    issues.push(configError('AUTH_CONFIG_INVALID', 'auth.password.passwords.file', 'the passwords method needs a file', {
      hint: 'a file of username:hash lines (bcrypt, e.g. from htpasswd -nbB)',
    }));
  }
  if (auth.publicKey.method === 'authorizedkeys') checkAuthorizedKeys(auth.publicKey.authorizedKeys.path, issues);
  const none = noLoginReason(auth);
  if (none !== undefined) issues.push(configWarning(none.code, 'auth', `${none.message}; cssh serve will refuse to start`, { hint: LOGIN_HINT }));
}

function checkAuthorizedKeys(path: string, issues: ConfigIssue[]): void {
  if (path === '') {
    issues.push(configError('AUTH_CONFIG_INVALID', 'auth.publicKey.authorizedKeys.path', 'the authorizedkeys method needs a path', {
      hint: 'for example /etc/cssh/keys/{username}.pub',
    }));
  } else if (!path.includes('{username}')) {
    issues.push(configWarning('AUTH_CONFIG_SHARED_KEYS', 'auth.publicKey.authorizedKeys.path', 'the path has no {username}, so every login name accepts the same keys'));
  }
}

/** Webhook and config-server clients share these checks. */
export function checkWebhook(client: WebhookClientConfig | (Omit<WebhookClientConfig, 'authTimeout'> & { authTimeout?: number }), path: string, issues: ConfigIssue[]): void {
  const url = urlIssue(client.url, `${path}.url`);
  if (url !== undefined) issues.push(url);
  const timeout = minDurationIssue(client.timeout, 100, `${path}.timeout`, false);
  if (timeout !== undefined) issues.push(timeout);
  if (client.authTimeout !== undefined) {
    const authTimeout = minDurationIssue(client.authTimeout, 100, `${path}.authTimeout`, false);
    if (authTimeout !== undefined) issues.push(authTimeout);
  }
  checkTlsChoice(client, path, issues);
  if ((client.cert === '') !== (client.key === '')) {
    issues.push(configError('CONFIG_TLS_PARTIAL', `${path}.${client.cert === '' ? 'cert' : 'key'}`, 'a client certificate needs both cert and key'));
  }
}
