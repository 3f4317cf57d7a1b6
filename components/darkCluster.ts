// DarkCluster (ClusterB): Prometheus listens only on the overlay (ZITI_LISTENER_*), a zitified
// configmap-reload reaches it over Ziti, reflectz is zitified. No Kubernetes Service, no Ingress,
// no hostPort, no hostNetwork, no tunneler: only the Kubernetes-API scrape touches the underlay.
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, clusterResult, createClusterWorkloads, resolveClusterArgs } from "./cluster";
import { createNamespace } from "./kubernetes";
import { createClusterZiti } from "./zitiEntities";

export type DarkClusterArgs = ClusterArgs;

/** Builds everything of a DarkCluster under `parent`; the class only assigns what this returns. */
export function createDarkCluster(name: string, parent: pulumi.Resource, args: DarkClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: a.provider };

    const ns = createNamespace(`${name}-ns`, a.namespace, opts);
    const namespace = ns.metadata.name;

    const ziti = createClusterZiti(name, { clusterName: a.clusterName, serviceNames: a.serviceNames, edgeRouterRoles: a.edgeRouterRoles }, parent);

    const prometheusConfig = createClusterWorkloads(name, parent, a, namespace, ziti, {
        mode: "overlay",
        reloadImage: a.images.zitiConfigmapReload,
        serviceName: ziti.prometheusService.name,
        identityName: ziti.prometheusIdentity.name,
    });

    return clusterResult(a, namespace, ziti, prometheusConfig);
}

/** ClusterB: every workload reachable only over Ziti. */
export class DarkCluster extends ClusterComponent {
    constructor(name: string, args: DarkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:DarkCluster", name, opts, parent => createDarkCluster(name, parent, args));
    }
}
