// The authentication contract the SSH server calls: the one src/auth defines and implements (tests fake it too).
export type { AuthOutcome, AuthRequest, Authenticator as SshAuthenticator } from '../auth/types.js';
