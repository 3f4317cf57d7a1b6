// configmap-reload for the upstream flavor: watches the mounted Prometheus ConfigMap and POSTs
// Prometheus' /-/reload on the pod's loopback. In this flavor the reload never needs Ziti.
//
// Contract, from jimmidyson/configmap-reload at v0.14.0 (the newest release the module proxy serves;
// Dockerfile, configmap-reload.go). Why this one and not the prometheus-operator's config-reloader: it
// does exactly one job (watch a directory, call a URL), has 28 go.sum lines, and is the reload the
// Prometheus chart pinned before it was zitified (the article flavor's components/workloads/configmapReload.ts
// uses its v0.5.0); the operator's reloader also renders config templates we do not need.

export const CONFIGMAP_RELOAD_UPSTREAM = {
    image: "jimmidyson/configmap-reload",
    tag: "v0.14.0",
    /** Dockerfile: `FROM gcr.io/distroless/static-debian11:nonroot`, `USER 65534` (distroless: nobody 65534:65534). */
    runAs: { user: 65534, group: 65534 },
    /** Dockerfile `ENTRYPOINT ["/configmap-reload"]`. */
    entrypoint: ["/configmap-reload"],
    flags: {
        /** configmap-reload.go `volume-dir` (repeatable). */
        volumeDir: "--volume-dir",
        /** configmap-reload.go `webhook-url`; `webhook-method` default POST, `webhook-status-code` default 200. */
        webhookUrl: "--webhook-url",
        /** configmap-reload.go `web.listen-address`, default ":9533" (its own metrics): bound to loopback here. */
        listenAddress: "--web.listen-address",
    },
    listenAddress: "127.0.0.1:9533",
    readOnlyRootFilesystem: true,
    /**
     * No probe: distroless has no shell or wget for an exec probe and its one port is on loopback, out of
     * the kubelet's reach. Resources: RSS 10 MiB measured by tier `upstream`.
     */
    resources: { requests: { cpu: "5m", memory: "16Mi" }, limits: { cpu: "50m", memory: "64Mi" } },
} as const;

export const CONFIGMAP_RELOAD_UPSTREAM_IMAGE = `${CONFIGMAP_RELOAD_UPSTREAM.image}:${CONFIGMAP_RELOAD_UPSTREAM.tag}`;

export function configmapReloadArgs(configDir: string, webhookUrl: string): string[] {
    const f = CONFIGMAP_RELOAD_UPSTREAM.flags;
    return [`${f.volumeDir}=${configDir}`, `${f.webhookUrl}=${webhookUrl}`, `${f.listenAddress}=${CONFIGMAP_RELOAD_UPSTREAM.listenAddress}`];
}
