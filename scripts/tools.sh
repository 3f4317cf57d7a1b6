#!/usr/bin/env bash
# Finds or builds the tools scrape-anywhere runs with: the Pulumi CLI with its
# Node.js language host and dynamic-provider host, the Kubernetes resource
# plugin, and the OpenZiti `ziti` CLI.
#
#   bash scripts/tools.sh                 ensure every tool (and the Kubernetes plugin in PULUMI_HOME)
#   bash scripts/tools.sh env             ensure, then print `export` lines: eval "$(bash scripts/tools.sh env)"
#   bash scripts/tools.sh path pulumi     ensure only pulumi, print the absolute path of its binary
#   bash scripts/tools.sh path ziti       ensure only ziti, print the absolute path of its binary
#   bash scripts/tools.sh path kubernetes ensure the Kubernetes plugin, print its installed binary
#   bash scripts/tools.sh path docker     ensure the Docker plugin (bridged from the Terraform provider;
#                                         not part of the default ensure), print its installed binary
#   bash scripts/tools.sh control-plane   ensure etcd, kube-apiserver, kube-controller-manager,
#                                         kube-scheduler and kwok (local clusters), print `export` lines
#   bash scripts/tools.sh path prometheus|node_exporter|configmap-reload
#                                         ensure one binary of the upstream flavor's images, print its path
#   bash scripts/tools.sh workloads       ensure all three (the local image builder packs them), print `export` lines
#   bash scripts/tools.sh node            ensure the real nodes' kubelet, kube-proxy, kubectl (same module as the control plane),
#                                         containerd (+ shim, ctr) and CoreDNS, print `export` lines
#   bash scripts/tools.sh all             ensure every tool above, the control plane, the nodes, the Docker plugin and the
#                                         upstream flavor's binaries (CI)
#
# Each tool is taken from PATH when present (official installs), else from the
# versioned cache ~/.cache/scrape-anywhere/tools/<tool>-<version>/bin, else it
# is built there with Go from published modules (see tools/README.md).
# Progress goes to stderr; stdout carries only what `env` / `path` print.
#
# Environment:
#   SCRAPE_ANYWHERE_CACHE   cache root (default ${XDG_CACHE_HOME:-~/.cache}/scrape-anywhere)
#   SCRAPE_ANYWHERE_NO_PATH=1  ignore tools on PATH, always use the cache (or build)
#   SCRAPE_ANYWHERE_GO      the go binary to build with (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SCRAPE_ANYWHERE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scrape-anywhere}"
TOOLS="$CACHE/tools"
PULUMI_HOME_DIR="$CACHE/pulumi-home"
GO_DIR="$ROOT/tools/go"

log() { printf 'tools: %s\n' "$*" >&2; }
die() {
  printf 'tools: error: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

# --- versions (pinned in package.json and the tools go.mod files) -------------

# npm_pin <package>: the exact version package.json pins for <package>.
npm_pin() {
  local v
  v="$(sed -n "s|^ *\"$1\": *\"\([^\"]*\)\".*|\1|p" "$ROOT/package.json" | head -n1)"
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "package.json must pin $1 to an exact version (found '${v:-nothing}')"
  printf '%s' "$v"
}

# gomod_version <tools module dir> <module path>: the version its go.mod requires.
gomod_version() {
  local v
  v="$(awk -v m="$2" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v/ { print $2; exit }' "$1/go.mod")"
  [[ -n "$v" ]] || die "$1/go.mod does not require $2"
  printf '%s' "$v"
}

PULUMI_VERSION="$(npm_pin @pulumi/pulumi)"
K8S_VERSION="$(npm_pin @pulumi/kubernetes)"
DOCKER_VERSION="$(npm_pin @pulumi/docker)"
ZITI_VERSION="$(gomod_version "$GO_DIR/ziti" github.com/openziti/ziti)"
ZITI_VERSION="${ZITI_VERSION#v}"

for m in github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3; do
  v="$(gomod_version "$GO_DIR/pulumi" "$m")"
  [[ "$v" == "v$PULUMI_VERSION" ]] ||
    die "tools/go/pulumi/go.mod requires $m $v but package.json pins @pulumi/pulumi $PULUMI_VERSION" \
      "update both to the same version (cd tools/go/pulumi && go get $m@v$PULUMI_VERSION)"
