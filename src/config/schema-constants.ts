// Default values shared by the schema and the code that must not load TypeBox (legacy conversion, rules).

/** cssh's idle command: keeps a connection-mode container alive without the guest agent and exits on TERM/INT. */
export const DEFAULT_IDLE_COMMAND = ['/bin/sh', '-c', "trap 'exit 0' TERM INT; while true; do sleep 1000 & wait $!; done"];
export const DEFAULT_IMAGE = 'containerssh/containerssh-guest-image';
