// The authentication contract the SSH server calls (implemented by src/auth; fakes in tests).
import type { ConnectionInfo, MetadataValue } from '../core/contracts.js';

/** Who is trying to log in, as the webhooks and built-in methods need it. */
export interface AuthRequest {
  connectionId: string;
  remoteAddress: string;
  clientVersion: string;
  username: string;
}

/** The decision of one authentication step, with what it adds to the connection's metadata. */
export interface AuthOutcome {
  success: boolean;
  authenticatedUsername?: string;
  metadata?: Record<string, MetadataValue>;
  environment?: Record<string, MetadataValue>;
  files?: Record<string, MetadataValue>;
}

/**
 * Decides logins. Calls may block on webhooks (bounded by their authTimeout) and must honour `signal`.
 * A rejected promise is treated as a refusal (fail closed).
 */
export interface SshAuthenticator {
  /** The methods offered to clients, in order. */
  readonly methods: readonly ('password' | 'publickey')[];
  password(req: AuthRequest, password: Buffer, signal: AbortSignal): Promise<AuthOutcome>;
  /** `authorizedKeyLine` is "type base64" without a comment. The SSH layer verifies the signature itself. */
  publicKey(req: AuthRequest, authorizedKeyLine: string, signal: AbortSignal): Promise<AuthOutcome>;
  /** Authorization after a successful login; resolves { success: true } when none is configured. */
  authorize(info: ConnectionInfo, signal: AbortSignal): Promise<AuthOutcome>;
}
