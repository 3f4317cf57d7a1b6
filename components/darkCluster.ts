// DarkCluster (ClusterB): Prometheus listens only on the overlay (ZITI_LISTENER_*), a zitified
// configmap-reload reaches it over Ziti, reflectz is zitified. No Kubernetes Service, no Ingress,
// no hostPort, no hostNetwork; a tunneler only with `kubernetesApi`, hosting nothing but the API service.
// Only the Kubernetes-API scrape and that tunneler's forward touch the underlay.
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, createCluster } from "./cluster";

export type DarkClusterArgs = ClusterArgs;

/** Builds everything of a DarkCluster under `parent` (cluster.ts createCluster); the class only assigns what this returns. */
export function createDarkCluster(name: string, parent: pulumi.Resource, args: DarkClusterArgs): ClusterResult {
    return createCluster("dark", name, parent, args);
}

/** ClusterB: every workload reachable only over Ziti. */
export class DarkCluster extends ClusterComponent {
    constructor(name: string, args: DarkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:DarkCluster", "dark", name, args, opts);
    }
}
