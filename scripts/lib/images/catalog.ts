// The images the local nodes can run, one entry each. No registry is reachable here, so each image is built
// from a binary made from the same upstream source as the published image, with the published image's user,
// entrypoint, working dir and volumes, and is imported under the exact reference the pods use.
//
// To add an image: one entry in CATALOG. `reference` is what the pods ask for (import the constant from the
// workload's contract module rather than writing it again); `rootfs` names the binaries (a function, so a
// binary is only built when the image is); `config` takes User/Entrypoint/WorkingDir/Volumes from the contract;
// `standsFor`/`differs` say what the image is and how it is not the published one. An image that cannot be
// built faithfully gets `unavailable` (the reason) instead of `rootfs`: the node tier reports it per image.
import { execFileSync } from "child_process";
import * as path from "path";
import { CONFIGMAP_RELOAD_IMAGE } from "../../../flavors/article/configmapReload";
import { CONFIGMAP_RELOADZ_IMAGE } from "../../../flavors/article/configmapReloadz";
import { PROMETHEUS_IMAGE } from "../../../flavors/article/prometheus";
import { REFLECTZ_IMAGE } from "../../../flavors/article/reflectz";
import { ZITI_HOST_IMAGE } from "../../../flavors/article/zitiHost";
import { CONFIGMAP_RELOAD_UPSTREAM, CONFIGMAP_RELOAD_UPSTREAM_IMAGE } from "../../../flavors/upstream/workloads/configmapReload";
import { NODE_EXPORTER, NODE_EXPORTER_IMAGE } from "../../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3, PROMETHEUS3_IMAGE } from "../../../flavors/upstream/workloads/prometheus";
import { ZITI_TUNNEL, ZITI_TUNNEL_IMAGE } from "../../../flavors/upstream/workloads/zitiTunnel";
import type { ImageConfig } from "./ociArchive";
import type { RootfsSpec } from "./rootfs";

export interface CatalogImage {
    /** Short name (cache file names, logs). */
    name: string;
    /** The reference pods use, as written in the pod spec (normalised to docker.io/... on import). */
    reference: string;
    /** The published image this stands for. */
    standsFor: string;
    /** How the local build differs from it. */
    differs?: string;
    /** The files of the image; built lazily. */
    rootfs?: () => RootfsSpec;
    config?: ImageConfig;
    /** Why this image cannot be built here (then rootfs/config are absent). */
    unavailable?: string;
}

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const toolPath = (tool: string) =>
    execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "path", tool], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const zitiVersion = () => /^\s*github\.com\/openziti\/ziti v(\S+)/m.exec(require("fs").readFileSync(path.join(repoRoot, "tools", "go", "ziti", "go.mod"), "utf8"))![1];

/**
 * openziti/ziti dist/docker-images/ziti-cli/Dockerfile: `groupadd --gid 2171 ziggy`, `adduser --uid 2171 ... --home
 * /home/ziggy ziggy`, the binary at /usr/local/bin/ziti, `USER ziggy`, `ENV HOME=/home/ziggy`, `WORKDIR /home/ziggy`,
 * `ENTRYPOINT [ "ziti" ]`. No program workload uses this image; the node tier runs `ziti tunnel host` in it.
 */
export const ZITI_CLI = { uid: 2171, gid: 2171, home: "/home/ziggy", binary: "/usr/local/bin/ziti", entrypoint: ["ziti"] } as const;

/**
 * quay.io/prometheus/busybox is the base of prom/prometheus and prom/node-exporter; the upstream flavor's exec probes
 * run its `wget`. Debian's busybox-static (scripts/ensure-node-deps.sh) runs the applet named by argv[0], so one copy
 * named /bin/wget is the probe's wget.
 */
const busyboxWget = { from: "/bin/busybox", to: "/bin/wget" };
const nobody = { users: [{ name: "nobody", uid: 65534, gid: 65534, home: "/home" }], groups: [{ name: "nobody", gid: 65534 }] };

