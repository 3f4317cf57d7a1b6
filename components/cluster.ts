// What HybridCluster and DarkCluster share: their arguments, their outputs, the argument checks, the
// workloads both run (reflectz, and Prometheus with Kubernetes API access) and the component class.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterServiceNames, ConfigError, DEFAULT_IMAGES, defaultServiceNames, Images, keyDefault, kubernetesApiServiceName, validateScrapeName } from "../config";
import { ClusterTargets, renderPrometheusConfig } from "../flavors/article/prometheusConfig";
import { DEFAULT_FLAVOR, FLAVORS, flavorNamed } from "../flavors";
import type { ClusterPlace, ClusterWrite, RemoteWriteSpec } from "../flavors/types";
import type { Identity } from "../provider";
import { createPlannedWorkloads } from "./workloads";
import { createNamespace } from "./kubernetes";
import { ClusterKubernetesApi, createClusterKubernetesApi } from "./kubernetesApi";
import { ClusterZiti, createClusterZiti, createTunnelerIdentity } from "./zitiEntities";

/** Arguments of a cluster component (HybridCluster or DarkCluster). */
export interface ClusterArgs {
    /**
     * Cluster name used in every Ziti entity name (`<clusterName>.reflect.id`, `<clusterName>.prometheus.svc`).
     * A plain string (it names resources); letters, digits and `_` only — never `-`, which prometheuz
     * uses to split scrape targets. Defaults to the component name.
     */
    clusterName?: string;
    /** Ziti service names; defaults to `<c>.reflect.svc`, `<c>.reflect.scrape.svc`, `<c>.prometheus.svc`. */
    serviceNames?: Partial<ClusterServiceNames>;
    /** The cluster's Kubernetes provider (real cluster, or rendering to `rendered/<stack>/<cluster>`). Required. */
    provider: k8s.Provider;
    /** Namespace created for the workloads. Defaults to the `scrape-anywhere:namespace` default (config/schema.ts). */
    namespace?: pulumi.Input<string>;
    /** Container images; each defaults to DEFAULT_IMAGES. */
    images?: { [K in keyof Images]?: pulumi.Input<string> };
    /** Prometheus scrape interval. Defaults to the `scrape-anywhere:scrapeInterval` default. */
    scrapeInterval?: string;
    /** Edge router roles for the cluster's edge router policies. Defaults to the `scrape-anywhere:edgeRouterRoles` default. */
    edgeRouterRoles?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The cluster's Kubernetes API as a Ziti service (DESIGN 4c), hosted by the in-cluster tunneler:
     * `serviceName` defaults to `<c>.k8s.svc`; `admins` are the identity names that may dial it (at least
     * one; pass the admins' `name` outputs so the Dial policy waits for them). Absent = no such service.
     */
    kubernetesApi?: KubernetesApiArgs;
    /** The workload flavor (flavors/index.ts): which images run and how they reach the overlay. Defaults to `article`. */
    flavor?: string;
    /**
     * Collection by remote write (`scrape-anywhere:collection remoteWrite`): the cluster Prometheus pushes everything to
     * this write service (its flavor must support it). Absent = the central Prometheus federates it.
     */
    remoteWrite?: RemoteWriteSpec;
}

/** The Kubernetes API over Ziti of one cluster (ClusterArgs.kubernetesApi). */
export interface KubernetesApiArgs {
    /** The Ziti service name; default `<c>.k8s.svc`. */
    serviceName?: string;
    /** Identity names that may dial it; at least one. Pass the admins' `name` outputs so the Dial policy waits for them. */
    admins: pulumi.Input<string>[];
    /**
     * Set when this cluster's own Kubernetes provider reaches the API server through this service
     * (`apiOverZiti`). Every Kubernetes object then waits for the service and its policies (and on destroy
     * goes before them), and the namespace and its ziti-host tunneler are kept on delete (retainOnDelete):
     * the tunnel that carries a destroy cannot delete its own tunneler through itself.
     */
    deployThrough?: boolean;
}

/** Arguments after defaults and checks. */
export interface ResolvedClusterArgs {
    clusterName: string;
    serviceNames: ClusterServiceNames;
    provider: k8s.Provider;
    namespace: pulumi.Input<string>;
    images: { [K in keyof Images]: pulumi.Input<string> };
    scrapeInterval: string;
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
    kubernetesApi?: { serviceName: string; admins: pulumi.Input<string>[]; deployThrough: boolean };
    flavor: string;
    remoteWrite?: RemoteWriteSpec;
}

/** The outputs both cluster components expose, and that a cluster stack exports for the central one. */
export interface ClusterResult {
    clusterName: pulumi.Output<string>;
    namespace: pulumi.Output<string>;
    serviceNames: pulumi.Output<ClusterServiceNames>;
    federationTarget: pulumi.Output<string>;
    reflectzScrapeTarget: pulumi.Output<string>;
    /** The rendered prometheus.yml of the cluster Prometheus. */
    prometheusConfig: pulumi.Output<string>;
    /** Names of the Ziti identities the cluster's workloads use. */
    identityNames: pulumi.Output<string[]>;
    /** The Kubernetes API service, when `kubernetesApi` is set. */
    kubernetesApi?: ClusterKubernetesApi;
    /** With remote write: the write service, the endpoint's path and the writing identity (central's Dial policy names it). */
    remoteWrite?: pulumi.Output<ClusterWrite>;
}

/** Checks and defaults cluster arguments; throws `pulumi.ResourceError` on `parent` with the fix. */
export function resolveClusterArgs(name: string, args: ClusterArgs, parent: pulumi.Resource): ResolvedClusterArgs {
    const bad = (m: string): never => { throw new pulumi.ResourceError(m, parent); };
    if (!args || !args.provider) bad(`${name}: args.provider is required: pass the cluster's k8s.Provider (one explicit provider per cluster).`);
    const clusterName = args.clusterName ?? name;
    const serviceNames = { ...defaultServiceNames(clusterName), ...(args.serviceNames ?? {}) };
    try {
        validateScrapeName(`${name}: cluster name`, clusterName);
        for (const [k, v] of Object.entries(serviceNames)) validateScrapeName(`${name}: serviceNames.${k}`, v);
    } catch (e) {
        if (e instanceof ConfigError) bad(e.message);
        throw e;
    }
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(clusterName)) {
        bad(`${name}: cluster name "${clusterName}" must start with a letter and hold only letters, digits and '_'.`);
    }
    let kubernetesApi: ResolvedClusterArgs["kubernetesApi"];
    if (args.kubernetesApi) {
        if (!Array.isArray(args.kubernetesApi.admins) || args.kubernetesApi.admins.length === 0) {
            bad(`${name}: kubernetesApi.admins is empty: name at least one admin identity that may dial the cluster's API service (never #all).`);
        }
        kubernetesApi = {
            serviceName: args.kubernetesApi.serviceName ?? kubernetesApiServiceName(clusterName),
            admins: args.kubernetesApi.admins,
            deployThrough: args.kubernetesApi.deployThrough ?? false,
        };
    }
    const flavor = args.flavor ?? DEFAULT_FLAVOR;
    if (!(flavor in FLAVORS)) bad(`${name}: unknown workload flavor "${flavor}"; use one of: ${Object.keys(FLAVORS).join(", ")}.`);
    if (args.remoteWrite && !FLAVORS[flavor].collection.supported.includes("remoteWrite")) {
        bad(`${name}: the ${flavor} flavor cannot remote-write: ${FLAVORS[flavor].collection.why ?? ""} Use the upstream flavor, or leave remoteWrite out (federation).`);
    }
    const images = { ...(FLAVORS[flavor].images as unknown as Images), ...(args.images ?? {}) };
    for (const [k, v] of Object.entries(images)) {
        if (typeof v === "string" && v.trim() === "") bad(`${name}: images.${k} is empty; give an image reference like "${DEFAULT_IMAGES[k as keyof Images]}".`);
    }
    return {
        clusterName,
        serviceNames,
        provider: args.provider,
        namespace: args.namespace ?? keyDefault("namespace"),
        images,
        scrapeInterval: args.scrapeInterval ?? keyDefault("scrapeInterval"),
        edgeRouterRoles: args.edgeRouterRoles ?? keyDefault("edgeRouterRoles"),
        kubernetesApi,
        flavor,
        ...(args.remoteWrite ? { remoteWrite: args.remoteWrite } : {}),
    };
}

