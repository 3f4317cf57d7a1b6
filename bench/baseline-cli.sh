#!/usr/bin/env bash
# The hand-run way, as in the published walkthrough: `ziti edge login`, then one `ziti` CLI call per entity, in
# sequence, and `ziti edge enroll` (EC keys, like the provider) right after each identity the provider enrolls.
# The calls are not written here: the bench writes them from the program's own plan (bench/lib/cliCalls.ts over
# plan/places.ts), one line per call (`create <noun> <args...>` or `enroll <identity>`), so this script makes the
# same entities as `pulumi up` of the same stack config. The ziti CLI has no identity type flag in v1.7.2: every
# identity is of type Default (the provider makes the human clients `User`); that does not change the request count.
#
# Usage: ZITI_API_HOST=https://127.0.0.1:1280 ZITI_USERNAME=admin ZITI_PASSWORD=... ZITI_CA_BUNDLE=ca.pem \
#        bench/baseline-cli.sh --calls calls.sh [--work DIR] [--verbose]
# Prints one line per CLI call to stderr with --verbose; on stdout only a summary line:
#   baseline: <calls> ziti calls, <entities> entities, <seconds> s
# The CLI's login config goes to a private ZITI_CONFIG_DIR under --work (never the user's ~/.config/ziti).
# The password never goes into a command line (any local user reads those in /proc/<pid>/cmdline): `ziti edge login`
# v1.7.2 takes it only as `-p` or from a terminal prompt (openziti/ziti ziti/cmd/edge/login.go), so the login is
# the same one request made with curl, the body built by jq from the environment and sent on stdin, and the session
# token written into the CLI's config file (ziti-cli.json, format of openziti/ziti ziti/util/identities.go).
set -euo pipefail
# shellcheck source=lib/ziti-login.sh
. "$(dirname "$0")/lib/ziti-login.sh"

calls_file=""
work=""
verbose=0
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls_file="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --verbose) verbose=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "baseline-cli.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$calls_file" ] || { echo "baseline-cli.sh: --calls is required (written by the bench from the plan)" >&2; exit 2; }
ziti_cli_workspace

calls=0
entities=0
z() {
    calls=$((calls + 1))
    if [ "$verbose" = 1 ]; then echo "+ ziti $*" >&2; fi
    "$ZITI" "$@" >/dev/null
}
# An entity create: one `ziti edge create ...` call.
create() { entities=$((entities + 1)); z edge create "$@"; }

# An enrollment of an identity created before: one `ziti edge enroll` call (EC keys, like the provider).
enroll() { z edge enroll --jwt "$work/ids/$1.jwt" --out "$work/ids/$1.json" --keyAlg EC --rm; }

# `ziti edge login` without the password on its command line: one POST /authenticate (counted as one call), the
# token saved where the CLI reads its login. Only non-secret values are arguments; the password and token pass
# through environment, stdin and pipes.
login() {
    calls=$((calls + 1))
    if [ "$verbose" = 1 ]; then echo "+ login (password from the environment, on stdin)" >&2; fi
    local api="${ZITI_API_HOST%/}/edge/management/v1"
    ziti_authenticate |
        jq --arg url "$api" --arg user "$ZITI_USERNAME" --arg ca "$ca" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
            'if (.data.token | type) == "string" then
                 {edgeIdentities: {default: {url: $url, username: $user, token: .data.token, loginTime: $at, caCert: $ca, readOnly: false}}, default: "default", layout: 1}
             else error("the controller refused the admin login: \(.error.code // "no token")") end' \
            >"$ZITI_CONFIG_DIR/ziti-cli.json"
    chmod 600 "$ZITI_CONFIG_DIR/ziti-cli.json"
}

start=$(date +%s.%N)
login

# shellcheck disable=SC1090
. "$calls_file"

end=$(date +%s.%N)
echo "baseline: $calls ziti calls, $entities entities, $(echo "$end - $start" | bc -l | xargs printf '%.2f') s"