/** catatonit as the pod sandbox ("pause") image: it reaps children and, with -P, only pauses (catatonit(1)). */
export const PAUSE_IMAGE = "localhost/scrape-anywhere/pause:catatonit";

export const CATALOG: CatalogImage[] = [
    {
        name: "pause",
        reference: PAUSE_IMAGE,
        standsFor: "registry.k8s.io/pause (the pod sandbox container: holds the pod's namespaces and does nothing)",
        differs: "Debian's catatonit (run with -P, which only pauses) instead of the pause binary; user 65535 as registry.k8s.io/pause",
        rootfs: () => ({ binaries: [{ from: "/usr/bin/catatonit", to: "/catatonit" }] }),
        config: { entrypoint: ["/catatonit", "-P"], user: "65535:65535" },
    },
    {
        name: "ziti-cli",
        get reference() {
            return `openziti/ziti-cli:${zitiVersion()}`;
        },
        standsFor: "openziti/ziti-cli (the OpenZiti CLI image, openziti/ziti dist/docker-images/ziti-cli/Dockerfile)",
        differs: "the `ziti` binary built by scripts/tools.sh from github.com/openziti/ziti at the same version, with only the libc it " +
            "loads; none of the ubi9-minimal base, bash, python, jq or kubectl the published image adds",
        rootfs: () => ({
            binaries: [{ from: toolPath("ziti"), to: ZITI_CLI.binary }],
            dirs: [{ path: ZITI_CLI.home, mode: 0o770, uid: ZITI_CLI.uid, gid: ZITI_CLI.gid }, { path: "/tmp", mode: 0o1777 }],
            users: [{ name: "ziggy", uid: ZITI_CLI.uid, gid: ZITI_CLI.gid, home: ZITI_CLI.home }],
            groups: [{ name: "ziggy", gid: ZITI_CLI.gid }],
        }),
        config: {
            entrypoint: [...ZITI_CLI.entrypoint], user: "ziggy", workingDir: ZITI_CLI.home,
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", `HOME=${ZITI_CLI.home}`],
        },
    },
    // The upstream flavor's images (flavors/upstream/workloads/*.ts hold the sourced facts used here).
    {
        name: "prometheus", reference: PROMETHEUS3_IMAGE, standsFor: "prom/prometheus (prometheus/prometheus Dockerfile)",
        differs: `cmd/prometheus ${PROMETHEUS3.version} built by tools.sh from the module tools/go/prometheus pins (the same release: test/unit/upstreamFlavor.spec.ts) without the builtinassets tag (no web UI pages; ` +
            "API, /federate, /-/ready, /-/reload identical); no promtool, no example prometheus.yml; Debian busybox-static's wget only instead of quay.io/prometheus/busybox",
        rootfs: () => ({
            binaries: [{ from: toolPath("prometheus"), to: PROMETHEUS3.entrypoint[0] }, busyboxWget],
            dirs: [{ path: PROMETHEUS3.storageDir, mode: 0o775, uid: 65534, gid: 65534 }, { path: "/etc/prometheus", mode: 0o755, uid: 65534, gid: 65534 }],
            ...nobody,
        }),
        config: { entrypoint: [...PROMETHEUS3.entrypoint], cmd: [...PROMETHEUS3.cmd], user: "nobody", workingDir: PROMETHEUS3.workingDir, volumes: [PROMETHEUS3.storageDir] },
    },
    {
        name: "node-exporter", reference: NODE_EXPORTER_IMAGE, standsFor: "prom/node-exporter (prometheus/node_exporter Dockerfile)",
        differs: "node_exporter built by tools.sh from the module at v1.12.1 (CGO_ENABLED=0, as promu's linux/amd64 build); Debian busybox-static's wget only",
        rootfs: () => ({ binaries: [{ from: toolPath("node_exporter"), to: NODE_EXPORTER.entrypoint[0] }, busyboxWget], ...nobody }),
        config: { entrypoint: [...NODE_EXPORTER.entrypoint], user: "nobody" },
    },
    {
        name: "configmap-reload-upstream", reference: CONFIGMAP_RELOAD_UPSTREAM_IMAGE, standsFor: "jimmidyson/configmap-reload v0.14.0 (distroless static, USER 65534)",
        differs: "configmap-reload built by tools.sh from the module at v0.14.0; no distroless base files (CA certificates, tzdata): it only calls http://127.0.0.1",
        rootfs: () => ({ binaries: [{ from: toolPath("configmap-reload"), to: CONFIGMAP_RELOAD_UPSTREAM.entrypoint[0] }], ...nobody }),
        config: { entrypoint: [...CONFIGMAP_RELOAD_UPSTREAM.entrypoint], user: String(CONFIGMAP_RELOAD_UPSTREAM.runAs.user) },
    },
    {
        name: "ziti-tunnel", reference: ZITI_TUNNEL_IMAGE, standsFor: "openziti/ziti-tunnel (openziti/ziti dist/docker-images/ziti-tunnel/Dockerfile on ziti-cli)",
        differs: "as ziti-cli above; no bash, util-linux or iptables (tproxy mode cannot run), so its entrypoint.sh is absent: the flavor's pods " +
            "set `command` to /usr/local/bin/ziti tunnel proxy|host and never use it",
        rootfs: () => ({
            binaries: [{ from: toolPath("ziti"), to: ZITI_TUNNEL.binary }],
            dirs: [{ path: ZITI_TUNNEL.workingDir, mode: 0o755, uid: 0, gid: 0 }, { path: "/tmp", mode: 0o1777 }],
            users: [{ name: "ziggy", uid: ZITI_TUNNEL.runAs.user, gid: ZITI_TUNNEL.runAs.group, home: ZITI_CLI.home }],
            groups: [{ name: "ziggy", gid: ZITI_TUNNEL.runAs.group }],
        }),
        config: { entrypoint: [...ZITI_TUNNEL.entrypoint], cmd: [...ZITI_TUNNEL.cmd], user: "root", workingDir: ZITI_TUNNEL.workingDir },
    },
    // The article flavor's images (flavors/article): none can be built here.
    { name: "ziti-host", reference: ZITI_HOST_IMAGE, standsFor: "openziti/ziti-host", unavailable: "ziti-edge-tunnel is a C program (openziti/ziti-tunnel-sdk-c); only Go modules can be built here" },
    { name: "prometheuz", reference: PROMETHEUS_IMAGE, standsFor: "openziti/prometheuz", unavailable: "built from the fork openziti-test-kitchen/prometheus, which the Go module proxy refuses" },
    { name: "configmap-reloadz", reference: CONFIGMAP_RELOADZ_IMAGE, standsFor: "openziti/configmap-reloadz", unavailable: "built from the fork openziti-test-kitchen/configmap-reload, which the Go module proxy refuses" },
    { name: "reflectz", reference: REFLECTZ_IMAGE, standsFor: "nfnpieros/reflect", unavailable: "built from the fork nf-npieros/sdk-golang (branch feature/reflect-prometheus), which the Go module proxy does not serve at that branch" },
    { name: "configmap-reload", reference: CONFIGMAP_RELOAD_IMAGE, standsFor: "jimmidyson/configmap-reload v0.5.0 (the article's tag)", unavailable: "only v0.14.0 is built here (the upstream flavor's configmap-reload-upstream)" },
];

/** The catalog entry of `reference` (as a pod spec writes it, or normalised), or undefined. */
export function catalogImage(reference: string): CatalogImage | undefined {
    const norm = normalizeReference(reference);
    return CATALOG.find((i) => normalizeReference(i.reference) === norm);
}

/** The fully qualified form containerd stores (docker.io/library/... for bare names), as the CRI resolves a pod's image. */
export function normalizeReference(ref: string): string {
    const first = ref.split("/")[0];
    const hasDomain = ref.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    let out = hasDomain ? ref : `docker.io/${ref.includes("/") ? ref : `library/${ref}`}`;
    if (!/[:@][^/]*$/.test(out.slice(out.lastIndexOf("/")))) out += ":latest";
    return out;
}