/** What the central Prometheus needs from a cluster: the three targets, and its write route with remote write. */
export function clusterTargets(c: ClusterResult): pulumi.Output<ClusterTargets> {
    return pulumi.all([c.clusterName, c.federationTarget, c.reflectzScrapeTarget, c.remoteWrite])
        .apply(([clusterName, federationTarget, reflectzScrapeTarget, remoteWrite]) => ({ clusterName, federationTarget, reflectzScrapeTarget, ...(remoteWrite ? { remoteWrite } : {}) }));
}

/**
 * What the cluster's flavor runs in `namespace` (flavor.clusterWorkloads: reflectz, the Prometheus pod with its RBAC,
 * a hybrid place's Service, the tunneler), from the plan, with each identity's JSON. Returns the rendered prometheus.yml.
 */
export function createClusterWorkloads(name: string, parent: pulumi.Resource, a: ResolvedClusterArgs, kind: "hybrid" | "dark", namespace: pulumi.Output<string>,
    ziti: ClusterZiti, tunneler: Identity | undefined, tunnelerOpts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const flavor = flavorNamed(a.flavor);
    const place: ClusterPlace = {
        kind, resourcePrefix: name, name: a.clusterName, namespace, serviceNames: a.serviceNames, images: a.images, scrapeInterval: a.scrapeInterval,
        edgeRouterRoles: a.edgeRouterRoles, ...(a.kubernetesApi ? { kubernetesApi: { serviceName: a.kubernetesApi.serviceName } } : {}),
        ...(a.remoteWrite ? { remoteWrite: a.remoteWrite } : {}),
    };
    const prometheusConfig = renderPrometheusConfig(flavor.clusterPrometheusConfig(place));
    const ids = Object.fromEntries([...ziti.identities].map(([n, i]) => [n, i.identityJson]));
    createPlannedWorkloads(name, flavor.clusterWorkloads(place, prometheusConfig, ids), parent, a.provider, w => (w.name === "tunneler" ? tunnelerOpts : {}));
    return pulumi.output(prometheusConfig);
}

