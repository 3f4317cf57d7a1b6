#!/usr/bin/env bash
# The strongest hand-run way: one `ziti ops import` of a file that declares every entity (OpenZiti v1.7.2 has it,
# hidden from --help: openziti/ziti ziti/cmd/ascode/importer), one process and one login for all creates; then the
# enrollments the walkthrough does: the identities' one-time tokens read with one `ziti edge list identities -j`, and
# one `ziti edge enroll` per identity (EC keys, like the provider and bench/baseline-cli.sh).
# The bench writes the file from the seed topology (bench/lib/opsImport.ts) and checks that the controller ends up
# with the same entities as after bench/baseline-cli.sh and after `pulumi up`.
#
# Usage: ZITI_API_HOST=https://127.0.0.1:1280 ZITI_USERNAME=admin ZITI_PASSWORD=... ZITI_CA_BUNDLE=ca.pem \
#        bench/baseline-import.sh --file entities.json [--enroll "kubeA.reflect.id kubeA.prometheus.id ..."] [--work DIR]
# On stdout only a summary line:
#   baseline-import: <calls> process calls, <identities> enrolled, <seconds> s
# The password never goes into a command line (any local user reads those in /proc/<pid>/cmdline): the login is one
# POST /authenticate made with curl, the body built by jq from the environment and sent on stdin. `ziti ops import`
# takes no password from the environment (v1.7.2 prompts on a terminal), so it gets the session token with --token.
# The CLI's config goes to a private directory under --work (never the user's ~/.config/ziti).
set -euo pipefail
# shellcheck source=lib/ziti-login.sh
. "$(dirname "$0")/lib/ziti-login.sh"

file=""
enroll=""
work=""
while [ $# -gt 0 ]; do
    case "$1" in
        --file) file="$2"; shift 2 ;;
        --enroll) enroll="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "baseline-import.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$file" ] || { echo "baseline-import.sh: --file is required (the ziti ops import document)" >&2; exit 2; }
ziti_cli_workspace

calls=0
start=$(date +%s.%N)

calls=$((calls + 1))
token="$(ziti_authenticate | jq -er '.data.token')" || { echo "baseline-import.sh: the controller refused the admin login" >&2; exit 1; }

calls=$((calls + 1))
"$ZITI" ops import --controller-url "$ZITI_API_HOST" --token "$token" --read-only=false --ca "$ca" --yes --input-format JSON "$file" >"$work/import.log" 2>&1 ||
    { cat "$work/import.log" >&2; echo "baseline-import.sh: ziti ops import failed" >&2; exit 1; }

n=0
if [ -n "$enroll" ]; then
    names="$(printf '%s\n' $enroll | jq -R . | jq -rs 'map(tojson) | join(", ")')"
    calls=$((calls + 1))
    "$ZITI" edge list identities "name in [$names] limit none" -j >"$work/identities.json"
    for name in $enroll; do
        jq -er --arg n "$name" '.data[] | select(.name == $n) | .enrollment.ott.jwt' "$work/identities.json" >"$work/ids/$name.jwt" ||
            { echo "baseline-import.sh: identity $name has no one-time token after the import" >&2; exit 1; }
        calls=$((calls + 1))
        "$ZITI" edge enroll --jwt "$work/ids/$name.jwt" --out "$work/ids/$name.json" --keyAlg EC --rm >/dev/null
        n=$((n + 1))
    done
fi

end=$(date +%s.%N)
echo "baseline-import: $calls process calls, $n enrolled, $(echo "$end - $start" | bc -l | xargs printf '%.2f') s"
