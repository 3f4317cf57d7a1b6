// The upstream flavor's pods as plain PodSpec data: the Prometheus pod (Prometheus, configmap-reload, the
// tunneler sidecar) of a dark place, of the hybrid cluster, and of central; the exporter pod (node_exporter
// and its tunneler). Every pod `restricted` (runAsNonRoot, no capability, no privilege escalation,
// RuntimeDefault seccomp, read-only root filesystems), resource requests and limits on every container,
// probes that work for loopback-only containers (exec, run inside the container's own netns).
import type * as k8s from "@pulumi/kubernetes";
import { CONFIGMAP_RELOAD_UPSTREAM, CONFIGMAP_RELOAD_UPSTREAM_IMAGE, configmapReloadArgs } from "./workloads/configmapReload";
import { NODE_EXPORTER, NODE_EXPORTER_IMAGE, nodeExporterArgs } from "./workloads/nodeExporter";
import { PROMETHEUS3, PROMETHEUS3_IMAGE, PROMETHEUS3_RELOAD_URL, prometheus3Args } from "./workloads/prometheus";
import { ZITI_TUNNEL, ZITI_TUNNEL_IMAGE, zitiTunnelCommand } from "./workloads/zitiTunnel";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type Probe = k8s.types.input.core.v1.Probe;

/** Image references by role; each defaults to the contract's `image:tag` and may be a `repo@sha256:...` digest. */
export interface UpstreamImages { prometheus?: string; tunneler?: string; reload?: string; exporter?: string }

/** The Secret key of an enrolled identity (the same key the article flavor's identity Secrets use). */
export const IDENTITY_SECRET_KEY = "identity.json";
/**
 * Identity files: 0440 root:<fsGroup> (the kubelet ORs 0440 into read-only volumes with an fsGroup,
 * kubernetes/kubernetes pkg/volume/volume_linux.go). The fsGroup of every upstream pod is the tunneler's
 * group, the one process that reads the identity. (fsGroup is a supplementary group of every container
 * of the pod, so Prometheus could read it too; it shares the tunneler's network namespace anyway, and so
 * can already dial whatever the identity may dial.)
 */
export const IDENTITY_FILE_MODE = 0o440;
const FS_GROUP = ZITI_TUNNEL.runAs.group;

const podSecurity = (user: { user: number; group: number }): k8s.types.input.core.v1.PodSecurityContext => ({
    runAsNonRoot: true, runAsUser: user.user, runAsGroup: user.group, fsGroup: FS_GROUP, seccompProfile: { type: "RuntimeDefault" },
});
const containerSecurity = (runAs?: { user: number; group: number }): k8s.types.input.core.v1.SecurityContext => ({
    allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true,
    ...(runAs ? { runAsUser: runAs.user, runAsGroup: runAs.group } : {}),
});
const exec = (command: readonly string[], periodSeconds: number, initialDelaySeconds = 5): Probe => ({
    exec: { command: [...command] }, initialDelaySeconds, periodSeconds, timeoutSeconds: 5, failureThreshold: 3,
});

/** The tunneler sidecar: hosts the pod's service on loopback and proxies what the pod dials to loopback ports. */
export function tunnelerContainer(image: string | undefined): Container {
    return {
        name: "ziti-tunnel",
        image: image ?? ZITI_TUNNEL_IMAGE,
        command: zitiTunnelCommand(),
        env: Object.entries(ZITI_TUNNEL.env).map(([name, value]) => ({ name, value })),
        securityContext: containerSecurity(ZITI_TUNNEL.runAs),
        resources: ZITI_TUNNEL.resources,
        livenessProbe: exec(ZITI_TUNNEL.livenessCommand, 20, 10),
        volumeMounts: [
            { name: "ziti-identity", mountPath: ZITI_TUNNEL.identityDir, readOnly: true },
            { name: "ziti-tmp", mountPath: ZITI_TUNNEL.tmpDir },
        ],
    };
}

function tunnelerVolumes(identitySecretName: string): k8s.types.input.core.v1.Volume[] {
    return [
        { name: "ziti-identity", secret: { secretName: identitySecretName, defaultMode: IDENTITY_FILE_MODE, items: [{ key: IDENTITY_SECRET_KEY, path: ZITI_TUNNEL.identityFileName }] } },
        { name: "ziti-tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ];
}

/**
 * The Prometheus pod of a place. `place: "hybrid"` (ClusterA) listens on the pod IP as well, for its
 * ClusterIP Service, and the kubelet probes it there; dark places (ClusterB, central) listen on loopback
 * only and are probed by exec.
 */
export function prometheusPodSpec(args: {
    place: "dark" | "hybrid"; configMapName: string; identitySecretName: string; images?: UpstreamImages;
    /** Collection by remote write: a cluster's `agent`, or central's `receiver` (prometheus3Args); default `server`. */
    mode?: "server" | "agent" | "receiver";
}): PodSpec {
    const p = PROMETHEUS3;
    const probe = (path: string, periodSeconds: number): Probe => args.place === "hybrid"
        ? { httpGet: { path, port: p.port }, initialDelaySeconds: 10, periodSeconds, timeoutSeconds: 4, failureThreshold: 3 }
        : exec(p.execProbe(path, p.port), periodSeconds, 10);
    const prometheus: Container = {
        name: "prometheus",
        image: args.images?.prometheus ?? PROMETHEUS3_IMAGE,
        args: prometheus3Args(args.place, args.mode),
        ...(args.place === "hybrid" ? { ports: [{ name: "web", containerPort: p.port }] } : {}),
        securityContext: containerSecurity(),
        resources: p.resources,
        readinessProbe: probe(p.probes.readyPath, 5),
        livenessProbe: probe(p.probes.healthyPath, 15),
        volumeMounts: [
            { name: "config", mountPath: p.configDir, readOnly: true },
            { name: "storage", mountPath: p.storageDir },
        ],
    };
    const reload: Container = {
        name: "configmap-reload",
        image: args.images?.reload ?? CONFIGMAP_RELOAD_UPSTREAM_IMAGE,
        args: configmapReloadArgs(p.configDir, PROMETHEUS3_RELOAD_URL),
        securityContext: containerSecurity(CONFIGMAP_RELOAD_UPSTREAM.runAs),
        resources: CONFIGMAP_RELOAD_UPSTREAM.resources,
        volumeMounts: [{ name: "config", mountPath: p.configDir, readOnly: true }],
    };
    return {
        automountServiceAccountToken: false,
        securityContext: podSecurity(p.runAs),
        containers: [prometheus, reload, tunnelerContainer(args.images?.tunneler)],
        volumes: [
            { name: "config", configMap: { name: args.configMapName } },
            { name: "storage", emptyDir: {} },
            ...tunnelerVolumes(args.identitySecretName),
        ],
    };
}

/** The scrape target's pod: node_exporter on 127.0.0.1:9100 and the tunneler hosting it. Nothing in it is zitified. */
export function exporterPodSpec(args: { identitySecretName: string; images?: UpstreamImages }): PodSpec {
    const e = NODE_EXPORTER;
    const exporter: Container = {
        name: "node-exporter",
        image: args.images?.exporter ?? NODE_EXPORTER_IMAGE,
        args: nodeExporterArgs(),
        securityContext: containerSecurity(),
        resources: e.resources,
        readinessProbe: exec(e.execProbe, 10),
        livenessProbe: exec(e.execProbe, 20),
    };
    return {
        automountServiceAccountToken: false,
        securityContext: podSecurity(e.runAs),
        containers: [exporter, tunnelerContainer(args.images?.tunneler)],
        volumes: tunnelerVolumes(args.identitySecretName),
    };
}
