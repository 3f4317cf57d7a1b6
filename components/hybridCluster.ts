// HybridCluster (ClusterA): Prometheus with the Ziti SDK listens on the cluster underlay behind a
// ClusterIP Service (80 -> 9090); a Ziti tunneler binds `<c>.prometheus.svc` and forwards to that
// Service (host.v1); reflectz and its scrape happen over Ziti; Prometheus scrapes the Kubernetes API over
// the underlay; with `kubernetesApi` the same tunneler also hosts `<c>.k8s.svc` for the admins.
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, createCluster } from "./cluster";
import { HYBRID_SERVICE } from "../flavors/article/ziti";

/** The port of the ClusterIP Service in front of Prometheus. */
export const SERVICE_PORT = HYBRID_SERVICE.port;
/** The name of that Service. */
export const SERVICE_NAME = HYBRID_SERVICE.name;

export type HybridClusterArgs = ClusterArgs;

/** Builds everything of a HybridCluster under `parent` (cluster.ts createCluster); the class only assigns what this returns. */
export function createHybridCluster(name: string, parent: pulumi.Resource, args: HybridClusterArgs): ClusterResult {
    return createCluster("hybrid", name, parent, args);
}

/**
 * ClusterA: Prometheus on the cluster underlay (ClusterIP 80 -> 9090), reachable from outside only
 * over Ziti through a tunneler; reflectz scraped over Ziti.
 */
export class HybridCluster extends ClusterComponent {
    constructor(name: string, args: HybridClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:HybridCluster", "hybrid", name, args, opts);
    }
}
