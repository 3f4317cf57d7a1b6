#!/usr/bin/env bash
# Installs what the overlay test tier (test/overlay) needs from Debian, when it is missing:
#   prometheus  - the real scraper the test drives (run as a plain process, not as a service)
#   iproute2    - `ip netns` / veth for the test's network namespaces
#   curl        - reads Prometheus' API inside the central namespace
# Idempotent: installs nothing when both are present. Needs root (apt-get); says so when not.
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ensure-overlay-deps: prometheus, iproute2 and curl present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-overlay-deps: missing ${need[*]} and not root; install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "ensure-overlay-deps: installing ${need[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends keeps out the node exporter and the web assets; policy-rc.d keeps the
# package's own prometheus service from being started (the test runs its own instance).
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy_rc"; chmod 0755 "$policy_rc"; created_policy=1
fi
trap 'if [ "$created_policy" = 1 ]; then rm -f "$policy_rc"; fi' EXIT
apt-get install -y -qq --no-install-recommends "${need[@]}"

command -v prometheus >/dev/null 2>&1 || { echo "ensure-overlay-deps: prometheus still not on PATH" >&2; exit 1; }
for c in ip curl; do command -v "$c" >/dev/null 2>&1 || { echo "ensure-overlay-deps: $c still not on PATH" >&2; exit 1; }; done
echo "ensure-overlay-deps: ok ($(prometheus --version 2>&1 | head -1))"
