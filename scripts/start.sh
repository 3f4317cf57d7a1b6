#!/usr/bin/env bash
# npm start: the embedded default on one machine, no cloud, no cluster.
#   1. the tools (scripts/tools.sh: pulumi, its Node.js language host, the kubernetes plugin, ziti)
#   2. a local OpenZiti network (ziti edge quickstart on 127.0.0.1, home .state/ziti/), started or reused
#   3. a local Pulumi state backend in .state/pulumi/ (file://), stack `dev`
#   4. the provider's settings for that network, through ZITI_API_HOST/ZITI_USERNAME/ZITI_PASSWORD/ZITI_CA_BUNDLE
#   5. pulumi up --stack dev --yes --skip-preview: every Ziti entity on the controller, every Kubernetes object
#      rendered to rendered/dev/<cluster>/ (Secrets 0600, folders 0700)
#   6. the stack's human client identities (scrape-anywhere:clientIdentities) enrolled into .state/clients/<name>.json
#      (0600; scripts/enrollClients.ts: the one-time JWT goes through a pipe and a private file, never a command line)
#   7. a summary: per cluster and target, hosted (terminators) / dialable (policies) / scraped (`up` in central, read
#      over Ziti as that client); with pods running it first waits up to SCRAPE_ANYWHERE_START_WAIT seconds (default
#      180: twelve 15s scrape intervals) for every target to be up, showing progress; how to open the UI (`npm run ui`),
#      the manifests, how to tear down, and the dial/bind picture (Mermaid text, SVG file)
# Running it again is a no-op (0 changes). `npm run down` undoes it.
# Exit status: non-zero when a step fails (tools, network, clusters, pulumi up, enrollment) or when the running
# stack's Ziti graph has a gap; targets that are not up by the end of the wait are reported, not fatal (exit 0:
# the deployment is done and a scrape can come later on a loaded machine; `npm run verify` checks again).
#
#   npm start                       the default: like `--clusters local` with real nodes where this machine can run
#                                   them (Linux, root, network namespaces, cgroup v1, the node binaries, every image
#                                   of the stack's flavor built here); elsewhere it says why in one line and renders
#                                   (`--render`)
#   npm start -- --render           render the Kubernetes objects to rendered/dev/ instead, no cluster contacted
#   npm start -- --clusters local   deploy into local Kubernetes control planes (one per
#                                   cluster and one for central: real API servers, controllers, scheduler), started or
#                                   reused by scripts/localClusters.ts in .state/kube/, each with a REAL node (kubelet,
#                                   containerd, kube-proxy, CoreDNS: scripts/lib/node/) that reaches the local Ziti
#                                   network. Falls back to kwok's simulated nodes, saying why in one line, on a machine
#                                   that cannot run them (not Linux, not root, no network namespaces or cgroup v1, node
#                                   binaries missing) or when an image of the stack's flavor cannot be built here (its
#                                   pods could never start: the article flavor's, see README).
#   npm start -- --clusters local --nodes real|kwok   force one kind of node
#
# Settings (environment):
#   PULUMI_CONFIG_PASSPHRASE   passphrase of the dev stack's secrets (default: "scrape-anywhere-dev",
#                              a documented throwaway for this local dev stack only; set your own, or
#                              PULUMI_CONFIG_PASSPHRASE_FILE, before the first run and keep it)
#   SCRAPE_ANYWHERE_BACKEND_URL  another state backend (default file://<repo>/.state/pulumi)
#   SCRAPE_ANYWHERE_ZITI_HOME    another home for the local network (default <repo>/.state/ziti)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
stack=dev
t0=$SECONDS
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
clusters=auto
nodes=${SCRAPE_ANYWHERE_LOCAL_NODES:-auto}
while [ $# -gt 0 ]; do
    case $1 in
        --render) clusters=rendered; shift ;;
        --clusters) clusters=${2:-}; shift $(( $# > 1 ? 2 : 1 )) ;;
        --clusters=*) clusters=${1#*=}; shift ;;
        --nodes) nodes=${2:-}; shift $(( $# > 1 ? 2 : 1 )) ;;
        --nodes=*) nodes=${1#*=}; shift ;;
        *) echo "usage: npm start [-- --render | --clusters local [--nodes auto|real|kwok]]" >&2; exit 2 ;;
    esac
done
case $clusters in auto | rendered | local) ;; *) echo "--clusters takes 'local' or 'rendered' (default: local clusters with real nodes where possible)" >&2; exit 2 ;; esac
case $nodes in auto | real | kwok) ;; *) echo "--nodes takes 'auto', 'real' or 'kwok' (default auto: real where possible)" >&2; exit 2 ;; esac

# Everything this script and pulumi create (state, rendered Secrets with identity keys) is private.
umask 077

say "tools (scripts/tools.sh)"
eval "$(bash scripts/tools.sh env)"
export PATH="$repo/node_modules/.bin:$PATH"
[ -d node_modules ] || { echo "node_modules is missing: run \`npm ci\` first" >&2; exit 1; }
ts() { TS_NODE_TRANSPILE_ONLY=true ts-node "$@"; }

say "local OpenZiti network (.state/ziti)"
# Its settings reach the provider through the environment fallbacks (ZITI_API_HOST, ZITI_USERNAME,
# ZITI_PASSWORD, ZITI_CA_BUNDLE), not the committed Pulumi.dev.yaml: nothing machine-specific or secret
# is written into a tracked file. (A real network is set with `pulumi config set ziti:...` instead.)
# (not `eval "$(...)"`: that hides the command's failure from `set -e`, and a run without the network goes on)
ziti_env=$(ts scripts/localNetwork.ts env) || { echo "the local OpenZiti network did not start (see above)" >&2; exit 1; }
eval "$ziti_env"

