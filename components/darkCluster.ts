// DarkCluster (ClusterB): Prometheus listens only on the overlay (ZITI_LISTENER_*), a zitified
// configmap-reload reaches it over Ziti, reflectz is zitified. No Kubernetes Service, no Ingress,
// no hostPort, no hostNetwork, no tunneler: only the Kubernetes-API scrape touches the underlay.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterArgs, ClusterResult, resolveClusterArgs } from "./cluster";
import { createPrometheusRbac, createPrometheusWorkload, workloadLabels } from "./kubernetes";
import { clusterPrometheusConfig, renderPrometheusConfig } from "./prometheusConfig";
import { Reflectz } from "./reflectz";
import { createClusterZiti } from "./zitiEntities";

export type DarkClusterArgs = ClusterArgs;

/** Builds everything of a DarkCluster under `parent`; the class only assigns what this returns. */
export function createDarkCluster(name: string, parent: pulumi.Resource, args: DarkClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: a.provider };

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: a.namespace } }, opts);
    const namespace = ns.metadata.name;

    const ziti = createClusterZiti(name, { clusterName: a.clusterName, serviceNames: a.serviceNames, edgeRouterRoles: a.edgeRouterRoles }, parent);

    new Reflectz(`${name}-reflectz`, {
        provider: a.provider, namespace, instance: a.clusterName, image: a.images.reflectz,
        identityJson: ziti.reflectIdentity.identityJson,
        serviceName: ziti.reflectService.name, scrapeServiceName: ziti.reflectScrapeService.name,
    }, { parent });

    const prometheusConfig = ziti.reflectzScrapeTarget.apply(reflectzScrapeTarget =>
        renderPrometheusConfig(clusterPrometheusConfig({ clusterName: a.clusterName, reflectzScrapeTarget, scrapeInterval: a.scrapeInterval })));
    const serviceAccount = createPrometheusRbac(name, { namespace, labels: workloadLabels("prometheus", a.clusterName) }, opts);
    createPrometheusWorkload(name, {
        namespace, instance: a.clusterName, image: a.images.prometheus, config: prometheusConfig,
        identityJson: ziti.prometheusIdentity.identityJson,
        serviceAccountName: serviceAccount.metadata.name,
        listen: {
            mode: "overlay",
            reloadImage: a.images.zitiConfigmapReload,
            serviceName: ziti.prometheusService.name,
            identityName: ziti.prometheusIdentity.name,
        },
    }, opts);

    return {
        clusterName: pulumi.output(a.clusterName),
        namespace,
        serviceNames: pulumi.all([ziti.reflectService.name, ziti.reflectScrapeService.name, ziti.prometheusService.name])
            .apply(([reflect, reflectScrape, prometheus]) => ({ reflect, reflectScrape, prometheus })),
        federationTarget: ziti.federationTarget,
        reflectzScrapeTarget: ziti.reflectzScrapeTarget,
        prometheusConfig,
        identityNames: pulumi.all([ziti.reflectIdentity.name, ziti.prometheusIdentity.name]),
    };
}

/** ClusterB: every workload reachable only over Ziti. */
export class DarkCluster extends pulumi.ComponentResource implements ClusterResult {
    public readonly clusterName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    public readonly serviceNames: ClusterResult["serviceNames"];
    public readonly federationTarget: pulumi.Output<string>;
    public readonly reflectzScrapeTarget: pulumi.Output<string>;
    public readonly prometheusConfig: pulumi.Output<string>;
    public readonly identityNames: pulumi.Output<string[]>;

    constructor(name: string, args: DarkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:cluster:DarkCluster", name, {}, opts);
        const r = createDarkCluster(name, this, args);
        this.clusterName = r.clusterName;
        this.namespace = r.namespace;
        this.serviceNames = r.serviceNames;
        this.federationTarget = r.federationTarget;
        this.reflectzScrapeTarget = r.reflectzScrapeTarget;
        this.prometheusConfig = r.prometheusConfig;
        this.identityNames = r.identityNames;
        this.registerOutputs({ ...r });
    }
}
