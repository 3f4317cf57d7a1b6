// CentralPrometheus: a zitified, dark Prometheus placed anywhere (a Docker host, or a Kubernetes
// cluster) that federates `/federate` from every cluster Prometheus and scrapes every reflectz, over
// Ziti only. It listens only on the overlay, as `<n>.prometheus.svc`.
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, DEFAULT_IMAGES, networkPolicyDefault, validateScrapeName } from "../config";
import { ClusterTargets } from "../flavors/article/prometheusConfig";
import { renderPrometheusConfig } from "../plan/prometheusConfig";
import { createNamespacedWorkloads } from "./workloads";
import { DEFAULT_FLAVOR, FLAVORS, flavorNamed } from "../flavors";
import type { CentralPlace, ClusterTargets as Targets, DockerContainerPlan, NetworkPolicyPorts, RemoteWriteSpec } from "../flavors/types";
import { createCentralZiti } from "./zitiEntities";

/** Run the central Prometheus as a Deployment in a (third) Kubernetes cluster. */
export interface KubernetesPlacement {
    kind: "kubernetes";
    /** The cluster's provider (real, or rendering to `rendered/<stack>/<cluster>`). */
    provider: k8s.Provider;
    /** Namespace created for it. Defaults to `monitoring`. */
    namespace?: pulumi.Input<string>;
}

/**
 * Run the central Prometheus as a Docker container: no published ports, not on the host network, user
 * 65534, every capability dropped; prometheus.yml and the identity JSON are uploaded into the container.
 */
export interface DockerPlacement {
    kind: "docker";
    /** Docker provider for the target host; absent = the default provider. */
    provider?: docker.Provider;
    /** Container name. Defaults to `<centralName>-prometheus`. */
    containerName?: pulumi.Input<string>;
    /** Its network: `bridge` (absent: the Docker provider's default), `none`, or a user-defined network; never `host`. */
    networkMode?: pulumi.Input<string>;
}

export interface CentralPrometheusArgs {
    /** Name in the Ziti entities (`<centralName>.prometheus.id`); plain string, no `-`. Defaults to the component name. */
    centralName?: string;
    /** The clusters to federate and scrape (from cluster components or stack references). At least one. */
    clusters: pulumi.Input<pulumi.Input<ClusterTargets>[]>;
    /** Where it runs. */
    placement: KubernetesPlacement | DockerPlacement;
    /** The Prometheus image. Defaults to the flavor's (`images.prometheus` of flavors/<flavor>). */
    image?: pulumi.Input<string>;
    /** Zitified configmap-reload image (Kubernetes placement). */
    reloadImage?: pulumi.Input<string>;
    /** `match[]` selectors of the federation jobs. Defaults to `{job=~".+"}`. */
    federationMatch?: string[];
    /** Scrape interval. Defaults to `15s`. */
    scrapeInterval?: string;
    /** Edge router roles for its edge router policies. Defaults to `["#all"]`. */
    edgeRouterRoles?: pulumi.Input<pulumi.Input<string>[]>;
    /** The workload flavor (flavors/index.ts). Defaults to `article`. */
    flavor?: string;
    /** Further images of the flavor by its keys (`image` and `reloadImage` win for theirs); each defaults to the flavor's. */
    images?: Record<string, pulumi.Input<string>>;
    /**
     * Collection by remote write: the clusters push to this write service (hosted by this Prometheus' tunneler, or by
     * an external store's), and its Dial policy names each cluster's writer. `clusters` must then be a list whose
     * entries carry `remoteWrite` for this very service. Absent = it federates the clusters.
     */
    remoteWrite?: RemoteWriteSpec;
    /** What the flavor's default-deny NetworkPolicy lets the pod dial (Kubernetes placement). Defaults to the `scrape-anywhere:networkPolicy` default. */
    networkPolicy?: NetworkPolicyPorts;
}

export interface CentralPrometheusResult {
    centralName: pulumi.Output<string>;
    /** The Ziti service it binds, `<n>.prometheus.svc`. */
    serviceName: pulumi.Output<string>;
    identityName: pulumi.Output<string>;
    /** `<n>.prometheus.svc-<n>.prometheus.id`: how a Ziti client reaches it. */
    target: pulumi.Output<string>;
    /** The rendered prometheus.yml. */
    prometheusConfig: pulumi.Output<string>;
    /** Names of the clusters it federates. */
    clusterNames: pulumi.Output<string[]>;
    placement: pulumi.Output<string>;
    /** `federate` or `remoteWrite`. */
    collection: pulumi.Output<string>;
    /** With remote write: the write service the clusters push to. */
    writeService?: pulumi.Output<string>;
    /** With an external write target: the hosting identity's name and its one-time enrollment JWT (secret). */
    writeHost?: { name: pulumi.Output<string>; enrollmentJwt: pulumi.Output<string> };
}

