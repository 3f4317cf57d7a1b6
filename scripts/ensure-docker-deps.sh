#!/usr/bin/env bash
# Installs what the docker test tier (test/docker) needs from Debian, when it is missing:
#   docker.io       - dockerd (and its containerd, runc); the test starts its own private daemon
#   busybox-static  - the statically linked busybox the stand-in image is made of (docker import)
# Idempotent: installs nothing when both are present. Needs root (apt-get); says so when not.
set -euo pipefail
# shellcheck source=lib/apt-install.sh
. "$(dirname "$0")/lib/apt-install.sh"

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" || need+=(busybox-static)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ensure-docker-deps: dockerd and busybox-static present"
  exit 0
fi

# The packages' own docker/containerd services stay stopped (scripts/lib/apt-install.sh): the test runs
# its own daemon on its own socket and data root, and nothing may listen on /var/run/docker.sock.
apt_install_missing ensure-docker-deps "${need[@]}"

command -v dockerd >/dev/null 2>&1 || { echo "ensure-docker-deps: dockerd still not on PATH" >&2; exit 1; }
echo "ensure-docker-deps: ok ($(dockerd --version))"
