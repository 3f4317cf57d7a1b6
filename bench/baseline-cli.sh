#!/usr/bin/env bash
# The hand-run way, as in the published walkthrough: `ziti edge login`, then one `ziti` CLI call per entity, in
# sequence, for the same Ziti entity set `pulumi up` of the dev stack makes (names of docs/DESIGN.md section 1):
#   per cluster <c>: identities <c>.reflect.id, <c>.prometheus.id (+ <c>.ziti.id for hybrid), each enrolled;
#     intercept.v1 configs <svc>.intercept.v1 (+ <c>.prometheus.svc.host.v1 for hybrid); services <c>.reflect.svc,
#     <c>.reflect.scrape.svc, <c>.prometheus.svc; service policies <c>.reflect.bind/.dial, <c>.prometheus.bind/.dial;
#     <c>.edge-router-policy and <c>.service-edge-router-policy
#   central <n>: <n>.prometheus.id (enrolled), <n>.prometheus.svc.intercept.v1, <n>.prometheus.svc,
#     <n>.prometheus.bind/.dial, <n>.edge-router-policy, <n>.service-edge-router-policy
#   clients: one un-enrolled identity each (JWT kept), clients.edge-router-policy
# Identities are enrolled with `ziti edge enroll` (EC keys, like the provider), because the provider enrolls them too.
# The ziti CLI has no identity type flag in v1.7.2: every identity is of type Default (the provider makes the
# human clients `User`); that does not change the request count.
#
# Usage: ZITI_API_HOST=https://127.0.0.1:1280 ZITI_USERNAME=admin ZITI_PASSWORD=... ZITI_CA_BUNDLE=ca.pem \
#        bench/baseline-cli.sh [--clusters "kubeA:hybrid kubeB:dark"] [--central central] [--clients "dev.client"] \
#                              [--namespace monitoring] [--work DIR]
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

clusters="kubeA:hybrid kubeB:dark"
central="central"
clients="dev.client"
namespace="monitoring"
work=""
verbose=0
while [ $# -gt 0 ]; do
    case "$1" in
        --clusters) clusters="$2"; shift 2 ;;
        --central) central="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --namespace) namespace="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --verbose) verbose=1; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "baseline-cli.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
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

intercept() { # <service> [dial identity]
    local svc="$1" dial="${2:-}" data
    if [ -n "$dial" ]; then
        data="{\"protocols\":[\"tcp\"],\"addresses\":[\"$svc.ziti\"],\"portRanges\":[{\"low\":80,\"high\":80}],\"dialOptions\":{\"identity\":\"$dial\"}}"
    else
        data="{\"protocols\":[\"tcp\"],\"addresses\":[\"$svc.ziti\"],\"portRanges\":[{\"low\":80,\"high\":80}]}"
    fi
    create config "$svc.intercept.v1" intercept.v1 "$data"
}

identity() { # <name> [attributes] ; created, then enrolled
    local name="$1" attrs="${2:-}"
    if [ -n "$attrs" ]; then create identity "$name" -a "$attrs" -o "$work/ids/$name.jwt"
    else create identity "$name" -o "$work/ids/$name.jwt"; fi
    z edge enroll --jwt "$work/ids/$name.jwt" --out "$work/ids/$name.json" --keyAlg EC --rm
}

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

for spec in $clusters; do
    c="${spec%%:*}"
    kind="${spec##*:}"
    identity "$c.reflect.id"
    identity "$c.prometheus.id" "reflectz-clients,prometheus-clients"
    if [ "$kind" = hybrid ]; then identity "$c.ziti.id"; fi

    intercept "$c.reflect.svc"
    intercept "$c.reflect.scrape.svc" "$c.reflect.id"
    if [ "$kind" = hybrid ]; then
        intercept "$c.prometheus.svc"
        create config "$c.prometheus.svc.host.v1" host.v1 "{\"protocol\":\"tcp\",\"address\":\"prometheus.$namespace.svc\",\"port\":80}"
        prom_configs="$c.prometheus.svc.intercept.v1,$c.prometheus.svc.host.v1"
        prom_host="@$c.ziti.id"
    else
        intercept "$c.prometheus.svc" "$c.prometheus.id"
        prom_configs="$c.prometheus.svc.intercept.v1"
        prom_host="@$c.prometheus.id"
    fi

    create service "$c.reflect.svc" --configs "$c.reflect.svc.intercept.v1"
    create service "$c.reflect.scrape.svc" --configs "$c.reflect.scrape.svc.intercept.v1"
    create service "$c.prometheus.svc" --configs "$prom_configs"

    create service-policy "$c.reflect.bind" Bind --semantic AnyOf --service-roles "@$c.reflect.svc,@$c.reflect.scrape.svc" --identity-roles "@$c.reflect.id"
    create service-policy "$c.reflect.dial" Dial --semantic AnyOf --service-roles "@$c.reflect.svc,@$c.reflect.scrape.svc" --identity-roles "#reflectz-clients"
    create service-policy "$c.prometheus.bind" Bind --semantic AnyOf --service-roles "@$c.prometheus.svc" --identity-roles "$prom_host"
    create service-policy "$c.prometheus.dial" Dial --semantic AnyOf --service-roles "@$c.prometheus.svc" --identity-roles "#prometheus-clients"

    ids="@$c.reflect.id,@$c.prometheus.id"
    if [ "$kind" = hybrid ]; then ids="$ids,@$c.ziti.id"; fi
    create edge-router-policy "$c.edge-router-policy" --semantic AnyOf --edge-router-roles "#all" --identity-roles "$ids"
    create service-edge-router-policy "$c.service-edge-router-policy" --semantic AnyOf --edge-router-roles "#all" \
        --service-roles "@$c.reflect.svc,@$c.reflect.scrape.svc,@$c.prometheus.svc"
done

if [ -n "$central" ]; then
    n="$central"
    identity "$n.prometheus.id" "reflectz-clients,prometheus-clients"
    intercept "$n.prometheus.svc" "$n.prometheus.id"
    create service "$n.prometheus.svc" --configs "$n.prometheus.svc.intercept.v1"
    create service-policy "$n.prometheus.bind" Bind --semantic AnyOf --service-roles "@$n.prometheus.svc" --identity-roles "@$n.prometheus.id"
    create service-policy "$n.prometheus.dial" Dial --semantic AnyOf --service-roles "@$n.prometheus.svc" --identity-roles "#prometheus-clients"
    create edge-router-policy "$n.edge-router-policy" --semantic AnyOf --edge-router-roles "#all" --identity-roles "@$n.prometheus.id"
    create service-edge-router-policy "$n.service-edge-router-policy" --semantic AnyOf --edge-router-roles "#all" --service-roles "@$n.prometheus.svc"
fi

client_roles=""
for cl in $clients; do
    # Human clients stay un-enrolled: the JWT is what they get.
    create identity "$cl" -a "reflectz-clients,prometheus-clients" -o "$work/ids/$cl.jwt"
    client_roles="${client_roles:+$client_roles,}@$cl"
done
if [ -n "$client_roles" ]; then
    create edge-router-policy "clients.edge-router-policy" --semantic AnyOf --edge-router-roles "#all" --identity-roles "$client_roles"
fi

end=$(date +%s.%N)
echo "baseline: $calls ziti calls, $entities entities, $(echo "$end - $start" | bc -l | xargs printf '%.2f') s"
