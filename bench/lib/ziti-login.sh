# Sourced by bench/baseline-cli.sh and bench/baseline-import.sh: the controller settings from the environment, the
# private work directory for the ziti CLI, and the admin login without the password on any command line.

# ziti_cli_workspace: checks ZITI_API_HOST / ZITI_USERNAME / ZITI_PASSWORD / ZITI_CA_BUNDLE; sets ZITI (the CLI),
# work (a fresh temporary directory, removed on exit, unless --work named one), ca (ZITI_CA_BUNDLE's absolute path)
# and points the CLI's config at $work/cfg (never the user's ~/.config/ziti).
ziti_cli_workspace() {
    : "${ZITI_API_HOST:?set ZITI_API_HOST to the controller URL}"
    : "${ZITI_USERNAME:?set ZITI_USERNAME}"
    : "${ZITI_PASSWORD:?set ZITI_PASSWORD}"
    : "${ZITI_CA_BUNDLE:?set ZITI_CA_BUNDLE to the controller CA bundle file}"
    ZITI="${ZITI_BIN:-ziti}"
    # Globals, not locals: the EXIT trap reads them after this function has returned.
    cleanup_work=0
    if [ -z "$work" ]; then work="$(mktemp -d)"; cleanup_work=1; fi
    mkdir -p "$work/cfg/ziti" "$work/ids"
    chmod 700 "$work" "$work/ids"
    export XDG_CONFIG_HOME="$work/cfg" HOME="$work" ZITI_CONFIG_DIR="$work/cfg/ziti"
    trap '[ "$cleanup_work" = 1 ] && rm -rf "$work"' EXIT
    ca="$(cd "$(dirname "$ZITI_CA_BUNDLE")" && pwd)/$(basename "$ZITI_CA_BUNDLE")"
}

# ziti_authenticate: one POST /edge/management/v1/authenticate?method=password; prints the controller's JSON answer.
# The body is built by jq from the environment and sent on stdin: the password is on no process' command line
# (any local user reads those in /proc/<pid>/cmdline). Needs ca from ziti_cli_workspace.
ziti_authenticate() {
    jq -n '{username: env.ZITI_USERNAME, password: env.ZITI_PASSWORD}' |
        curl -sS --fail-with-body --cacert "$ca" -H 'content-type: application/json' --data-binary @- \
            "${ZITI_API_HOST%/}/edge/management/v1/authenticate?method=password"
}