done

PULUMI_BIN="$TOOLS/pulumi-v$PULUMI_VERSION/bin"
ZITI_BIN="$TOOLS/ziti-v$ZITI_VERSION/bin"
K8S_BIN="$TOOLS/kubernetes-$K8S_VERSION/bin"
K8S_PLUGIN="$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$K8S_VERSION/pulumi-resource-kubernetes"
DOCKER_BIN="$TOOLS/docker-$DOCKER_VERSION/bin"
DOCKER_PLUGIN="$PULUMI_HOME_DIR/plugins/resource-docker-v$DOCKER_VERSION/pulumi-resource-docker"

# Local control planes: versions from their tools modules (tools/go/kube, tools/go/etcd); kwok is
# installed from its own module (it has no replace directives, so `go install mod@version` works).
KUBE_VERSION="$(gomod_version "$GO_DIR/kube" k8s.io/kubernetes)"
ETCD_VERSION="$(gomod_version "$GO_DIR/etcd" go.etcd.io/etcd/server/v3)"
KWOK_VERSION=v0.8.0
KUBE_BIN="$TOOLS/kube-$KUBE_VERSION/bin"
ETCD_BIN="$TOOLS/etcd-$ETCD_VERSION/bin"
KWOK_BIN="$TOOLS/kwok-$KWOK_VERSION/bin"
# Real nodes: containerd and CoreDNS from their own tools modules (tools/go/containerd, tools/go/coredns).
CONTAINERD_VERSION="$(gomod_version "$GO_DIR/containerd" github.com/containerd/containerd/v2)"
COREDNS_VERSION="$(gomod_version "$GO_DIR/coredns" github.com/coredns/coredns)"
CONTAINERD_BIN="$TOOLS/containerd-$CONTAINERD_VERSION/bin"
COREDNS_BIN="$TOOLS/coredns-$COREDNS_VERSION/bin"

# --- helpers ------------------------------------------------------------------

