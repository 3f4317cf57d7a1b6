#!/usr/bin/env bash
# Installs what the local clusters' real nodes (scripts/lib/node/) need from Debian, when it is missing:
#   runc                         - the OCI runtime containerd's runc shim starts containers with
#   containernetworking-plugins  - the CNI plugins bridge, host-local, loopback and portmap (/usr/lib/cni)
#   catatonit                    - a tiny init, imported as the pods' pause image (it pauses with -P)
#   busybox-static               - its wget, copied into the local prometheus and node-exporter images for their exec probes
#   iproute2                     - `ip netns` for the nodes' network namespaces
#   iptables                     - kube-proxy's Service rules inside each node's namespace
#   curl                         - the kubernetes tier asks the `kubernetes` ClusterIP from a node namespace
#   socat                        - relays 127.0.0.1:<port> of the root namespace to an API server in the run's namespace (npm start)
# containerd itself, the kubelet, kube-proxy and CoreDNS are built by scripts/tools.sh (tools.sh node).
# Idempotent: installs nothing when all are present. Needs root (apt-get); says so when not.
set -euo pipefail
# shellcheck source=lib/apt-install.sh
. "$(dirname "$0")/lib/apt-install.sh"

need=()
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
[ -x /usr/bin/catatonit ] || need+=(catatonit)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v socat >/dev/null 2>&1 || need+=(socat)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ensure-node-deps: runc, CNI plugins, catatonit, busybox, iproute2 and iptables present"
  exit 0
fi

apt_install_missing ensure-node-deps "${need[@]}"

for c in runc ip iptables; do command -v "$c" >/dev/null 2>&1 || { echo "ensure-node-deps: $c still not on PATH" >&2; exit 1; }; done
for f in /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback /usr/bin/catatonit /bin/busybox; do
  [ -x "$f" ] || { echo "ensure-node-deps: $f still missing" >&2; exit 1; }
done
echo "ensure-node-deps: ok ($(runc --version | head -1))"
