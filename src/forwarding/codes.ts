// Message codes of forwarding (ssh -L, -W, -R, -A), each with the sentence that explains it to an operator.

export const FORWARDING_CODES = {
  DOCKER_FORWARDING_FAILED:
    'A forwarded connection could not be set up (no running container to forward into, the helper container or its relay did not start, or the destination refused); the client sees "Error setting up the forwarding".',
  FORWARDING_HELPER_STARTED:
    'A forwarding helper container (docker.forwarding.image) was started, joined to the network namespace of the container it serves.',
  FORWARDING_CHANNEL_OPEN: 'A forwarded connection (direct-tcpip) reached its destination inside the container.',
  FORWARDING_CHANNEL_CLOSED: 'A forwarded connection ended.',
  FORWARDING_LISTENER_STARTED: 'A remote forwarding (ssh -R) listens inside the container; each connection it accepts becomes a forwarded-tcpip channel to the client.',
  FORWARDING_AGENT_STARTED:
    'Agent forwarding (ssh -A): an agent socket was made inside the container (SSH_AUTH_SOCK); each connection to it becomes an auth-agent@openssh.com channel to the client.',
  FORWARDING_LISTENER_STOPPED: 'A remote forwarding (ssh -R) was cancelled: it accepts no new connections, open ones go on.',
} as const;

export type ForwardingCode = keyof typeof FORWARDING_CODES;