/** A cluster's outputs from its Ziti entities; `identityNames` lists every identity the cluster has (the tunneler's too, if any). */
export function clusterResult(a: ResolvedClusterArgs, namespace: pulumi.Output<string>, ziti: ClusterZiti, prometheusConfig: pulumi.Output<string>,
    kubernetesApi?: ClusterKubernetesApi): ClusterResult {
    // Every identity the place has, in plan order (the tunneler made first for the API service is among them).
    const identityNames = pulumi.all([...ziti.identities.values()].map(i => i.name));
    const svc = a.serviceNames;
    // The writer as the identity resource's output, so central's Dial policy that names it waits for it.
    const write = a.remoteWrite && flavorNamed(a.flavor).clusterWrite?.({
        kind: "dark", resourcePrefix: "", name: a.clusterName, namespace: namespace, serviceNames: svc, images: {}, scrapeInterval: "",
        edgeRouterRoles: a.edgeRouterRoles, remoteWrite: a.remoteWrite,
    });
    const writer = write && ziti.identities.get(write.writer);
    return {
        clusterName: pulumi.output(a.clusterName),
        namespace,
        serviceNames: pulumi.all([ziti.reflectService?.name ?? svc.reflect, ziti.reflectScrapeService?.name ?? svc.reflectScrape, ziti.prometheusService?.name ?? svc.prometheus])
            .apply(([reflect, reflectScrape, prometheus]) => ({ reflect, reflectScrape, prometheus })),
        federationTarget: ziti.federationTarget,
        reflectzScrapeTarget: ziti.reflectzScrapeTarget,
        prometheusConfig,
        identityNames,
        kubernetesApi,
        ...(write && writer ? { remoteWrite: writer.name.apply(name => ({ ...write, writer: name })) } : {}),
    };
}

