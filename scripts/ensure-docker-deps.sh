#!/usr/bin/env bash
# Installs what the docker test tier (test/docker) needs from Debian, when it is missing:
#   docker.io       - dockerd (and its containerd, runc); the test starts its own private daemon
#   busybox-static  - the statically linked busybox the stand-in image is made of (docker import)
# Idempotent: installs nothing when both are present. Needs root (apt-get); says so when not.
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" || need+=(busybox-static)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ensure-docker-deps: dockerd and busybox-static present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-docker-deps: missing ${need[*]} and not root; install them with: sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi

echo "ensure-docker-deps: installing ${need[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the packages' own docker/containerd services from being started: the test runs
# its own daemon on its own socket and data root, and nothing may listen on /var/run/docker.sock.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy_rc"; chmod 0755 "$policy_rc"; created_policy=1
fi
trap 'if [ "$created_policy" = 1 ]; then rm -f "$policy_rc"; fi' EXIT
apt-get install -y -qq --no-install-recommends "${need[@]}"

command -v dockerd >/dev/null 2>&1 || { echo "ensure-docker-deps: dockerd still not on PATH" >&2; exit 1; }
echo "ensure-docker-deps: ok ($(dockerd --version))"
