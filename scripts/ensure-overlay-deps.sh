#!/usr/bin/env bash
# Installs what the overlay test tier (test/overlay) needs from Debian, when it is missing:
#   prometheus  - the real scraper the test drives (run as a plain process, not as a service)
#   iproute2    - `ip netns` / veth for the test's network namespaces
#   curl        - reads Prometheus' API inside the central namespace
# Idempotent: installs nothing when both are present. Needs root (apt-get); says so when not.
set -euo pipefail
# shellcheck source=lib/apt-install.sh
. "$(dirname "$0")/lib/apt-install.sh"

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ensure-overlay-deps: prometheus, iproute2 and curl present"
  exit 0
fi

# --no-install-recommends keeps out the node exporter and the web assets; the package's own prometheus
# service stays stopped (scripts/lib/apt-install.sh): the test runs its own instance.
apt_install_missing ensure-overlay-deps "${need[@]}"

command -v prometheus >/dev/null 2>&1 || { echo "ensure-overlay-deps: prometheus still not on PATH" >&2; exit 1; }
for c in ip curl; do command -v "$c" >/dev/null 2>&1 || { echo "ensure-overlay-deps: $c still not on PATH" >&2; exit 1; }; done
echo "ensure-overlay-deps: ok ($(prometheus --version 2>&1 | head -1))"
