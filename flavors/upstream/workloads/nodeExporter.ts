// The scrape target of the upstream flavor: an ordinary, unmodified exporter, the Prometheus project's
// node_exporter. Why this one: it is the most widely deployed official exporter, published by the same
// project and on the same busybox base as prom/prometheus (so exec probes work the same way), it runs as
// nobody and serves plain HTTP with a bindable listen address; nothing in it knows about Ziti.
//
// Contract, from prometheus/node_exporter at v1.12.1 (the newest release the module proxy serves;
// Dockerfile, node_exporter.go, .promu.yml).

export const NODE_EXPORTER = {
    /** Makefile.common `DOCKER_REPO ?= prom`, DOCKER_IMAGE_NAME node-exporter. */
    image: "prom/node-exporter",
    tag: "v1.12.1",
    version: "1.12.1",
    /** Dockerfile `USER nobody` on quay.io/prometheus/busybox. */
    runAs: { user: 65534, group: 65534 },
    /** Dockerfile `ENTRYPOINT [ "/bin/node_exporter" ]`, no CMD, no WORKDIR, no VOLUME. */
    entrypoint: ["/bin/node_exporter"],
    /** Dockerfile `EXPOSE 9100`; node_exporter.go uses exporter-toolkit's `--web.listen-address` (default ":9100"). */
    port: 9100,
    /** Bound to loopback: only its tunneler sidecar reaches it. */
    listenAddress: "127.0.0.1:9100",
    flags: { listenAddress: "--web.listen-address" },
    /** The landing page at `/` answers 200 once the HTTP server runs (node_exporter.go landing page); busybox `wget`. */
    execProbe: ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9100/"],
    readOnlyRootFilesystem: true,
    /** Measured by tier `upstream`: RSS 17 MiB with its default collectors, scraped; request 32Mi above it. */
    resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    /**
     * What a build here differs in: built with CGO_ENABLED=0 (the published linux/amd64 binary is also
     * built without cgo by promu); same module, same version stamp.
     */
} as const;

export const NODE_EXPORTER_IMAGE = `${NODE_EXPORTER.image}:${NODE_EXPORTER.tag}`;

export function nodeExporterArgs(): string[] {
    return [`${NODE_EXPORTER.flags.listenAddress}=${NODE_EXPORTER.listenAddress}`];
}