/**
 * Builds everything of a cluster of `kind` under `parent` (the classes of hybridCluster.ts and darkCluster.ts only
 * assign what this returns). The order is the point: the tunneler's identity and the Kubernetes API service first
 * (a cluster deployed through that service has its namespace, and so every object in it, wait for them:
 * kubernetesApi.ts deployThroughOptions); then the place's Ziti entities, from known names (the hybrid Service's DNS name is
 * `<SERVICE_NAME>.<namespace>.svc`), not from Kubernetes outputs: the engine starts the Ziti provider when the first
 * Ziti resource registers and each Kubernetes plugin when its first object does, one after the other, so the Ziti side
 * need not wait for the Kubernetes plugin (bench/RESULTS.md); then the namespace and the flavor's workloads.
 */
export function createCluster(kind: "hybrid" | "dark", name: string, parent: pulumi.Resource, args: ClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: a.provider };
    // A hybrid cluster's tunneler `<c>.ziti.id` binds `<c>.prometheus.svc` (and `<c>.k8s.svc` with the API service); a
    // dark cluster has one only with `kubernetesApi`, binding nothing but the API service (no Service, no listener).
    const tunneler = kind === "hybrid" || a.kubernetesApi ? createTunnelerIdentity(name, a.clusterName, parent) : undefined;
    const { api: kubernetesApi, through } = createClusterKubernetesApi(name, parent, a, tunneler, opts);
    const ziti = createClusterZiti(name, {
        clusterName: a.clusterName, kind, namespace: a.namespace, serviceNames: a.serviceNames, edgeRouterRoles: a.edgeRouterRoles,
        tunnelerIdentity: tunneler, flavor: a.flavor, ...(a.kubernetesApi ? { kubernetesApi: { serviceName: a.kubernetesApi.serviceName } } : {}),
    }, parent);
    const namespace = createNamespace(`${name}-ns`, a.namespace, through.ns).metadata.name;
    const prometheusConfig = createClusterWorkloads(name, parent, a, kind, namespace, ziti, tunneler, through.tunneler);
    return clusterResult(a, namespace, ziti, prometheusConfig, kubernetesApi);
}

/** The component class of both cluster kinds: createCluster makes everything under it; the class assigns what that returns. */
export abstract class ClusterComponent extends pulumi.ComponentResource implements ClusterResult {
    public readonly clusterName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    public readonly serviceNames: ClusterResult["serviceNames"];
    public readonly federationTarget: pulumi.Output<string>;
    public readonly reflectzScrapeTarget: pulumi.Output<string>;
    public readonly prometheusConfig: pulumi.Output<string>;
    public readonly identityNames: pulumi.Output<string[]>;
    public readonly kubernetesApi?: ClusterKubernetesApi;
    public readonly remoteWrite?: pulumi.Output<ClusterWrite>;

    protected constructor(type: string, kind: "hybrid" | "dark", name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions | undefined) {
        super(type, name, {}, opts);
        const r = createCluster(kind, name, this, args);
        this.clusterName = r.clusterName;
        this.namespace = r.namespace;
        this.serviceNames = r.serviceNames;
        this.federationTarget = r.federationTarget;
        this.reflectzScrapeTarget = r.reflectzScrapeTarget;
        this.prometheusConfig = r.prometheusConfig;
        this.identityNames = r.identityNames;
        this.kubernetesApi = r.kubernetesApi;
        this.remoteWrite = r.remoteWrite;
        const { kubernetesApi, ...outputs } = r;
        this.registerOutputs({ ...outputs, kubernetesApiService: kubernetesApi?.serviceName });
    }
}
