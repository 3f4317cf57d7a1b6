// DarkCluster (ClusterB): Prometheus listens only on the overlay (ZITI_LISTENER_*), a zitified
// configmap-reload reaches it over Ziti, reflectz is zitified. No Kubernetes Service, no Ingress,
// no hostPort, no hostNetwork; a tunneler only with `kubernetesApi`, hosting nothing but the API service.
// Only the Kubernetes-API scrape and that tunneler's forward touch the underlay.
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, clusterResult, createClusterWorkloads, resolveClusterArgs } from "./cluster";
import { createNamespace, createZitiHost } from "./kubernetes";
import { ClusterKubernetesApi, createClusterKubernetesApi } from "./kubernetesApi";
import { Identity } from "./ziti";
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

    // The Kubernetes API over Ziti: a tunneler `<c>.ziti.id` that binds only `<c>.k8s.svc` (outbound
    // connections only, no Service, no listener); without `kubernetesApi` ClusterB has no tunneler at all.
    let kubernetesApi: ClusterKubernetesApi | undefined;
    if (a.kubernetesApi) {
        const tunneler = new Identity(`${name}-ziti-id`, { name: `${a.clusterName}.ziti.id`, type: "Device" }, { parent });
        createZitiHost(name, { namespace, instance: a.clusterName, image: a.images.tunneler, identityJson: tunneler.identityJson }, opts);
        kubernetesApi = createClusterKubernetesApi(name, parent, a, tunneler);
    }

    return clusterResult(a, namespace, ziti, prometheusConfig, kubernetesApi);
}

/** ClusterB: every workload reachable only over Ziti. */
export class DarkCluster extends ClusterComponent {
    constructor(name: string, args: DarkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:DarkCluster", name, opts, parent => createDarkCluster(name, parent, args));
    }
}
