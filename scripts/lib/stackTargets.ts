// What a deployed stack should have on the Ziti network, read from its outputs (`pulumi stack output --json`):
// every service on the metrics path with the cluster it belongs to, its role, and the identities that must be
// able to dial it. Plain data, no I/O: `scripts/verify.ts` and `scripts/summary.ts` check it against the
// controller (zitiCheck.ts) and the central Prometheus (scrapeStatus.ts).
//
// Both flavors export the same outputs (components/topology.ts clusterExport, index.ts): a cluster's
// `federationTarget` (its Prometheus service; in the article flavor written `service-terminator`, split on
// `-` as prometheuz does) and `reflectzScrapeTarget` (its scrape target: reflectz or node_exporter), the
// Kubernetes API service and its admins, the central Prometheus' service and identity, the human clients.
// Identity names the outputs do not carry follow the plan's fixed pattern: a cluster's Prometheus dials its
// scrape target as `<cluster>.prometheus.id` in both flavors (flavors/*/ziti*.ts).

/** Where a service sits on the metrics path. */
export type ServiceRole = "prometheus" | "target" | "kubernetes-api" | "central";

export interface ExpectedService {
    service: string;
    /** The cluster it belongs to; undefined for the central Prometheus. */
    cluster?: string;
    role: ServiceRole;
    /** Identities that must be able to dial it (a Dial grant and a common online edge router). */
    dialers: string[];
    /** Why those: one phrase per dialer, same order. */
    because: string[];
}

/** The outputs of one cluster as its stack (or the dev stack's clusterOutputs) exports them. */
export interface ClusterOutputs {
    clusterName?: string;
    federationTarget?: string;
    reflectzScrapeTarget?: string;
    kubernetesApi?: { serviceName: string; admins?: string[] };
}

/** The outputs `verify` reads (any role); other fields are ignored. */
export interface StackOutputsJson {
    role?: string;
    clusterName?: string;
    federationTarget?: string;
    reflectzScrapeTarget?: string;
    kubernetesApi?: { serviceName: string; admins?: string[] };
    clusterOutputs?: Record<string, ClusterOutputs>;
    centralPrometheus?: { name: string; serviceName: string; identityName: string; target?: string; federates?: string[] };
    clientIdentities?: string[];
}

/** A scrape address of either flavor -> the Ziti service: `kubeA.prometheus.svc-` and `kubeA.prometheus.svc` alike. */
export function serviceOfTarget(target: string): string {
    return target.replace(/-.*$/, "");
}

/** The clusters of a stack by name: the dev stack's clusterOutputs, a cluster stack's own, or those a central stack read. */
export function clustersOf(outputs: StackOutputsJson, referenced: Record<string, ClusterOutputs> = {}): Record<string, ClusterOutputs> {
    if (outputs.clusterOutputs) return outputs.clusterOutputs;
    if (outputs.clusterName) return { [outputs.clusterName]: outputs };
    return referenced;
}

/**
 * The services of the stack on the metrics path, in a stable order (cluster by cluster, then central), each with
 * the identities that must dial it. Central's identity dials every cluster's Prometheus (federation) and scrape
 * target when central is in the same stack (dev) or reads the cluster through a stack reference (central role).
 */
export function expectedServices(outputs: StackOutputsJson, referenced: Record<string, ClusterOutputs> = {}): ExpectedService[] {
    const central = outputs.centralPrometheus;
    const clusters = clustersOf(outputs, referenced);
    const out: ExpectedService[] = [];
    const add = (s: Omit<ExpectedService, "dialers" | "because">, dialers: [string, string][]) =>
        out.push({ ...s, dialers: dialers.map(d => d[0]), because: dialers.map(d => d[1]) });
    for (const [name, c] of Object.entries(clusters)) {
        const cluster = c.clusterName ?? name;
        const byCentral: [string, string][] = central ? [[central.identityName, "the central Prometheus federates/scrapes it"]] : [];
        if (c.federationTarget) add({ service: serviceOfTarget(c.federationTarget), cluster, role: "prometheus" }, byCentral);
        if (c.reflectzScrapeTarget) {
            add({ service: serviceOfTarget(c.reflectzScrapeTarget), cluster, role: "target" },
                [[`${cluster}.prometheus.id`, `the Prometheus of ${cluster} scrapes it`], ...byCentral]);
        }
        if (c.kubernetesApi) {
            add({ service: c.kubernetesApi.serviceName, cluster, role: "kubernetes-api" },
                (c.kubernetesApi.admins ?? []).map(a => [a, "a Kubernetes API admin"] as [string, string]));
        }
    }
    if (central) {
        add({ service: central.serviceName, role: "central" }, (outputs.clientIdentities ?? []).map(n => [n, "a human client (npm run ui)"] as [string, string]));
    }
    return out;
}
