// HybridCluster (ClusterA): Prometheus with the Ziti SDK listens on the cluster underlay behind a
// ClusterIP Service (80 -> 9090); a Ziti tunneler binds `<c>.prometheus.svc` and forwards to that
// Service (host.v1); reflectz and its scrape happen over Ziti; Prometheus scrapes the Kubernetes API over
// the underlay; with `kubernetesApi` the same tunneler also hosts `<c>.k8s.svc` for the admins.
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, clusterResult, createClusterWorkloads, resolveClusterArgs } from "./cluster";
import { createNamespace } from "./kubernetes";
import { createClusterKubernetesApi, deployThroughOptions } from "./kubernetesApi";
import { HYBRID_SERVICE } from "../flavors/article/ziti";
import { createClusterZiti, createTunnelerIdentity } from "./zitiEntities";

/** The port of the ClusterIP Service in front of Prometheus. */
export const SERVICE_PORT = HYBRID_SERVICE.port;
/** The name of that Service. */
export const SERVICE_NAME = HYBRID_SERVICE.name;

export type HybridClusterArgs = ClusterArgs;

/** Builds everything of a HybridCluster under `parent`; the class only assigns what this returns. */
export function createHybridCluster(name: string, parent: pulumi.Resource, args: HybridClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: a.provider };

    // The tunneler's identity and the Kubernetes API service first: a cluster deployed through that
    // service has its namespace (and so every object in it) wait for them (deployThroughOptions).
    const tunnelerIdentity = createTunnelerIdentity(name, a.clusterName, parent);
    const kubernetesApi = createClusterKubernetesApi(name, parent, a, tunnelerIdentity);
    const through = deployThroughOptions(kubernetesApi, a.kubernetesApi?.deployThrough, opts);

    // The Ziti entities before any Kubernetes object, from known names (the Service's DNS name is
    // `<SERVICE_NAME>.<namespace>.svc`), not from the Kubernetes objects' outputs: the engine starts the Ziti provider
    // when the first Ziti resource registers and each Kubernetes plugin when its first object does, one after the
    // other, so the host.v1 config and what hangs on it need not wait for the Kubernetes plugin (bench/RESULTS.md).
    const ziti = createClusterZiti(name, {
        clusterName: a.clusterName,
        kind: "hybrid",
        namespace: a.namespace,
        serviceNames: a.serviceNames,
        edgeRouterRoles: a.edgeRouterRoles,
        tunnelerIdentity,
        flavor: a.flavor,
        ...(a.kubernetesApi ? { kubernetesApi: { serviceName: a.kubernetesApi.serviceName } } : {}),
    }, parent);

    const ns = createNamespace(`${name}-ns`, a.namespace, through.ns);
    const namespace = ns.metadata.name;

    // The flavor's workloads: the ClusterIP Service the tunneler's host.v1 config forwards to, reflectz, Prometheus on the
    // underlay, and the tunneler that binds `<c>.prometheus.svc` as `<c>.ziti.id` (and `<c>.k8s.svc` with the API service).
    const prometheusConfig = createClusterWorkloads(name, parent, a, "hybrid", namespace, ziti, tunnelerIdentity, through.tunneler);

    return clusterResult(a, namespace, ziti, prometheusConfig, kubernetesApi);
}

/**
 * ClusterA: Prometheus on the cluster underlay (ClusterIP 80 -> 9090), reachable from outside only
 * over Ziti through a tunneler; reflectz scraped over Ziti.
 */
export class HybridCluster extends ClusterComponent {
    constructor(name: string, args: HybridClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:HybridCluster", name, opts, parent => createHybridCluster(name, parent, args));
    }
}
