// The upstream flavor's Prometheus configuration, as plain objects. Prometheus scrapes plain `http` on
// the pod's loopback: each target is the port its tunneler sidecar proxies to one Ziti service
// (zitiEntities.ts, proxyPorts.ts). Relabelling puts the Ziti service back into the labels, so series
// still say what they came from: `instance` is the Ziti service name, `ziti_service` too, `cluster` the
// cluster (every cluster Prometheus sets `external_labels: {cluster}`; /federate adds external labels to
// what it serves, so central keeps them with `honor_labels: true`).
// Prometheus facts: prometheus/prometheus v3.16.0 config/config.go (ScrapeConfig `honor_labels`,
// `metrics_path`, `params`, `relabel_configs`; StorageConfig `tsdb.retention.time`) and
// web/federate.go (external labels added to federated series unless already set).
import { DialedService } from "./zitiEntities";
import { assertDistinctPorts } from "./proxyPorts";
import { PROMETHEUS3 } from "./workloads/prometheus";
import { receiverStorage, remoteWriteBlock, WriteRoute } from "./remoteWrite";

export interface LoopbackJob {
    job_name: string;
    scheme: "http";
    honor_labels?: boolean;
    metrics_path?: string;
    params?: { "match[]": string[] };
    static_configs: { targets: string[]; labels: Record<string, string> }[];
    relabel_configs: { target_label: string; replacement: string }[];
}

/** A job that reaches Ziti service `d.service` through the sidecar's loopback proxy port. */
export function loopbackJob(jobName: string, d: DialedService, extra: Partial<Pick<LoopbackJob, "honor_labels" | "metrics_path" | "params">> = {},
    labels: Record<string, string> = {}): LoopbackJob {
    return {
        job_name: jobName,
        scheme: "http",
        ...extra,
        static_configs: [{ targets: [`127.0.0.1:${d.port}`], labels: { cluster: d.cluster, ziti_service: d.service, ...labels } }],
        // The address is a loopback port, meaningless outside the pod: name the instance after the service.
        relabel_configs: [{ target_label: "instance", replacement: d.service }],
    };
}

/** The label on central's own exporter scrapes (its name), which keeps them apart from the federated copies. */
export const SCRAPED_BY = "scraped_by";

/** Prometheus scraping itself on loopback (its own `up` and TSDB figures). */
function selfJob(): Record<string, unknown> {
    return { job_name: "prometheus", scheme: "http", static_configs: [{ targets: [`127.0.0.1:${PROMETHEUS3.port}`] }] };
}

const storage = () => ({ tsdb: { retention: { time: PROMETHEUS3.retention } } });

/**
 * A cluster Prometheus: its own exporter over Ziti, itself on loopback; `cluster` on everything it exports. With
 * `remoteWrite` it also pushes everything to that route through its sidecar (remoteWrite.ts); as an agent
 * (`mode: "agent"`) it has no TSDB, so no storage section.
 */
export function clusterPrometheusConfig(args: { clusterName: string; exporter: DialedService; scrapeInterval: string; remoteWrite?: WriteRoute; mode?: "server" | "agent" }): Record<string, unknown> {
    if (args.exporter.cluster !== args.clusterName) {
        throw new Error(`cluster "${args.clusterName}" cannot scrape the exporter of cluster "${args.exporter.cluster}"`);
    }
    if (args.mode === "agent" && !args.remoteWrite) throw new Error(`cluster "${args.clusterName}": an agent keeps nothing itself, it needs a remote write route`);
    return {
        global: { scrape_interval: args.scrapeInterval, evaluation_interval: args.scrapeInterval, external_labels: { cluster: args.clusterName } },
        ...(args.mode === "agent" ? {} : { storage: storage() }),
        scrape_configs: [loopbackJob(`${args.clusterName}.exporter`, args.exporter), selfJob()],
        ...(args.remoteWrite ? { remote_write: remoteWriteBlock(args.remoteWrite, [args.exporter]) } : {}),
    };
}

/**
 * The central Prometheus receiving remote writes: it scrapes only itself; the clusters' series arrive with their
 * `cluster` external label, so central tells them apart as with federation.
 */
export function receiverPrometheusConfig(args: { centralName: string; scrapeInterval: string }): Record<string, unknown> {
    return {
        global: { scrape_interval: args.scrapeInterval, evaluation_interval: args.scrapeInterval, external_labels: { prometheus: args.centralName } },
        storage: receiverStorage(),
        scrape_configs: [selfJob()],
    };
}

/** The central Prometheus: for every cluster, /federate of its Prometheus and its exporter, each over Ziti. */
export function centralPrometheusConfig(args: { centralName: string; dialed: DialedService[]; federationMatch: string[]; scrapeInterval: string }): Record<string, unknown> {
    if (args.dialed.length === 0) throw new Error(`the central Prometheus "${args.centralName}" has no clusters to federate`);
    if (args.federationMatch.length === 0) throw new Error(`the central Prometheus "${args.centralName}" needs at least one federation match[] selector`);
    assertDistinctPorts(`the central Prometheus "${args.centralName}"`, args.dialed);
    // Central's own scrape of an exporter carries `scraped_by`: without it its series are exactly the ones the cluster's
    // Prometheus federates (same job, instance, cluster, ziti_service), two sources for one series, and central
    // rejected ~30 samples a second as out of order or duplicate (found by tier flavor).
    const jobs = args.dialed.map(d => d.role === "prometheus"
        ? loopbackJob(`${d.cluster}.federate`, d, { honor_labels: true, metrics_path: "/federate", params: { "match[]": args.federationMatch } })
        : loopbackJob(`${d.cluster}.exporter`, d, {}, { [SCRAPED_BY]: args.centralName }));
    const names = jobs.map(j => j.job_name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Error(`the central Prometheus "${args.centralName}" would have two jobs "${dup}": a cluster is listed twice`);
    return {
        global: { scrape_interval: args.scrapeInterval, evaluation_interval: args.scrapeInterval, external_labels: { prometheus: args.centralName } },
        storage: storage(),
        scrape_configs: [...jobs, selfJob()],
    };
}
