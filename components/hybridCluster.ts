// HybridCluster (ClusterA): Prometheus with the Ziti SDK listens on the cluster underlay behind a
// ClusterIP Service (80 -> 9090); a Ziti tunneler binds `<c>.prometheus.svc` and forwards to that
// Service (host.v1); reflectz and its scrape happen over Ziti; the Kubernetes API over the underlay.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterComponent, ClusterResult, clusterResult, createClusterWorkloads, resolveClusterArgs } from "./cluster";
import { createDeployment, createIdentitySecret, createNamespace, workloadLabels } from "./kubernetes";
import { IDENTITY_KEY, PROMETHEUS_PORT } from "./prometheusConfig";
import { createClusterZiti } from "./zitiEntities";

/** The port of the ClusterIP Service in front of Prometheus. */
export const SERVICE_PORT = 80;

export type HybridClusterArgs = ClusterArgs;

/** Builds everything of a HybridCluster under `parent`; the class only assigns what this returns. */
export function createHybridCluster(name: string, parent: pulumi.Resource, args: HybridClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: a.provider };

    const ns = createNamespace(`${name}-ns`, a.namespace, opts);
    const namespace = ns.metadata.name;
    const promLabels = workloadLabels("prometheus", a.clusterName);

    // The ClusterIP Service first: the tunneler's host.v1 config forwards to its DNS name.
    const service = new k8s.core.v1.Service(`${name}-prometheus-svc`, {
        metadata: { name: "prometheus", namespace, labels: promLabels },
        spec: {
            type: "ClusterIP",
            selector: promLabels,
            ports: [{ name: "web", protocol: "TCP", port: SERVICE_PORT, targetPort: PROMETHEUS_PORT }],
        },
    }, opts);

    const ziti = createClusterZiti(name, {
        clusterName: a.clusterName,
        serviceNames: a.serviceNames,
        hostedAt: { address: pulumi.interpolate`${service.metadata.name}.${namespace}.svc`, port: SERVICE_PORT },
        edgeRouterRoles: a.edgeRouterRoles,
    }, parent);

    const prometheusConfig = createClusterWorkloads(name, parent, a, namespace, ziti, { mode: "underlay", reloadImage: a.images.configmapReload });

    // The tunneler: binds `<c>.prometheus.svc` as `<c>.ziti.id` and forwards to the ClusterIP Service.
    const tunnelerLabels = workloadLabels("ziti-host", a.clusterName);
    const tunnelerSecret = createIdentitySecret(`${name}-ziti-host-identity`, {
        namespace, secretName: "ziti-host-identity", identityJson: ziti.tunnelerIdentity!.identityJson, labels: tunnelerLabels,
    }, opts);
    createDeployment(`${name}-ziti-host`, {
        name: "ziti-host", namespace, labels: tunnelerLabels,
        podSpec: {
            automountServiceAccountToken: false,
            containers: [{
                name: "ziti-host",
                image: a.images.tunneler,
                args: ["run-host"],
                env: [{ name: "ZITI_IDENTITY_BASENAME", value: "ziti_id" }],
                volumeMounts: [{ name: "ziti-identity", mountPath: "/netfoundry", readOnly: true }],
            }],
            volumes: [{
                name: "ziti-identity",
                secret: { secretName: tunnelerSecret.metadata.name, defaultMode: 0o400, items: [{ key: IDENTITY_KEY, path: "ziti_id.json" }] },
            }],
        },
    }, opts);

    return clusterResult(a, namespace, ziti, prometheusConfig);
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
