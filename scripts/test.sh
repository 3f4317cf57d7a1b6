#!/usr/bin/env bash
# npm test: every tier of docs/DESIGN.md section 5, in order, none skipped. Tiers that need the real
# engine or a controller get their tools from scripts/tools.sh and start their own servers.
set -uo pipefail
cd "$(dirname "$0")/.."

tiers=(types unit policy provider e2e kubernetes docker faults overlay apiziti upstream flavor)
if [ $# -gt 0 ]; then tiers=("$@"); fi

passed=0 failed=0 pending=0 broken=()
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

count() { # sum mocha's "N passing/failing/pending" lines of one tier's log
    local n
    n=$(grep -Eo '^ *[0-9]+ passing' "$1" | grep -Eo '[0-9]+' | tail -1); passed=$((passed + ${n:-0}))
    n=$(grep -Eo '^ *[0-9]+ failing' "$1" | grep -Eo '[0-9]+' | tail -1); failed=$((failed + ${n:-0}))
    n=$(grep -Eo '^ *[0-9]+ pending' "$1" | grep -Eo '[0-9]+' | tail -1); pending=$((pending + ${n:-0}))
}

run_tier() {
    local tier=$1 log="$log_dir/$1.log" start=$SECONDS rc
    echo "=== tier: $tier"
    case $tier in
        types) npm run --silent typecheck 2>&1 | tee "$log"; rc=${PIPESTATUS[0]} ;;
        *) npm run --silent "test:$tier" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}; count "$log" ;;
    esac
    echo "=== tier: $tier: exit $rc in $((SECONDS - start))s"
    [ "$rc" -eq 0 ] || broken+=("$tier")
}

if [ ! -d policy/node_modules ]; then
    # The policy pack is its own npm package (the engine loads it from policy/).
    echo "=== installing the policy pack's dependencies (cd policy && npm ci)"
    (cd policy && npm ci --no-audit --no-fund) || { echo "npm ci in policy/ failed" >&2; exit 1; }
fi

if printf '%s\n' "${tiers[@]}" | grep -qE '^(provider|e2e|kubernetes|docker|faults|overlay|apiziti|flavor)$'; then
    # The real engine and the real controller: found on PATH or built once into the cache.
    eval "$(bash scripts/tools.sh env)" || { echo "scripts/tools.sh could not provide the tools" >&2; exit 1; }
fi
# What single tiers need beyond that, so `npm test` alone passes on a fresh machine of this kind:
if printf '%s\n' "${tiers[@]}" | grep -qxE 'kubernetes|apiziti|faults|flavor'; then
    # etcd, kube-apiserver/-controller-manager/-scheduler and kwok (built once into the cache; 25-40 min cold).
    eval "$(bash scripts/tools.sh control-plane)" || { echo "scripts/tools.sh control-plane could not provide the local control plane" >&2; exit 1; }
fi
if printf '%s\n' "${tiers[@]}" | grep -qxE 'kubernetes|faults|flavor'; then
    # Real nodes (faults: a killed run with a real node, test/faults/killedLocalClusters.spec.ts): kubelet, kube-proxy, containerd, CoreDNS (built once into the cache), and Debian's runc, CNI plugins, catatonit.
    eval "$(bash scripts/tools.sh node)" || { echo "scripts/tools.sh node could not provide the node binaries" >&2; exit 1; }
    export SCRAPE_ANYWHERE_NODE_BIN=1
    bash scripts/ensure-node-deps.sh || echo "the real nodes' system packages are missing (see above)" >&2
fi
if printf '%s\n' "${tiers[@]}" | grep -qxE 'overlay|apiziti'; then
    # Debian's prometheus, iproute2 and curl (installed when root; otherwise it prints the apt-get command).
    # Not fatal here: the overlay tier then fails by itself, naming what is missing, and the other tiers still run.
    bash scripts/ensure-overlay-deps.sh || echo "the overlay tier's system packages are missing (see above)" >&2
fi

if printf '%s\n' "${tiers[@]}" | grep -qxE 'flavor|docker'; then
    # The upstream flavor's binaries (Prometheus, node_exporter, configmap-reload), from which the nodes' (and the
    # docker tier's upstream.spec.ts) images are built.
    eval "$(bash scripts/tools.sh workloads)" >/dev/null || echo "scripts/tools.sh workloads could not provide the upstream flavor's binaries" >&2
fi
if printf '%s\n' "${tiers[@]}" | grep -qx upstream; then
    # The Kubernetes analyzer of the upstream tier: checkov from PyPI, pinned, in a venv of the tools cache.
    ck="${XDG_CACHE_HOME:-$HOME/.cache}/scrape-anywhere/checkov"
    if [ ! -x "$ck/bin/checkov" ]; then
        python3 -m venv "$ck" && "$ck/bin/pip" install -q checkov==3.3.30 || echo "could not install checkov 3.3.30 from PyPI (python3-venv needed)" >&2
    fi
    eval "$(bash scripts/tools.sh workloads)" >/dev/null || true
fi
for t in "${tiers[@]}"; do run_tier "$t"; done

echo
if [ ${#broken[@]} -gt 0 ]; then echo "tiers that failed: ${broken[*]}"; fi
if [ "$pending" -gt 0 ]; then echo "pending tests: $pending (a pending test is a defect here: nothing is skipped)"; fi
echo "$passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ] && [ "$failed" -eq 0 ] && [ "$pending" -eq 0 ]
