# Sourced by the scripts/ensure-*-deps.sh scripts: installs Debian packages a test tier lacks.
#   apt_install_missing <caller name> <package>...
# Needs root (says so, with the command to run, and exits 1 when not). Installs with --no-install-recommends, and
# with a policy-rc.d that refuses service starts, so the packages' own services (dockerd, containerd, prometheus)
# are not started: the tests run their own instances, on their own sockets and ports.

apt_install_missing() {
  local who="$1"; shift
  if [ "$(id -u)" -ne 0 ]; then
    echo "$who: missing $* and not root; install them with: sudo apt-get install -y --no-install-recommends $*" >&2
    exit 1
  fi

  echo "$who: installing $* from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Globals, not locals: the EXIT trap reads them after this function has returned.
  apt_policy_rc=/usr/sbin/policy-rc.d
  apt_created_policy=0
  if [ ! -e "$apt_policy_rc" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$apt_policy_rc"; chmod 0755 "$apt_policy_rc"; apt_created_policy=1
  fi
  trap 'if [ "$apt_created_policy" = 1 ]; then rm -f "$apt_policy_rc"; fi' EXIT
  apt-get install -y -qq --no-install-recommends "$@"
}