/** A cluster's writer, when it writes to `spec`'s service; otherwise an error naming the cluster and the fix. */
export function checkWriter(owner: string, t: Targets, spec: RemoteWriteSpec): string {
    if (!t.remoteWrite) {
        throw new pulumi.RunError(`${owner}: cluster "${t.clusterName}" does not remote-write (it exports no remoteWrite): ` +
            `set scrape-anywhere:collection remoteWrite on its stack too and run \`pulumi up\` there, or use collection federate here.`);
    }
    if (t.remoteWrite.service !== spec.service) {
        throw new pulumi.RunError(`${owner}: cluster "${t.clusterName}" writes to "${t.remoteWrite.service}", but this central's write service is "${spec.service}": ` +
            `set scrape-anywhere:remoteWrite.service to the same name in both stacks.`);
    }
    return t.remoteWrite.writer;
}

/** The write path of a central with remote write: its spec and the writers, each checked as it resolves. */
function centralRemoteWrite(name: string, spec: RemoteWriteSpec, clusters: CentralPrometheusArgs["clusters"], flavorName: string,
    bad: (m: string) => never): NonNullable<CentralPlace["remoteWrite"]> {
    const flavor = flavorNamed(flavorName);
    if (!flavor.collection.supported.includes("remoteWrite")) bad(`${name}: the ${flavorName} flavor cannot receive remote writes: ${flavor.collection.why ?? ""}`);
    if (!Array.isArray(clusters)) bad(`${name}: with remoteWrite, clusters must be a list: the write service's Dial policy names each cluster's writer.`);
    return { spec, writers: (clusters as pulumi.Input<Targets>[]).map(c => pulumi.output(c).apply(t => checkWriter(name, t as Targets, spec))) };
}

function checkTargets(owner: string, clusters: ClusterTargets[]): ClusterTargets[] {
    if (clusters.length === 0) {
        throw new pulumi.RunError(`${owner}: the central Prometheus has no clusters to federate; give it at least one cluster.`);
    }
    try {
        for (const c of clusters) {
            validateScrapeName(`${owner}: cluster name`, c.clusterName);
        }
    } catch (e) {
        throw pulumi.RunError.isInstance(e) ? e : new pulumi.RunError(`${owner}: ${(e as Error).message}`);
    }
    return clusters;
}

/** Builds the central Prometheus under `parent`; the class only assigns what this returns. */
export function createCentralPrometheus(name: string, parent: pulumi.Resource, args: CentralPrometheusArgs): CentralPrometheusResult {
    const bad = (m: string): never => { throw new pulumi.ResourceError(m, parent); };
    if (!args || !args.placement) bad(`${name}: args.placement is required: {kind: "kubernetes", provider} or {kind: "docker"}.`);
    if (args.clusters === undefined) bad(`${name}: args.clusters is required: the clusters to federate.`);
    if (Array.isArray(args.clusters) && args.clusters.length === 0) {
        bad(`${name}: the central Prometheus has no clusters: give it at least one cluster to federate.`);
    }
    const centralName = args.centralName ?? name;
    try {
        validateScrapeName(`${name}: central name`, centralName);
    } catch (e) {
        if (e instanceof ConfigError) bad(e.message);
        throw e;
    }
    const flavorName = args.flavor ?? DEFAULT_FLAVOR;
    if (!(flavorName in FLAVORS)) bad(`${name}: unknown workload flavor "${flavorName}"; use one of: ${Object.keys(FLAVORS).join(", ")}.`);
    // The flavor's own Prometheus image unless one is given (the article's prometheuz only in the article flavor).
    const defaultImage = FLAVORS[flavorName].images.prometheus ?? DEFAULT_IMAGES.prometheus;
    const image = args.image ?? defaultImage;
    if (image === "") bad(`${name}: image is empty; give an image reference like "${defaultImage}".`);
    const federationMatch = args.federationMatch ?? ['{job=~".+"}'];
    const scrapeInterval = args.scrapeInterval ?? "15s";

    const flavor = flavorNamed(flavorName);
    const remoteWrite = args.remoteWrite && centralRemoteWrite(name, args.remoteWrite, args.clusters, flavorName, bad);
    const ziti = createCentralZiti(name, centralName, args.edgeRouterRoles ?? ["#all"], parent, flavorName, remoteWrite);
    const placement = args.placement;
    const place: CentralPlace = {
        kind: "central", resourcePrefix: name, name: centralName, placement: placement?.kind === "docker" ? "docker" : "kubernetes",
        images: { ...flavor.images, ...(args.images ?? {}), prometheus: image, zitiConfigmapReload: args.reloadImage ?? DEFAULT_IMAGES.zitiConfigmapReload },
        scrapeInterval, federationMatch, edgeRouterRoles: args.edgeRouterRoles ?? ["#all"], ...(remoteWrite ? { remoteWrite } : {}),
        networkPolicy: args.networkPolicy ?? networkPolicyDefault(),
    };
    const clusters = pulumi.output(args.clusters).apply(cs => checkTargets(name, cs as ClusterTargets[]));
    // The targets' form is the flavor's (prometheuz `service-terminator`, or plain Ziti service names): its config
    // builder checks them; its errors name this component.
    const prometheusConfig = clusters.apply(cs => {
        try {
            return renderPrometheusConfig(flavor.centralPrometheusConfig(place, cs));
        } catch (e) {
            throw pulumi.RunError.isInstance(e) ? e : new pulumi.RunError(`${name}: ${(e as Error).message}`);
        }
    });
    const ids = { [`${centralName}.prometheus.id`]: ziti.identity.identityJson };

    if (placement.kind === "kubernetes") {
        if (!placement.provider) bad(`${name}: placement.provider is required for the kubernetes placement.`);
        const where = { namespace: placement.namespace ?? "monitoring", namespaceOpts: { parent, provider: placement.provider }, parent, provider: placement.provider };
        ziti.afterWorkloads(createNamespacedWorkloads(name, where, namespace => flavor.centralKubernetes({ ...place, namespace }, prometheusConfig, ids)).objects);
    } else if (placement.kind === "docker") {
        if (placement.networkMode === "host") {
            bad(`${name}: placement.networkMode "host" would expose Prometheus' listeners on the host; use bridge, none, or a user-defined network.`);
        }
        ziti.afterWorkloads(createDockerCentral(flavor.centralDocker(place, prometheusConfig, ids), placement, parent));
    } else {
        bad(`${name}: unknown placement kind ${JSON.stringify((placement as { kind: unknown }).kind)}; use "kubernetes" or "docker".`);
    }

    return {
        centralName: pulumi.output(centralName),
        serviceName: ziti.service.name,
        identityName: ziti.identity.name,
        target: ziti.target,
        prometheusConfig,
        clusterNames: clusters.apply(cs => cs.map(c => c.clusterName)),
        placement: pulumi.output(placement.kind),
        collection: pulumi.output(remoteWrite ? "remoteWrite" : "federate"),
        ...(ziti.writeService ? { writeService: ziti.writeService.name } : {}),
        ...(ziti.writeHost ? { writeHost: { name: ziti.writeHost.name, enrollmentJwt: ziti.writeHost.enrollmentJwt } } : {}),
    };
}

