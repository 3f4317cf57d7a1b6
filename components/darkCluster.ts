// DarkCluster (ClusterB): Prometheus listens only on the overlay (ZITI_LISTENER_*), a zitified
// configmap-reload reaches it over Ziti, reflectz is zitified. No Kubernetes Service, no Ingress,
// no hostPort, no hostNetwork; a tunneler only with `kubernetesApi`, hosting nothing but the API service.
// Only the Kubernetes-API scrape and that tunneler's forward touch the underlay.
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, clusterResult, createClusterWorkloads, resolveClusterArgs } from "./cluster";
import { createNamespace } from "./kubernetes";
import { createClusterKubernetesApi, deployThroughOptions } from "./kubernetesApi";
import { createClusterZiti, createTunnelerIdentity } from "./zitiEntities";

export type DarkClusterArgs = ClusterArgs;

/** Builds everything of a DarkCluster under `parent`; the class only assigns what this returns. */
export function createDarkCluster(name: string, parent: pulumi.Resource, args: DarkClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: a.provider };

    // The Kubernetes API over Ziti: a tunneler `<c>.ziti.id` that binds only `<c>.k8s.svc` (outbound
    // connections only, no Service, no listener); without `kubernetesApi` ClusterB has no tunneler at all.
    // Made before the namespace: a cluster deployed through that service waits for it (deployThroughOptions).
    const tunneler = a.kubernetesApi ? createTunnelerIdentity(name, a.clusterName, parent) : undefined;
    const kubernetesApi = tunneler && createClusterKubernetesApi(name, parent, a, tunneler);
    const through = deployThroughOptions(kubernetesApi, a.kubernetesApi?.deployThrough, opts);

    // The Ziti entities before any Kubernetes object, so the Ziti provider starts first (see createHybridCluster).
    const ziti = createClusterZiti(name, {
        clusterName: a.clusterName, kind: "dark", namespace: a.namespace, serviceNames: a.serviceNames, edgeRouterRoles: a.edgeRouterRoles,
        tunnelerIdentity: tunneler, flavor: a.flavor, ...(a.kubernetesApi ? { kubernetesApi: { serviceName: a.kubernetesApi.serviceName } } : {}),
    }, parent);

    const ns = createNamespace(`${name}-ns`, a.namespace, through.ns);
    const namespace = ns.metadata.name;

    // The flavor's workloads: reflectz, the overlay-only Prometheus, and the tunneler only with the API service.
    const prometheusConfig = createClusterWorkloads(name, parent, a, "dark", namespace, ziti, tunneler, through.tunneler);

    return clusterResult(a, namespace, ziti, prometheusConfig, kubernetesApi);
}

/** ClusterB: every workload reachable only over Ziti. */
export class DarkCluster extends ClusterComponent {
    constructor(name: string, args: DarkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:DarkCluster", name, opts, parent => createDarkCluster(name, parent, args));
    }
}