say "Pulumi state backend and stack $stack"
export PULUMI_BACKEND_URL="${SCRAPE_ANYWHERE_BACKEND_URL:-file://$repo/.state/pulumi}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    # Documented throwaway default for the local dev stack only (see README); never for real stacks.
    export PULUMI_CONFIG_PASSPHRASE=scrape-anywhere-dev
fi
case $PULUMI_BACKEND_URL in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
# An interrupted earlier run (stale lock, damaged backend metadata, pending operations) is repaired first.
ts scripts/lib/recoverStack.ts up --stack "$stack"
pulumi stack select --create "$stack" --non-interactive >/dev/null

# Plain `npm start`: local clusters with real nodes where they can run here, else render (one line says why).
if [ "$clusters" = auto ] && [ "$nodes" != auto ]; then clusters=local; fi   # --nodes real|kwok: local clusters asked for
if [ "$clusters" = auto ]; then
    if [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ]; then bash scripts/ensure-node-deps.sh >&2 || true; fi
    why=$(mktemp)
    if [ "$(ts scripts/localClusters.ts nodes --stack "$stack" --stack-file "$repo/Pulumi.$stack.yaml" 2>"$why")" = real ]; then
        clusters=local nodes=real
    else
        echo "    rendering instead of running pods: $(tail -n 1 "$why" | sed 's/^kwok nodes: //') (\`npm start -- --render\` always renders)" >&2
        clusters=rendered
    fi
    rm -f "$why"
fi

config_args=()
if [ "$clusters" = local ]; then
    say "local Kubernetes control planes (.state/kube)"
    # The stack's settings plus a kubeconfig per cluster, in .state/kube/ (the tracked Pulumi.dev.yaml stays as it is).
    # Debian's runc, CNI plugins, catatonit, iptables, socat: installed when missing (root). With `auto` a failure here
    # only means kwok nodes (localClusters.ts says why); with `real` it stops.
    if [ "$nodes" = real ]; then bash scripts/ensure-node-deps.sh >&2
    elif [ "$nodes" = auto ] && [ "$(uname -s)" = Linux ] && [ "$(id -u)" = 0 ]; then bash scripts/ensure-node-deps.sh >&2 || true; fi
    local_config=$(ts scripts/localClusters.ts up --stack "$stack" --nodes "$nodes")
    config_args=(--config-file "$local_config")
    # New, empty control planes (localClusters.ts marks them): the state's Kubernetes objects went with the old ones,
    # so this up refreshes first and makes them again (else every create fails: namespace not found).
    fresh_marker="$(dirname "$local_config")/fresh-clusters"
    if [ -f "$fresh_marker" ] && [ -n "$(pulumi stack export --stack "$stack" 2>/dev/null | grep -m1 '"kubernetes:core/v1:Namespace"')" ]; then
        echo "    new control planes: pulumi up --refresh (the objects the state records went with the old ones)" >&2
        config_args+=(--refresh)
    fi
fi

# A cluster reached only over Ziti (clusters[].apiOverZiti) gets a local `ziti tunnel proxy` for the
# length of the up (scripts/apiTunnels.ts); a stack with none (the dev default) runs pulumi as it is.
tunnels=()
if grep -qE '^[^#]*apiOverZiti' "Pulumi.$stack.yaml" 2>/dev/null; then tunnels=(ts scripts/apiTunnels.ts --stack "$stack" --); fi

say "pulumi up --stack $stack"
# --skip-preview: with --yes the preview only runs the program a second time before the update (which checks the
# same inputs itself); an interrupted run's recovery and every warm start pay half as much.
"${tunnels[@]}" pulumi up --stack "$stack" "${config_args[@]}" --yes --skip-preview --non-interactive --suppress-outputs --suppress-progress
[ -z "${fresh_marker:-}" ] || rm -f "$fresh_marker"

# Rendered manifests hold identity keys: files 0600, folders 0700 (umask above; chmod if a tool ignored it).
if [ -d "rendered/$stack" ]; then
    loose=$(find rendered "rendered/$stack" -maxdepth 0 -perm /077 2>/dev/null; find "rendered/$stack" \( -type f -perm /077 \) -o \( -type d -perm /077 \) 2>/dev/null)
    if [ -n "$loose" ]; then
        echo "    tightening modes of $(echo "$loose" | wc -l) rendered paths (files 0600, folders 0700)" >&2
        chmod 700 rendered
        find "rendered/$stack" -type d -exec chmod 700 {} +
        find "rendered/$stack" -type f -exec chmod 600 {} +
    fi
fi

say "client identities (.state/clients)"
# Not fatal: without a client file the summary shows the Ziti graph and says why the scrapes were not read.
ts scripts/enrollClients.ts enroll --stack "$stack" --dir "$repo/.state/clients" || echo "    (the summary cannot read the scrapes without a client identity file)" >&2

say "summary"
# With pods running (real nodes), wait for central's targets to be up; kwok nodes and rendering run no pod.
wait_args=()
kube_home=${SCRAPE_ANYWHERE_KUBE_HOME:-$repo/.state/kube}
if [ "$clusters" = local ] && node -e 'process.exit(require(process.argv[1]).nodes ? 0 : 1)' "$kube_home/run.json" 2>/dev/null; then
    wait_args=(--wait-scrapes "${SCRAPE_ANYWHERE_START_WAIT:-180}")
fi
ts scripts/summary.ts --stack "$stack" --home "$repo" --elapsed "$((SECONDS - t0))" "${wait_args[@]}"
if [ "$clusters" = local ]; then ts scripts/localClusters.ts status; fi