/**
 * The flavor's Docker containers: file holders (never started, no network, mounted read-only by the others), the
 * main container (for the article flavor the same arguments, listener env, identity path and user as the dark
 * pod), and sidecars sharing its network namespace (the upstream flavor's tunneler).
 */
function createDockerCentral(c: DockerContainerPlan, placement: DockerPlacement, parent: pulumi.Resource): docker.Container[] {
    const opts = { parent, provider: placement.provider };
    const holders = (c.fileHolders ?? []).map(h => new docker.Container(h.resourceName, h.args, opts));
    const holderIds = holders.map(h => h.id);
    const mainArgs = typeof c.args === "function" ? c.args(holderIds) : c.args;
    const main = new docker.Container(c.resourceName, {
        ...mainArgs,
        ...(placement.containerName !== undefined ? { name: placement.containerName } : {}),
        ...(placement.networkMode !== undefined ? { networkMode: placement.networkMode } : {}),
    }, opts);
    const sidecars = (c.sidecars ?? []).map(sc => new docker.Container(sc.resourceName, sc.args(main.id, holderIds), opts));
    return [...holders, main, ...sidecars];
}

/** The central, dark Prometheus that federates every cluster over Ziti. */
export class CentralPrometheus extends pulumi.ComponentResource implements CentralPrometheusResult {
    public readonly centralName: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    public readonly identityName: pulumi.Output<string>;
    public readonly target: pulumi.Output<string>;
    public readonly prometheusConfig: pulumi.Output<string>;
    public readonly clusterNames: pulumi.Output<string[]>;
    public readonly placement: pulumi.Output<string>;
    public readonly collection: pulumi.Output<string>;
    public readonly writeService?: pulumi.Output<string>;
    public readonly writeHost?: CentralPrometheusResult["writeHost"];

    constructor(name: string, args: CentralPrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:central:CentralPrometheus", name, {}, opts);
        const r = createCentralPrometheus(name, this, args);
        this.centralName = r.centralName;
        this.serviceName = r.serviceName;
        this.identityName = r.identityName;
        this.target = r.target;
        this.prometheusConfig = r.prometheusConfig;
        this.clusterNames = r.clusterNames;
        this.placement = r.placement;
        this.collection = r.collection;
        this.writeService = r.writeService;
        this.writeHost = r.writeHost;
        const { writeHost, ...outputs } = r;
        this.registerOutputs({ ...outputs, writeHost: writeHost?.name });
    }
}
