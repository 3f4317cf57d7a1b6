#!/usr/bin/env bash
# npm run down: undo `npm start`. Destroys the dev stack (every Ziti entity it made on the local
# network, every rendered manifest under rendered/dev/), removes the client identity files npm start enrolled
# (.state/clients/), stops the local clusters and then the local OpenZiti network.
#   npm run down               keep .state/ziti (the next `npm start` reuses its PKI and database)
#   npm run down -- --purge    also remove .state/ziti and the dev stack's Pulumi state
# Same settings as scripts/start.sh (PULUMI_CONFIG_PASSPHRASE, SCRAPE_ANYWHERE_BACKEND_URL, SCRAPE_ANYWHERE_ZITI_HOME).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
stack=dev
purge=false
for a in "$@"; do
    case $a in
        --purge) purge=true ;;
        *) echo "usage: npm run down [-- --purge]" >&2; exit 2 ;;
    esac
done
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
umask 077

eval "$(bash scripts/tools.sh env)"
export PATH="$repo/node_modules/.bin:$PATH"
ts() { TS_NODE_TRANSPILE_ONLY=true ts-node "$@"; }
export PULUMI_BACKEND_URL="${SCRAPE_ANYWHERE_BACKEND_URL:-file://$repo/.state/pulumi}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE=scrape-anywhere-dev
fi

# The network must answer for the provider to delete the Ziti entities: `up` reuses it when it runs and starts it
# when it was stopped. Its settings reach the provider through the environment, and they are set BEFORE the
# recovery, so the recovery's sweep and the destroy act on the same controller (recoverStack.ts prints which),
# never on one the caller's shell happens to name in ZITI_*.
# (not `eval "$(...)"`: that hides the command's failure from `set -e`, and a run without the network goes on)
ziti_env=$(ts scripts/localNetwork.ts env) || { echo "the local OpenZiti network did not start (see above)" >&2; exit 1; }
eval "$ziti_env"
ts scripts/lib/recoverStack.ts down --stack "$stack"   # an interrupted run: lock, metadata, pending ops, unrecorded entities
if pulumi stack ls --json 2>/dev/null | grep -q "\"name\": \"$stack\""; then
    # Clusters reached only over Ziti are destroyed through the same local tunnels as `up` (scripts/apiTunnels.ts).
    tunnels=()
    if grep -qE '^[^#]*apiOverZiti' "Pulumi.$stack.yaml" 2>/dev/null; then tunnels=(ts scripts/apiTunnels.ts --stack "$stack" --); fi
    say "pulumi destroy --stack $stack"
    "${tunnels[@]}" pulumi destroy --stack "$stack" --yes --skip-preview --non-interactive --suppress-progress
    # The client identities npm start enrolled were destroyed with the stack: their files go too.
    ts scripts/enrollClients.ts prune --dir "$repo/.state/clients"
    if $purge; then
        pulumi stack rm "$stack" --yes --non-interactive --preserve-config
    fi
else
    say "no stack $stack in $PULUMI_BACKEND_URL: nothing to destroy"
fi

if [ -f "${SCRAPE_ANYWHERE_KUBE_HOME:-.state/kube}/run.json" ]; then
    say "stopping the local Kubernetes control planes (npm start -- --clusters local)"
    ts scripts/localClusters.ts down
fi
# The ports earlier control planes used (localClusters.ts avoids them while a state may name them): the stack is gone.
rm -f "${SCRAPE_ANYWHERE_KUBE_HOME:-.state/kube}.ports.json"

say "stopping the local OpenZiti network"
if $purge; then ts scripts/localNetwork.ts down --purge; else ts scripts/localNetwork.ts down; fi
# The kubernetes plugin deletes the rendered files, not their folders.
[ -d "rendered/$stack" ] && find "rendered/$stack" -depth -type d -empty -delete
rmdir rendered 2>/dev/null || true
echo "Down. \`npm start\` brings it all back." >&2
