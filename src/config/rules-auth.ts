// Rules for the auth section (reference §5.7 plus cssh's built-in password file and authorized_keys methods).
import { configError, configWarning, type ConfigIssue } from './issues.js';
import { minDurationIssue, pemOrPathIssue, urlIssue } from './rules-common.js';
import { checkTlsChoice } from './rules-http.js';
import type { AuthConfig, WebhookClientConfig } from './types.js';

export function checkAuth(auth: AuthConfig, issues: ConfigIssue[]): void {
  if (auth.password.method === 'webhook') checkWebhook(auth.password.webhook, 'auth.password.webhook', issues);
  if (auth.publicKey.method === 'webhook') checkWebhook(auth.publicKey.webhook, 'auth.publicKey.webhook', issues);
  if (auth.authz.method === 'webhook') checkWebhook(auth.authz.webhook, 'auth.authz.webhook', issues);
  if (auth.password.method === 'kerberos') {
    issues.push(configWarning('AUTH_METHOD_NOT_IMPLEMENTED', 'auth.password.method', 'kerberos is not implemented by cssh; password logins will be refused'));
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
  if (auth.password.method === '' && auth.publicKey.method === '' && auth.keyboardInteractive.method === '') {
    issues.push(configWarning('AUTH_NONE_CONFIGURED', 'auth', 'no authentication method is configured; every login will be refused', {
      hint: 'set auth.password.method or auth.publicKey.method',
    }));
  }
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
  const tls = [client.cacert, client.cert, client.key];
  if ((client.cert === '') !== (client.key === '')) {
    issues.push(configError('CONFIG_TLS_PARTIAL', `${path}.${client.cert === '' ? 'cert' : 'key'}`, 'a client certificate needs both cert and key'));
  }
  ['cacert', 'cert', 'key'].forEach((name, index) => {
    const issue = pemOrPathIssue(tls[index] ?? '', `${path}.${name}`);
    if (issue !== undefined) issues.push(issue);
  });
}
