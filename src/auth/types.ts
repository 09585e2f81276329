// The authentication contract the SSH server codes against: requests, outcomes and the Authenticator itself.
import type { ConnectionInfo, MetadataValue } from '../core/contracts.js';

/** Who is trying to log in, known before authentication. */
export interface AuthRequest {
  /** 32 lowercase hex characters. */
  connectionId: string;
  /** "ip:port", IPv6 in brackets. */
  remoteAddress: string;
  /** The client's SSH version string. */
  clientVersion: string;
  /** Login name as the client sent it. */
  username: string;
}

/**
 * The answer to one authentication or authorization attempt. On success the maps are merged (returned keys win)
 * into the connection's ConnectionInfo by the caller; `environment` reaches the container. `authenticatedUsername`
 * is set only when the backend named one (built-ins name the login user).
 */
export interface AuthOutcome {
  success: boolean;
  /**
   * True when the answer is a refusal only because the backend gave no usable answer (unreachable, non-200, bad
   * body): a backend failure (containerssh_auth_server_failures_total), not a rejected user.
   */
  backendFailed?: boolean;
  authenticatedUsername?: string;
  metadata?: Record<string, MetadataValue>;
  environment?: Record<string, MetadataValue>;
  files?: Record<string, MetadataValue>;
}

/**
 * Checks credentials with the configured method (webhook or built-in). Every method resolves, never rejects:
 * refusals, unreachable auth servers (after retrying within authTimeout) and aborted signals all give
 * `{ success: false }` and are logged. `signal` aborts the attempt (e.g. the client disconnected).
 */
export interface Authenticator {
  /** The SSH methods to offer, in this order; empty when no method is configured. */
  readonly methods: ('password' | 'publickey')[];
  password(req: AuthRequest, password: Buffer, signal: AbortSignal): Promise<AuthOutcome>;
  /** `authorizedKeyLine` is "type base64" without comment. */
  publicKey(req: AuthRequest, authorizedKeyLine: string, signal: AbortSignal): Promise<AuthOutcome>;
  /** Authz after a successful authentication; success with nothing added when authz is not configured. */
  authorize(info: ConnectionInfo, signal: AbortSignal): Promise<AuthOutcome>;
}