# on_path <name>: the tool's path on PATH, unless it is one of our cache copies.
on_path() {
  [[ "${SCRAPE_ANYWHERE_NO_PATH:-}" == 1 ]] && return 1
  local p
  p="$(command -v "$1" 2>/dev/null)" || return 1
  [[ "$p" == "$TOOLS"/* ]] && return 1
  printf '%s' "$p"
}

find_go() {
  if [[ -n "${SCRAPE_ANYWHERE_GO:-}" ]]; then
    [[ -x "$SCRAPE_ANYWHERE_GO" ]] && printf '%s' "$SCRAPE_ANYWHERE_GO"
  elif command -v go >/dev/null 2>&1; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    printf '%s' /usr/local/go/bin/go
  else
    return 1
  fi
}

# need_go <what> <how to install it instead>
need_go() {
  GO="$(find_go)" || die "$1 is not on PATH, not in the cache ($TOOLS), and Go is not installed to build it." \
    "Either install Go >= 1.25 (https://go.dev/dl/; Debian: a golang package of that version)" \
    "and run this script again (it builds $1 from its published Go modules), or $2"
}

# lock <name>: serialise builds of one tool between concurrent runs of this script.
lock() {
  mkdir -p "$TOOLS"
  exec {LOCK_FD}>"$TOOLS/.$1.lock"
  if ! flock -n "$LOCK_FD"; then
    log "waiting for another run of tools.sh that is building $1..."
    flock "$LOCK_FD"
  fi
}
unlock() { exec {LOCK_FD}>&-; }

# go_build <label> <module dir> <output> <go build args...>: builds with progress
# on stderr (a heartbeat with elapsed seconds), into a temporary file that is
# moved into place only when the build succeeded.
go_build() {
  local label="$1" dir="$2" out="$3"
  shift 3
  local logf="$TOOLS/logs/$label.log" start=$SECONDS pid rc
  mkdir -p "$(dirname "$out")" "$TOOLS/logs"
  (
    cd "$dir"
    GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/openziti" \
      exec "$GO" build -trimpath -o "$out.tmp.$$" "$@"
  ) >"$logf" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (((SECONDS - start) % 30 == 0)); then
      log "  ... still building $label ($((SECONDS - start))s; log: $logf)"
    fi
  done
  rc=0
  wait "$pid" || rc=$?
  if ((rc != 0)); then
    rm -f "$out.tmp.$$"
    tail -n 30 "$logf" >&2 || true
    die "building $label failed (exit $rc) after $((SECONDS - start))s; full log: $logf"
  fi
  mv -f "$out.tmp.$$" "$out"
  log "built $label in $((SECONDS - start))s -> $out"
}

# module_dir <tools module dir> <module path>: where Go keeps that module's source.
module_dir() {
  (cd "$1" && GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/openziti" "$GO" mod download -json "$2") |
    sed -n 's/^[[:space:]]*"Dir": *"\(.*\)",*$/\1/p'
}

# --- pulumi: CLI, Node.js language host, dynamic-provider host ------------------

LANGHOST_SRC="$GO_DIR/pulumi/cmd/pulumi-language-nodejs"
# The dynamic-provider host: the project's own wrapper (the SDK's starts node twice; see the file).
DYNAMIC_PROVIDER_SRC="$ROOT/tools/pulumi-resource-pulumi-nodejs"

langhost_stamp() {
  cat "$LANGHOST_SRC"/*.go "$GO_DIR/pulumi/go.mod" "$GO_DIR/pulumi/go.sum" | sha256sum | cut -d' ' -f1
}

pulumi_ldflags() {
  printf '%s' "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
}

# Sets PULUMI_DIR: the directory holding pulumi and its bundled plugins.
ensure_pulumi() {
  local p
  if p="$(on_path pulumi)"; then
    PULUMI_DIR="$(dirname "$p")"
    local v
    v="$("$p" version 2>/dev/null || true)"
    if [[ "$v" != "v$PULUMI_VERSION" ]]; then
      log "warning: using pulumi $v from PATH ($p); the project pins $PULUMI_VERSION (npm @pulumi/pulumi)"
    fi
    for f in pulumi-language-nodejs pulumi-resource-pulumi-nodejs; do
      [[ -x "$PULUMI_DIR/$f" ]] || command -v "$f" >/dev/null 2>&1 ||
        die "pulumi on PATH ($p) has no $f next to it; reinstall Pulumi (https://www.pulumi.com/docs/install/)" \
          "or set SCRAPE_ANYWHERE_NO_PATH=1 to build the pinned version instead"
    done
    return
  fi

  PULUMI_DIR="$PULUMI_BIN"
  local stamp
  stamp="$(langhost_stamp)"
  if [[ -x "$PULUMI_BIN/pulumi" && -x "$PULUMI_BIN/pulumi-language-nodejs" &&
    -x "$PULUMI_BIN/pulumi-resource-pulumi-nodejs" &&
    "$(cat "$PULUMI_BIN/.pulumi-language-nodejs.stamp" 2>/dev/null)" == "$stamp" ]] &&
    cmp -s "$DYNAMIC_PROVIDER_SRC" "$PULUMI_BIN/pulumi-resource-pulumi-nodejs"; then
    return
  fi

  need_go "pulumi v$PULUMI_VERSION" "install Pulumi v$PULUMI_VERSION (https://www.pulumi.com/docs/install/) so that pulumi is on PATH."
  lock pulumi
  if [[ ! -x "$PULUMI_BIN/pulumi" ]]; then
    log "building the Pulumi CLI v$PULUMI_VERSION with Go from github.com/pulumi/pulumi/pkg/v3"
    log "  (a cold build downloads modules and compiles for many minutes: ~8 min on 2 cores)"
    go_build pulumi "$GO_DIR/pulumi" "$PULUMI_BIN/pulumi" \
      -ldflags "$(pulumi_ldflags)" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  fi
  if [[ ! -x "$PULUMI_BIN/pulumi-language-nodejs" ||
    "$(cat "$PULUMI_BIN/.pulumi-language-nodejs.stamp" 2>/dev/null)" != "$stamp" ]]; then
    log "building the project's Node.js language host (tools/go/pulumi/cmd/pulumi-language-nodejs)"
    go_build pulumi-language-nodejs "$GO_DIR/pulumi" "$PULUMI_BIN/pulumi-language-nodejs" \
      -ldflags "$(pulumi_ldflags)" ./cmd/pulumi-language-nodejs
    printf '%s\n' "$stamp" >"$PULUMI_BIN/.pulumi-language-nodejs.stamp"
  fi
  if ! cmp -s "$DYNAMIC_PROVIDER_SRC" "$PULUMI_BIN/pulumi-resource-pulumi-nodejs"; then
    install -m 0755 "$DYNAMIC_PROVIDER_SRC" "$PULUMI_BIN/pulumi-resource-pulumi-nodejs"
    log "installed the dynamic-provider host pulumi-resource-pulumi-nodejs (tools/pulumi-resource-pulumi-nodejs)"
  fi
  unlock
}

# --- ziti ---------------------------------------------------------------------

# Sets ZITI: the ziti binary.
ensure_ziti() {
  if ZITI="$(on_path ziti)"; then
    return
  fi
  ZITI="$ZITI_BIN/ziti"
  [[ -x "$ZITI" ]] && return
  need_go "ziti v$ZITI_VERSION" "install the OpenZiti CLI (https://openziti.io/docs/downloads) so that ziti is on PATH."
  lock ziti
  if [[ ! -x "$ZITI" ]]; then
    log "building the OpenZiti CLI v$ZITI_VERSION with Go from github.com/openziti/ziti"
    log "  (a cold build downloads modules and compiles for many minutes: ~8 min on 2 cores)"
    go_build ziti "$GO_DIR/ziti" "$ZITI" \
      -ldflags "-s -w -X github.com/openziti/ziti/common/version.Version=v$ZITI_VERSION" github.com/openziti/ziti/ziti
  fi
  unlock
}

# --- kubernetes resource plugin -------------------------------------------------

ensure_kubernetes() {
  [[ -x "$K8S_PLUGIN" ]] && return
  local bin="$K8S_BIN/pulumi-resource-kubernetes"
  local official="${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-kubernetes-v$K8S_VERSION/pulumi-resource-kubernetes"
  if [[ "${SCRAPE_ANYWHERE_NO_PATH:-}" != 1 && -x "$official" && "$official" != "$K8S_PLUGIN" ]]; then
    bin="$official" # installed by an official pulumi before
  elif [[ ! -x "$bin" ]]; then
    need_go "the Kubernetes plugin $K8S_VERSION" \
      "install it with an official pulumi: pulumi plugin install resource kubernetes $K8S_VERSION"
    lock kubernetes
    if [[ ! -x "$bin" ]]; then
      local provider_module=github.com/pulumi/pulumi-kubernetes/provider/v4 dir
      dir="$(module_dir "$GO_DIR/kubernetes" "$provider_module")"
      [[ -f "$dir/cmd/pulumi-resource-kubernetes/schema.json" ]] ||
        die "schema.json not found in $provider_module ($dir/cmd/pulumi-resource-kubernetes)"
      # The upstream main embeds these generated files, which the module zip lacks.
      node -e '
        const fs = require("fs");
        const [src, version, out] = process.argv.slice(1);
        const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
        schema.version = version;
        fs.writeFileSync(out + "/schema-embed.json", JSON.stringify(schema));
        const m = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
        fs.writeFileSync(out + "/terraform-mapping-embed.json", JSON.stringify(m));
      ' "$dir/cmd/pulumi-resource-kubernetes" "$K8S_VERSION" "$GO_DIR/kubernetes" ||
        die "could not generate the Kubernetes plugin's embedded schema (node is needed)"
      log "building the Kubernetes plugin $K8S_VERSION with Go from $provider_module"
      log "  (a cold build downloads modules and compiles for many minutes)"
      go_build kubernetes "$GO_DIR/kubernetes" "$bin" \
        -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_VERSION" .
    fi
    unlock
  fi
  log "installing the Kubernetes plugin $K8S_VERSION into $PULUMI_HOME_DIR"
  PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true \
    "$PULUMI_DIR/pulumi" plugin install resource kubernetes "$K8S_VERSION" --file "$bin" >&2 ||
    die "pulumi plugin install resource kubernetes $K8S_VERSION --file $bin failed"
  [[ -x "$K8S_PLUGIN" ]] || die "the Kubernetes plugin is not at $K8S_PLUGIN after installing it"
}

# --- docker resource plugin ------------------------------------------------------

# The plugin is rebuilt when the tools module changes (mapping, versions), not only per version.
docker_stamp() {
  (cd "$GO_DIR/docker" && cat go.mod go.sum ./*.go cmd/pulumi-resource-docker/*.go shim/go.mod shim/*.go) |
    sha256sum | cut -d' ' -f1
}

# The Docker plugin bridged from the Terraform Docker provider (tools/go/docker, see tools/README.md),
# stamped with the npm @pulumi/docker version and installed as that version into PULUMI_HOME.
ensure_docker_plugin() {
  local bin="$DOCKER_BIN/pulumi-resource-docker" stamp
  stamp="$(docker_stamp)"
  local stampf="$DOCKER_BIN/.pulumi-resource-docker.stamp"
  if [[ -x "$DOCKER_PLUGIN" && -x "$bin" && "$(cat "$stampf" 2>/dev/null)" == "$stamp" ]] &&
    cmp -s "$bin" "$DOCKER_PLUGIN"; then
    return
  fi
  if [[ ! -x "$bin" || "$(cat "$stampf" 2>/dev/null)" != "$stamp" ]]; then
    need_go "the Docker plugin $DOCKER_VERSION" \
      "install it with an official pulumi: pulumi plugin install resource docker $DOCKER_VERSION"
    lock docker
    if [[ ! -x "$bin" || "$(cat "$stampf" 2>/dev/null)" != "$stamp" ]]; then
      log "building the Docker plugin $DOCKER_VERSION with Go: pulumi-terraform-bridge over the Terraform"
      log "  provider github.com/kreuzwerker/terraform-provider-docker (tools/go/docker)"
      log "  (a cold build downloads modules and compiles for many minutes: ~11 min on 2 busy cores)"
      go_build docker "$GO_DIR/docker" "$bin" -ldflags "-s -w -X main.version=$DOCKER_VERSION" ./cmd/pulumi-resource-docker
      local v
      v="$("$bin" -version 2>/dev/null)" || die "the built Docker plugin $bin does not run"
      [[ "$v" == "$DOCKER_VERSION" ]] || die "the built Docker plugin reports version '$v', expected $DOCKER_VERSION"
      printf '%s\n' "$stamp" >"$stampf"
    fi
    unlock
  fi
  log "installing the Docker plugin $DOCKER_VERSION into $PULUMI_HOME_DIR"
  PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true \
    "$PULUMI_DIR/pulumi" plugin install resource docker "$DOCKER_VERSION" --file "$bin" --reinstall >&2 ||
    die "pulumi plugin install resource docker $DOCKER_VERSION --file $bin --reinstall failed"
  [[ -x "$DOCKER_PLUGIN" ]] || die "the Docker plugin is not at $DOCKER_PLUGIN after installing it"
}

# --- local control planes: etcd, kube-apiserver/-controller-manager/-scheduler, kwok ---

ensure_etcd() {
  [[ -x "$ETCD_BIN/etcd" ]] && return
  need_go "etcd $ETCD_VERSION" "put an etcd >= 3.6 on PATH and set SCRAPE_ANYWHERE_ETCD to it."
  lock etcd
  if [[ ! -x "$ETCD_BIN/etcd" ]]; then
    log "building etcd $ETCD_VERSION with Go from go.etcd.io/etcd/server/v3 (~3 min cold on 2 cores)"
    go_build etcd "$GO_DIR/etcd" "$ETCD_BIN/etcd" -ldflags "-s -w" .
  fi
  unlock
}

# The Kubernetes provider reads the server's version (/version) to pick API behaviour, so the
# binaries carry the release's version the way upstream's hack/lib/version.sh stamps it.
kube_ldflags() {
  local v="$KUBE_VERSION" major minor pkg out="-s -w"
  major="${v#v}"; major="${major%%.*}"
  minor="${v#v*.}"; minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    out+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    out+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$out"
}

ensure_kube() {
  local c missing=0
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    [[ -x "$KUBE_BIN/$c" ]] || missing=1
  done
  ((missing)) || return 0
  need_go "Kubernetes $KUBE_VERSION" "put kube-apiserver, kube-controller-manager and kube-scheduler $KUBE_VERSION in $KUBE_BIN."
  lock kube
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    [[ -x "$KUBE_BIN/$c" ]] && continue
    log "building $c $KUBE_VERSION with Go from k8s.io/kubernetes (tools/go/kube)"
    log "  (the first of the three compiles most of Kubernetes: 25-40 min cold on 2 cores)"
    go_build "$c" "$GO_DIR/kube" "$KUBE_BIN/$c" -ldflags "$(kube_ldflags)" "k8s.io/kubernetes/cmd/$c"
  done
  unlock
}

ensure_kwok() {
  [[ -x "$KWOK_BIN/kwok" ]] && return
  need_go "kwok $KWOK_VERSION" "put kwok $KWOK_VERSION in $KWOK_BIN."
  lock kwok
  if [[ ! -x "$KWOK_BIN/kwok" ]]; then
    log "building kwok $KWOK_VERSION with Go from sigs.k8s.io/kwok (~5 min cold on 2 cores)"
    mkdir -p "$KWOK_BIN" "$TOOLS/logs"
    local start=$SECONDS pid rc=0
    (GOBIN="$KWOK_BIN" GOFLAGS=-mod=mod exec "$GO" install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION") \
      >"$TOOLS/logs/kwok.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do # the same heartbeat as go_build
      sleep 1
      if (((SECONDS - start) % 30 == 0)); then log "  ... still building kwok ($((SECONDS - start))s; log: $TOOLS/logs/kwok.log)"; fi
    done
    wait "$pid" || rc=$?
    ((rc == 0)) || { tail -n 30 "$TOOLS/logs/kwok.log" >&2; die "building kwok failed (exit $rc) after $((SECONDS - start))s; log: $TOOLS/logs/kwok.log"; }
    log "built kwok in $((SECONDS - start))s -> $KWOK_BIN/kwok"
  fi
  unlock
}

# The kubelet, kube-proxy and kubectl: the same module and version stamping as the control plane (reuses its build cache).
ensure_kube_node() {
  local c
  for c in kubelet kube-proxy kubectl; do
    [[ -x "$KUBE_BIN/$c" ]] && continue
    need_go "$c $KUBE_VERSION" "put kubelet and kube-proxy $KUBE_VERSION in $KUBE_BIN."
    lock kube
    if [[ ! -x "$KUBE_BIN/$c" ]]; then
      log "building $c $KUBE_VERSION with Go from k8s.io/kubernetes (tools/go/kube; kubelet ~16 min cold on 2 busy cores)"
      go_build "$c" "$GO_DIR/kube" "$KUBE_BIN/$c" -ldflags "$(kube_ldflags)" "k8s.io/kubernetes/cmd/$c"
    fi
    unlock
  done
}

# containerd, its runc shim and ctr, stamped as upstream's Makefile does (-X .../version.Version/Package); the
# btrfs snapshotter needs cgo headers, so -tags no_btrfs; the shim static and without gRPC as upstream builds it.
ensure_containerd() {
  local c pkg=github.com/containerd/containerd/v2
  local ld="-s -w -X $pkg/version.Version=$CONTAINERD_VERSION -X $pkg/version.Package=$pkg"
  for c in containerd ctr containerd-shim-runc-v2; do
    [[ -x "$CONTAINERD_BIN/$c" ]] && continue
    need_go "containerd $CONTAINERD_VERSION" "put containerd, ctr and containerd-shim-runc-v2 $CONTAINERD_VERSION in $CONTAINERD_BIN."
    lock containerd
    if [[ ! -x "$CONTAINERD_BIN/$c" ]]; then
      log "building $c $CONTAINERD_VERSION with Go from $pkg (~6 min cold on 2 busy cores for the three)"
      if [[ "$c" == containerd-shim-runc-v2 ]]; then
        CGO_ENABLED=0 go_build "$c" "$GO_DIR/containerd" "$CONTAINERD_BIN/$c" -tags "no_btrfs urfave_cli_no_docs no_grpc" -ldflags "$ld" "$pkg/cmd/$c"
      else
        go_build "$c" "$GO_DIR/containerd" "$CONTAINERD_BIN/$c" -tags "no_btrfs urfave_cli_no_docs" -ldflags "$ld" "$pkg/cmd/$c"
      fi
    fi
    unlock
  done
}

# CoreDNS as upstream's Makefile builds it (CGO_ENABLED=0, -X coremain.GitCommit), the module root being its main package.
ensure_coredns() {
  [[ -x "$COREDNS_BIN/coredns" ]] && return
  need_go "CoreDNS $COREDNS_VERSION" "put coredns $COREDNS_VERSION in $COREDNS_BIN."
  lock coredns
  if [[ ! -x "$COREDNS_BIN/coredns" ]]; then
    log "building CoreDNS $COREDNS_VERSION with Go from github.com/coredns/coredns"
    CGO_ENABLED=0 go_build coredns "$GO_DIR/coredns" "$COREDNS_BIN/coredns" \
      -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" github.com/coredns/coredns
  fi
  unlock
}

# --- the upstream flavor's workload binaries (flavors/upstream/workloads/*.ts) -------------------

# Versions come from the tools modules' go.mod, the one place they are pinned (the contracts name the
# same releases; test/unit/upstreamFlavor.spec.ts checks they agree).
PROMETHEUS_VERSION="$(gomod_version "$GO_DIR/prometheus" github.com/prometheus/prometheus)"
NODE_EXPORTER_VERSION="$(gomod_version "$GO_DIR/node_exporter" github.com/prometheus/node_exporter)"
CONFIGMAP_RELOAD_VERSION="$(gomod_version "$GO_DIR/configmap-reload" github.com/jimmidyson/configmap-reload)"

# prometheus_release: the Prometheus release of module version v0.3MM.P (3.x is published as v0.3MM.P: MM minor).
prometheus_release() {
  local v="${PROMETHEUS_VERSION#v0.}" minor patch
  minor="${v%%.*}"; patch="${v#*.}"
  printf '3.%d.%s' "$((10#${minor#3}))" "$patch"
}

# ensure_workload_bin <name> <version> <module dir> <package> <ldflags> [go build flags...]: sets BIN.
# The Prometheus projects stamp versions through github.com/prometheus/common/version (their .promu.yml).
ensure_workload_bin() {
  local name="$1" version="$2" dir="$3" pkg="$4" ldflags="$5"
  shift 5
  BIN="$TOOLS/$name-$version/bin/$name"
  [[ -x "$BIN" ]] && return
  need_go "$name $version" "put a $name $version binary at $BIN."
  lock "$name"
  if [[ ! -x "$BIN" ]]; then
    log "building $name $version with Go from its module (tools/go/$(basename "$dir"))"
    CGO_ENABLED=0 go_build "$name" "$dir" "$BIN" -ldflags "-s -w $ldflags" "$@" "$pkg"
  fi
  unlock
}

ensure_node() {
  ensure_kube_node
  ensure_containerd
  ensure_coredns
}

print_node_env() {
  printf 'export SCRAPE_ANYWHERE_KUBE_BIN=%q\n' "$KUBE_BIN"
  printf 'export SCRAPE_ANYWHERE_CONTAINERD_BIN=%q\n' "$CONTAINERD_BIN"
  printf 'export SCRAPE_ANYWHERE_COREDNS=%q\n' "$COREDNS_BIN/coredns"
  printf 'export SCRAPE_ANYWHERE_KUBECTL=%q\n' "$KUBE_BIN/kubectl"
}

ensure_prometheus() {
  local rel
  rel="$(prometheus_release)"
  # Cold: 994 s (~17 min) on 2 cores at load 10-19; built without the builtinassets UI (flavors/upstream/workloads/prometheus.ts).
  ensure_workload_bin prometheus "v$rel" "$GO_DIR/prometheus" github.com/prometheus/prometheus/cmd/prometheus \
    "-X github.com/prometheus/common/version.Version=$rel" -tags netgo
  PROMETHEUS_BIN="$BIN"
}
ensure_node_exporter() {
  ensure_workload_bin node_exporter "$NODE_EXPORTER_VERSION" "$GO_DIR/node_exporter" github.com/prometheus/node_exporter \
    "-X github.com/prometheus/common/version.Version=${NODE_EXPORTER_VERSION#v}"
  NODE_EXPORTER_BIN="$BIN"
}
ensure_configmap_reload() {
  ensure_workload_bin configmap-reload "$CONFIGMAP_RELOAD_VERSION" "$GO_DIR/configmap-reload" github.com/jimmidyson/configmap-reload ""
  CONFIGMAP_RELOAD_BIN="$BIN"
}
ensure_workloads() {
  ensure_prometheus
  ensure_node_exporter
  ensure_configmap_reload
}

ensure_control_plane() {
  ensure_etcd
  ensure_kwok
  ensure_kube
}

print_control_plane_env() {
  printf 'export SCRAPE_ANYWHERE_ETCD=%q\n' "$ETCD_BIN/etcd"
  printf 'export SCRAPE_ANYWHERE_KUBE_BIN=%q\n' "$KUBE_BIN"
  printf 'export SCRAPE_ANYWHERE_KWOK=%q\n' "$KWOK_BIN/kwok"
}

ensure_all() {
  ensure_pulumi
  ensure_ziti
  ensure_kubernetes
}

# --- commands -------------------------------------------------------------------

cmd="${1:-ensure}"
case "$cmd" in
ensure)
  ensure_all
  log "ready: pulumi in $PULUMI_DIR, ziti at $ZITI, kubernetes plugin $K8S_VERSION in $PULUMI_HOME_DIR"
  ;;
env)
  ensure_all
  # Tools found on PATH stay where they are; cache directories go first.
  new_path=""
  for d in "$PULUMI_DIR" "$(dirname "$ZITI")"; do
    [[ "$d" == "$TOOLS"/* && ":$new_path:" != *":$d:"* ]] && new_path="${new_path:+$new_path:}$d"
  done
  IFS=: read -r -a parts <<<"$PATH"
  for d in "${parts[@]}"; do
    [[ -z "$new_path" ]] && { new_path="$d"; continue; }
    case ":$new_path:" in *":$d:"*) ;; *) new_path="$new_path:$d" ;; esac
  done
  printf 'export PATH=%q\n' "$new_path"
  printf 'export PULUMI_HOME=%q\n' "$PULUMI_HOME_DIR"
  printf 'export PULUMI_SKIP_UPDATE_CHECK=true\n'
  printf 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
  ;;
path)
  case "${2:-}" in
  pulumi) ensure_pulumi && printf '%s\n' "$PULUMI_DIR/pulumi" ;;
  ziti) ensure_ziti && printf '%s\n' "$ZITI" ;;
  kubernetes) ensure_pulumi && ensure_kubernetes && printf '%s\n' "$K8S_PLUGIN" ;;
  docker) ensure_pulumi && ensure_docker_plugin && printf '%s\n' "$DOCKER_PLUGIN" ;;
  prometheus) ensure_prometheus && printf '%s\n' "$PROMETHEUS_BIN" ;;
  node_exporter) ensure_node_exporter && printf '%s\n' "$NODE_EXPORTER_BIN" ;;
  configmap-reload) ensure_configmap_reload && printf '%s\n' "$CONFIGMAP_RELOAD_BIN" ;;
  *) die "usage: tools.sh path <pulumi|ziti|kubernetes|docker|prometheus|node_exporter|configmap-reload>" ;;
  esac
  ;;
control-plane)
  ensure_control_plane
  print_control_plane_env
  ;;
workloads)
  ensure_workloads
  printf 'export SCRAPE_ANYWHERE_PROMETHEUS=%q\n' "$PROMETHEUS_BIN"
  printf 'export SCRAPE_ANYWHERE_NODE_EXPORTER=%q\n' "$NODE_EXPORTER_BIN"
  printf 'export SCRAPE_ANYWHERE_CONFIGMAP_RELOAD=%q\n' "$CONFIGMAP_RELOAD_BIN"
  ;;
node)
  ensure_node
  print_node_env
  ;;
all)
  ensure_all
  ensure_control_plane
  ensure_node
  ensure_docker_plugin
  ensure_workloads
  log "ready: nodes (kubelet/kube-proxy $KUBE_VERSION, containerd $CONTAINERD_VERSION, CoreDNS $COREDNS_VERSION) in $TOOLS"
  log "ready: control plane (etcd $ETCD_VERSION, Kubernetes $KUBE_VERSION, kwok $KWOK_VERSION) in $TOOLS"
  log "ready: docker plugin $DOCKER_VERSION in $PULUMI_HOME_DIR"
  ;;
-h | --help | help)
  sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  ;;
*)
  die "unknown command '$cmd'" "usage: tools.sh [env | path <pulumi|ziti|kubernetes|docker> | control-plane | node | all]"
  ;;
esac
