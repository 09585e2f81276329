// Message codes of the authentication and config-server clients, each with the sentence the codes doc shows.

/** ContainerSSH's auth and config-webhook codes (same strings), plus cssh's own for the built-in methods. */
export const AUTH_CODES = {
  AUTH: 'cssh is contacting the authentication backend to verify the user credentials.',
  AUTH_SUCCESSFUL: 'The user has provided the correct credentials and the authentication is accepted.',
  AUTH_FAILED: 'The user has provided invalid credentials and the authentication is rejected.',
  AUTHZ_FAILED: 'The authorization server rejected the user.',
  AUTH_INVALID_STATUS:
    'The authentication server returned an HTTP status other than 200; the request is retried until authTimeout.',
  AUTH_BACKEND_ERROR:
    'The authentication server could not be reached or gave no usable answer within authTimeout; the attempt is refused (fail closed).',
  AUTH_RESPONSE_DECODE_FAILED:
    'The authentication server answered 200 with a body that is not the documented JSON (unknown fields are errors); retried.',
  WEBHOOK_REDIRECT_REFUSED:
    'With allowRedirects, an auth or config server redirected to another origin (another host or port, or https to http); the body with passwords and metadata is not re-sent there and the attempt fails at once.',
  AUTH_CONFIG_ERROR: 'The authentication configuration is invalid (for example a TLS certificate that cannot be read).',
  AUTH_DISABLED: 'The authentication method the client tried is not enabled.',
  AUTH_UNSUPPORTED: 'The configured authentication method is accepted in config files but not implemented by cssh.',
  AUTH_USERNAME_INVALID:
    'The login name contains characters that are unsafe in a file path or a password file (such as "/", "..", ":" or control characters); refused.',
  AUTH_KEYS_FILE_UNREADABLE: 'The authorized_keys file for the user is missing or cannot be read; the key is refused.',
  AUTH_KEYS_OPTION_UNSUPPORTED:
    'An authorized_keys line carries a restriction cssh cannot enforce (from=, command=, expiry-time=, principals=, cert-authority); that line is ignored.',
  AUTH_PASSWORDS_FILE_UNREADABLE: 'The password file is missing or cannot be read; the password is refused.',
  AUTH_PASSWORD_HASH_UNSUPPORTED:
    'A password file entry is not a bcrypt ($2a$/$2b$/$2y$), SHA-crypt ($5$/$6$, at most 1,000,000 rounds) or scrypt hash (plain text is never accepted); the password is refused.',
  AUTH_PASSWORD_QUEUE_FULL:
    'Too many password checks were already waiting for a hash worker (bcrypt and SHA-crypt run in worker threads, with a bounded queue); the attempt is refused.',
  CONFIG_REQUEST: 'cssh is asking the configuration server for the per-user configuration.',
  CONFIG_RESPONSE: 'The configuration server returned a per-user configuration.',
  CONFIG_INVALID_STATUS_CODE: 'The configuration server returned an HTTP status other than 200; the request is retried.',
  CONFIG_RESPONSE_DECODE_FAILED:
    'The configuration server answered 200 with a body that is not the documented JSON (unknown fields are errors); retried.',
  CONFIG_BACKEND_ERROR:
    'The configuration server could not be reached or gave no usable answer within 60 seconds; the connection is dropped.',
} as const;

export type AuthCode = keyof typeof AUTH_CODES;
