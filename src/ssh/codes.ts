// The SSH server's message codes (ContainerSSH naming), each with the sentence that explains it to an operator.

export const SshCodes = {
  SSH_LISTEN: 'The SSH server is listening for connections.',
  SSH_CONNECTED: 'A client opened a TCP connection.',
  SSH_DISCONNECTED: 'A client connection ended; everything it created is being removed.',
  SSH_HANDSHAKE_FAILED: 'The SSH handshake with a client failed (protocol or algorithm mismatch, or the client went away).',
  SSH_AUTH_SUCCESSFUL: 'A client authenticated.',
  SSH_AUTH_FAILED: 'An authentication attempt was refused.',
  SSH_AUTH_ERROR: 'An authentication attempt could not be decided (the auth backend failed); it was refused.',
  SSH_AUTH_TOO_MANY_ATTEMPTS: 'A client used up its authentication attempts and was disconnected.',
  SSH_AUTH_INVALID_SIGNATURE: 'A public key signature did not verify; the attempt was refused.',
  SSH_CONFIG_SERVER_REJECTED: 'The configuration server failed or returned an invalid configuration; the connection was closed.',
  SSH_BACKEND_REJECTED_HANDSHAKE: 'The backend could not prepare the connection (image, container or Docker failure); the connection was closed.',
  SSH_POLICY_REFUSAL: 'A security policy refused the connection; the client was told why and disconnected.',
  SSH_CHANNEL_REJECTED: 'A channel open request was refused.',
  SSH_UNSUPPORTED_REQUEST: 'A channel or global request type is not supported and was answered with failure.',
  SSH_REQUEST_FAILED: 'A channel request was refused by the backend or the security policy.',
  SSH_PROGRAM_START_FAILED: 'A program could not be started; the client got the reason on stderr and a non-zero exit status.',
  SSH_EXIT: 'A program exited; its exit status was sent to the client.',
  SSH_CLIENT_ERROR: 'A client connection reported an error (reset, protocol error, keepalive timeout).',
  SSH_KEEPALIVE_NORESP: 'A client did not answer keepalives and was disconnected.',
  SSH_HOSTKEY_GENERATED: 'No host key was configured; cssh generated an Ed25519 host key in its state directory.',
  SSH_HOSTKEY_INVALID: 'A configured host key could not be read or parsed, or is of an unsupported type.',
  SSH_ALGORITHM_UNSUPPORTED: 'A configured cipher, key exchange or MAC is not available in this build.',
  SSH_HOSTKEY_LOADED: 'A host key was loaded.',
  SSH_SHUTDOWN: 'The server is shutting down: it stopped accepting and is ending the open connections.',
  SSH_SHUTDOWN_FORCED: 'Shutdown was forced; open connections were closed and their containers removed.',
  SSH_BACKEND_UNSUPPORTED: 'The configured backend is not docker; cssh serve refuses to start.',
  BACKEND_CONFIG_ERROR: 'The configuration server returned a configuration that does not validate; the connection was dropped.',
} as const;

export type SshCode = keyof typeof SshCodes;
