// Stock Prometheus 3 (the upstream flavor): no Ziti inside. Its tunneler sidecar (zitiTunnel.ts) hosts
// its web port for the overlay and opens loopback proxies for what it scrapes, so Prometheus itself
// only ever speaks plain HTTP on the pod's loopback (and, in the hybrid cluster, on the pod IP).
//
// Contract, from prometheus/prometheus at v3.16.0 (Go module github.com/prometheus/prometheus v0.316.0;
// Dockerfile, cmd/prometheus/main.go, config/config.go, .promu.yml, web/ui/ui.go).
// Why 3.16.0: the newest 3.x release the module proxy serves (`go list -m -versions`: ... v0.315.1,
// v0.316.0; no v0.316.x patch yet); 3.x keeps the `--web.listen-address`/`/federate`/`/-/reload`
// contract this project relies on and adds what issue 26 needs (`--agent`, remote-write receiver).

export const PROMETHEUS3 = {
    /** The image the Makefile.common `DOCKER_REPO ?= prom` publishes (`quay.io/prometheus/prometheus` carries the same). */
    image: "prom/prometheus",
    /** Release v3.16.0 (VERSION file: 3.16.0); tags are `v<version>`. */
    tag: "v3.16.0",
    version: "3.16.0",
    /** Dockerfile `USER nobody` on quay.io/prometheus/busybox (nobody = 65534:65534). */
    runAs: { user: 65534, group: 65534 },
    /** Dockerfile `ENTRYPOINT [ "/bin/prometheus" ]`; the pod passes arguments only (`args`). */
    entrypoint: ["/bin/prometheus"],
    /** Dockerfile `CMD`: what a pod without `args` would run (ours replaces it; kept for the image builder). */
    cmd: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
    /** Dockerfile `WORKDIR /prometheus`. */
    workingDir: "/prometheus",
    /** Dockerfile `VOLUME [ "/prometheus" ]` (owned by nobody, g+w): the TSDB and queries.active. */
    storageDir: "/prometheus",
    /** Dockerfile `EXPOSE 9090`; main.go `web.listen-address` default "0.0.0.0:9090". */
    port: 9090,
    /** Where our ConfigMap is mounted (a directory of its own, so configmap-reload watches only it). */
    configDir: "/etc/config",
    configFileName: "prometheus.yml",
    flags: {
        configFile: "--config.file",
        storagePath: "--storage.tsdb.path",
        /** main.go: `web.listen-address` "Can be repeated." (a list since 3.x). */
        listenAddress: "--web.listen-address",
        /** main.go `web.enable-lifecycle` (default false): POST /-/reload, which configmap-reload calls. */
        lifecycle: "--web.enable-lifecycle",
        /** Remote write (issue 26, remoteWrite.ts): main.go `agent` ("Run Prometheus in 'Agent mode'") with the
         *  agent-only `storage.agent.path` (default "data-agent/"; `storage.tsdb.path` is server-only), and
         *  `web.enable-remote-write-receiver` ("Enable API endpoint accepting remote write requests"). */
        agent: "--agent",
        agentStoragePath: "--storage.agent.path",
        remoteWriteReceiver: "--web.enable-remote-write-receiver",
    },
    /**
     * Retention: 3.16 marks `--storage.tsdb.retention.time` "[DEPRECATED] ... use the
     * storage.tsdb.retention.time field in the config file instead" (main.go; config/config.go
     * TSDBRetentionConfig `time`), so it goes into prometheus.yml (`storage.tsdb.retention.time`).
     */
    retention: "15d",
    /** Listeners: the web server only. Dark: loopback only. Hybrid: every address (the pod IP for the ClusterIP Service). */
    listenAddress: { dark: "127.0.0.1:9090", hybrid: "0.0.0.0:9090" },
    /** web/web.go routes /-/ready and /-/healthy (200 when ready / alive), as in the prometheus chart's probes. */
    probes: { readyPath: "/-/ready", healthyPath: "/-/healthy" },
    /**
     * Exec probes where the kubelet cannot reach the port (dark pods): the image's busybox `wget`
     * (quay.io/prometheus/busybox is busybox with its applets in /bin).
     */
    execProbe: (path: string, port: number) => ["wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${port}${path}`],
    /** Writes only to storageDir (an emptyDir): a read-only root filesystem holds. */
    readOnlyRootFilesystem: true,
    /**
     * Measured by tier `upstream` (test/upstream/processes.spec.ts prints it): RSS 96 MiB with the flavor's
     * cluster config, 17 s after start, empty TSDB. The request sits above that; the limit leaves room for
     * head compaction and federate queries (a longer soak was not measured).
     */
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    /**
     * What a build here differs in from the published image (scripts/tools.sh builds cmd/prometheus from the
     * module at v0.316.0): without the `builtinassets` tag of .promu.yml (the React UI is built by npm in
     * web/ui and is not in the module zip), so the web UI pages are absent (web/ui/ui.go reads them from
     * the source tree) while the HTTP API, /federate, /-/ready and /-/reload are the same code; promtool
     * and the example prometheus.yml of the image are not built.
     */
} as const;

export const PROMETHEUS3_IMAGE = `${PROMETHEUS3.image}:${PROMETHEUS3.tag}`;
export const PROMETHEUS3_CONFIG_FILE = `${PROMETHEUS3.configDir}/${PROMETHEUS3.configFileName}`;
/** The reload webhook configmap-reload calls, on the pod's loopback. */
export const PROMETHEUS3_RELOAD_URL = `http://127.0.0.1:${PROMETHEUS3.port}/-/reload`;

/**
 * Prometheus' arguments (ENTRYPOINT /bin/prometheus). `mode`: a full `server` (default), an `agent` (scrapes and
 * remote-writes, WAL only: its storage flag is the agent's), or a server that also `receive`s remote writes.
 */
export function prometheus3Args(place: "dark" | "hybrid", mode: "server" | "agent" | "receiver" = "server"): string[] {
    const f = PROMETHEUS3.flags;
    return [
        `${f.configFile}=${PROMETHEUS3_CONFIG_FILE}`,
        ...(mode === "agent" ? [f.agent, `${f.agentStoragePath}=${PROMETHEUS3.storageDir}`] : [`${f.storagePath}=${PROMETHEUS3.storageDir}`]),
        `${f.listenAddress}=${PROMETHEUS3.listenAddress[place]}`,
        f.lifecycle,
        ...(mode === "receiver" ? [f.remoteWriteReceiver] : []),
    ];
}
