// Prometheus scrape configuration, built as plain objects and rendered with the `yaml` package.
// prometheuz (Prometheus with the Ziti SDK) reads `scheme: ziti` jobs: the target is written
// `service-terminator` (split on `-`; `service-` when any terminator will do), and the identity file
// comes from `params.ziti-config` (openziti-test-kitchen/prometheus branch feature/zitify-federation:
// scrape/scrape.go getClient maps `ziti`/`zitis` to http/https and takes `ziti-config` out of the params;
// ziticonnections/ziticonnections.go splits the host on `-` and indexes the second part, so a target
// without `-` would panic there).
import { validateScrapeName } from "../../plan/names";
import type { ClusterTargets } from "../../plan/types";
import { PROMETHEUS, PROMETHEUS_IDENTITY_FILE } from "./prometheus";

/** The identity file the ziti jobs name: where the Prometheus workload mounts (or uploads) its identity. */
const IDENTITY_FILE = PROMETHEUS_IDENTITY_FILE;

export type { ClusterTargets } from "../../plan/types";

/**
 * A prometheuz target: `service-terminator`, or `service-` to reach any terminator.
 * Throws when either part contains `-`, since prometheuz would split it in the wrong place.
 */
export function zitiTarget(service: string, terminator?: string): string {
    validateScrapeName("Ziti service name", service);
    if (terminator) validateScrapeName("Ziti terminator (identity) name", terminator);
    return `${service}-${terminator ?? ""}`;
}

/** Splits a `service-terminator` target back into its parts, as prometheuz does. */
export function parseZitiTarget(target: string): { service: string; terminator: string } {
    const i = target.indexOf("-");
    if (i <= 0 || target.indexOf("-", i + 1) !== -1) {
        throw new Error(`"${target}" is not a prometheuz target written 'service-terminator' (exactly one '-', service first).`);
    }
    return { service: target.slice(0, i), terminator: target.slice(i + 1) };
}

/** A Prometheus job that reaches its targets over Ziti. */
export interface ZitiJob {
    job_name: string;
    scheme: "ziti";
    honor_labels?: boolean;
    metrics_path?: string;
    scrape_interval?: string;
    params: { "ziti-config": string[]; "match[]"?: string[] };
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

/** A job that scrapes a reflectz metrics service over Ziti. */
export function reflectzJob(clusterName: string, target: string, identityFile = IDENTITY_FILE): ZitiJob {
    parseZitiTarget(target);
    return {
        job_name: `${clusterName}.reflectz`,
        scheme: "ziti",
        honor_labels: true,
        params: { "ziti-config": [identityFile] },
        static_configs: [{ targets: [target], labels: { cluster: clusterName } }],
    };
}

/** A job that federates (`/federate`) a cluster Prometheus over Ziti. */
export function federationJob(clusterName: string, target: string, match: string[], identityFile = IDENTITY_FILE): ZitiJob {
    parseZitiTarget(target);
    if (match.length === 0) throw new Error(`federation job for ${clusterName} needs at least one match[] selector`);
    return {
        job_name: `${clusterName}.federate`,
        scheme: "ziti",
        honor_labels: true,
        metrics_path: "/federate",
        params: { "match[]": match, "ziti-config": [identityFile] },
        static_configs: [{ targets: [target], labels: { cluster: clusterName } }],
    };
}

/** Jobs that watch the cluster's own Kubernetes API over the underlay (the one thing that cannot go over Ziti). */
export function kubernetesJobs(): Record<string, unknown>[] {
    const sa = PROMETHEUS.serviceAccountDir;
    const tls = { ca_file: `${sa}/ca.crt` };
    const authorization = { credentials_file: `${sa}/token` };
    return [
        {
            job_name: "kubernetes-apiservers",
            scheme: "https",
            tls_config: tls,
            authorization,
            kubernetes_sd_configs: [{ role: "endpoints" }],
            relabel_configs: [{
                source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
                action: "keep",
                regex: "default;kubernetes;https",
            }],
        },
        {
            job_name: "kubernetes-nodes",
            scheme: "https",
            tls_config: tls,
            authorization,
            // Straight to each kubelet (the node role's address is the node's address and kubelet port: prometheus/prometheus v0.316.0
            // discovery/kubernetes/node.go), path /metrics, which the kubelet authorizes as `nodes/metrics`
            // (k8s.io/kubernetes v1.37.2 pkg/kubelet/server/auth.go). Not through the API server's node proxy
            // (/api/v1/nodes/<n>/proxy/...): that needs `nodes/proxy`, which also reaches the kubelet's exec and
            // attach endpoints. The kubelet's serving certificate must verify against the cluster CA (kubelet
            // serverTLSBootstrap); verification is never skipped, so the token goes to no one else.
            kubernetes_sd_configs: [{ role: "node" }],
            relabel_configs: [
                { action: "labelmap", regex: "__meta_kubernetes_node_label_(.+)" },
            ],
        },
    ];
}

export interface ClusterPrometheusConfigArgs {
    clusterName: string;
    /** The reflectz metrics target of this cluster. */
    reflectzScrapeTarget: string;
    scrapeInterval: string;
}

/** The configuration of a cluster Prometheus: its own reflectz over Ziti, the Kubernetes API over the underlay. */
export function clusterPrometheusConfig(args: ClusterPrometheusConfigArgs): Record<string, unknown> {
    return {
        global: {
            scrape_interval: args.scrapeInterval,
            evaluation_interval: args.scrapeInterval,
            external_labels: { cluster: args.clusterName },
        },
        scrape_configs: [reflectzJob(args.clusterName, args.reflectzScrapeTarget), ...kubernetesJobs()],
    };
}

export interface CentralPrometheusConfigArgs {
    centralName: string;
    clusters: ClusterTargets[];
    federationMatch: string[];
    scrapeInterval: string;
}

/** The configuration of the central Prometheus: for every cluster, federation and reflectz, over Ziti only. */
export function centralPrometheusConfig(args: CentralPrometheusConfigArgs): Record<string, unknown> {
    if (args.clusters.length === 0) {
        throw new Error(`the central Prometheus "${args.centralName}" has no clusters to federate`);
    }
    const names = new Set<string>();
    for (const c of args.clusters) {
        if (names.has(c.clusterName)) throw new Error(`cluster "${c.clusterName}" is listed twice for the central Prometheus`);
        names.add(c.clusterName);
    }
    return {
        global: {
            scrape_interval: args.scrapeInterval,
            evaluation_interval: args.scrapeInterval,
            external_labels: { prometheus: args.centralName },
        },
        scrape_configs: args.clusters.flatMap(c => [
            federationJob(c.clusterName, c.federationTarget, args.federationMatch),
            reflectzJob(c.clusterName, c.reflectzScrapeTarget),
        ]),
    };
}
