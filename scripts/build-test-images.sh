#!/usr/bin/env bash
# Builds the small local images the Docker and end-to-end tests use (no registry needed): busybox, busybox+sftp, busybox+bash, busybox+ssh-add, node.
set -euo pipefail
have() { docker image inspect "$1" >/dev/null 2>&1; }
root_with_busybox() {
  local r; r=$(mktemp -d)
  mkdir -p "$r/bin" "$r/tmp" "$r/etc" "$r/root" "$r/usr/bin" "$r/usr/lib/openssh"
  chmod 1777 "$r/tmp"
  cp /bin/busybox "$r/bin/"
  chroot "$r" /bin/busybox --install -s /bin
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
  echo 'root:x:0:' > "$r/etc/group"
  echo "$r"
}
copy_with_libs() { # copy_with_libs ROOT BINARY [DEST]
  local r=$1 bin=$2 dest=${3:-$2}
  mkdir -p "$r$(dirname "$dest")"; cp "$bin" "$r$dest"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do mkdir -p "$r$(dirname "$lib")"; cp -L "$lib" "$r$lib"; done
}
if ! have cssh-test/busybox:latest; then
  r=$(root_with_busybox)
  tar -C "$r" -c . | docker import -c 'CMD ["/bin/sh"]' - cssh-test/busybox:latest >/dev/null
  rm -rf "$r"
fi
if ! have cssh-test/sftp:latest; then
  r=$(root_with_busybox)
  copy_with_libs "$r" /usr/lib/openssh/sftp-server
  tar -C "$r" -c . | docker import -c 'CMD ["/bin/sh"]' - cssh-test/sftp:latest >/dev/null
  rm -rf "$r"
fi
if ! have cssh-test/bash:latest; then
  r=$(root_with_busybox)
  copy_with_libs "$r" /usr/lib/openssh/sftp-server
  copy_with_libs "$r" /bin/bash /usr/bin/bash
  ln -sf /usr/bin/bash "$r/bin/bash"
  echo 'root:x:0:0:root:/root:/bin/bash' > "$r/etc/passwd"
  tar -C "$r" -c . | docker import -c 'CMD ["/bin/bash"]' - cssh-test/bash:latest >/dev/null
  rm -rf "$r"
fi
if ! have cssh-test/ssh-tools:latest; then
  # busybox with OpenSSH's ssh-add and ssh-agent: the agent and Unix-socket forwarding tests list keys inside.
  r=$(root_with_busybox)
  copy_with_libs "$r" /usr/bin/ssh-add
  copy_with_libs "$r" /usr/bin/ssh-agent
  echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >> "$r/etc/passwd"
  echo 'nogroup:x:65534:' >> "$r/etc/group"
  tar -C "$r" -c . | docker import -c 'CMD ["/bin/sh"]' - cssh-test/ssh-tools:latest >/dev/null
  rm -rf "$r"
fi
if ! have cssh-test/node:latest; then
  # Node.js and the libraries it links, nothing else (no shell): the forwarding helper image of the tests.
  r=$(mktemp -d); mkdir -p "$r/tmp"; chmod 1777 "$r/tmp"
  copy_with_libs "$r" "$(readlink -f "$(command -v node)")" /usr/bin/node
  tar -C "$r" -c . | docker import -c 'CMD ["/usr/bin/node"]' - cssh-test/node:latest >/dev/null
  rm -rf "$r"
fi
echo "test images ready: cssh-test/busybox cssh-test/sftp cssh-test/bash cssh-test/ssh-tools cssh-test/node"
