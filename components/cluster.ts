// What HybridCluster and DarkCluster share: their arguments, their outputs, the argument checks, createCluster (the
// one path from a cluster's arguments to its resources) and the component class.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterServiceNames, ConfigError, DEFAULT_IMAGES, defaultServiceNames, Images, keyDefault, kubernetesApiServiceName, networkPolicyDefault, validateScrapeName } from "../config";
import { DEFAULT_FLAVOR, FLAVORS } from "../flavors";
import type { ClusterTargets, ClusterWrite, NetworkPolicyPorts, RemoteWriteSpec } from "../flavors/types";
import { ClusterPlan, clusterPlan } from "../plan/places";
import type { ClusterKubernetesApi } from "./kubernetesApi";
import { createNamespacedWorkloads } from "./workloads";
import { ClusterZiti, createClusterZiti } from "./zitiEntities";

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
    /** What the flavor's default-deny NetworkPolicies let the pods dial. Defaults to the `scrape-anywhere:networkPolicy` default. */
    networkPolicy?: NetworkPolicyPorts;
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
    networkPolicy: NetworkPolicyPorts;
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
        networkPolicy: args.networkPolicy ?? networkPolicyDefault(),
    };
}

/** What the central Prometheus needs from a cluster: the three targets, and its write route with remote write. */
export function clusterTargets(c: ClusterResult): pulumi.Output<ClusterTargets> {
    return pulumi.all([c.clusterName, c.federationTarget, c.reflectzScrapeTarget, c.remoteWrite])
        .apply(([clusterName, federationTarget, reflectzScrapeTarget, remoteWrite]) => ({ clusterName, federationTarget, reflectzScrapeTarget, ...(remoteWrite ? { remoteWrite } : {}) }));
}

/** A cluster's outputs from its plan and Ziti entities; `identityNames` lists every identity the cluster has (the tunneler's too, if any). */
export function clusterResult(a: ResolvedClusterArgs, namespace: pulumi.Output<string>, ziti: ClusterZiti, plan: ClusterPlan): ClusterResult {
    const svc = a.serviceNames;
    // The writer as the identity resource's output, so central's Dial policy that names it waits for it.
    const write = plan.write;
    const writer = write && ziti.identities.get(write.writer);
    return {
        clusterName: pulumi.output(a.clusterName),
        namespace,
        serviceNames: pulumi.all([ziti.reflectService?.name ?? svc.reflect, ziti.reflectScrapeService?.name ?? svc.reflectScrape, ziti.prometheusService?.name ?? svc.prometheus])
            .apply(([reflect, reflectScrape, prometheus]) => ({ reflect, reflectScrape, prometheus })),
        federationTarget: ziti.federationTarget,
        reflectzScrapeTarget: ziti.reflectzScrapeTarget,
        prometheusConfig: pulumi.output(plan.prometheusConfig),
        // Every identity the place has, in plan order (the tunneler first).
        identityNames: pulumi.all([...ziti.identities.values()].map(i => i.name)),
        kubernetesApi: ziti.kubernetesApi,
        ...(write && writer ? { remoteWrite: writer.name.apply(name => ({ ...write, writer: name })) } : {}),
    };
}

/**
 * Builds everything of a cluster of `kind` under `parent` (the classes of hybridCluster.ts and darkCluster.ts only
 * assign what this returns), in three steps. The plan (plan/places.ts clusterPlan): the flavor's answers for the
 * place, asked together. Its Ziti entities, with the tunneler and the Kubernetes API path, from known names (the hybrid Service's DNS
 * name is `<SERVICE_NAME>.<namespace>.svc`), not from Kubernetes outputs: the engine starts the Ziti provider when the
 * first Ziti resource registers and each Kubernetes plugin when its first object does, one after the other, so the
 * Ziti side need not wait for the Kubernetes plugin (bench/RESULTS.md). Then the namespace (which, for a cluster
 * deployed through its API service, waits for that path: kubernetesApi.ts deployThroughOptions) and the workloads in it.
 */
export function createCluster(kind: "hybrid" | "dark", name: string, parent: pulumi.Resource, args: ClusterArgs): ClusterResult {
    const a = resolveClusterArgs(name, args, parent);
    const plan = clusterPlan(a.flavor, {
        kind, resourcePrefix: name, name: a.clusterName, namespace: a.namespace, serviceNames: a.serviceNames, images: a.images, scrapeInterval: a.scrapeInterval,
        edgeRouterRoles: a.edgeRouterRoles, ...(a.kubernetesApi ? { kubernetesApi: { serviceName: a.kubernetesApi.serviceName } } : {}),
        ...(a.remoteWrite ? { remoteWrite: a.remoteWrite } : {}), networkPolicy: a.networkPolicy,
    }, a.kubernetesApi?.admins);
    const ziti = createClusterZiti(plan, a, parent);
    const { namespace } = createNamespacedWorkloads(name, {
        namespace: a.namespace, namespaceOpts: ziti.through.ns, parent, provider: a.provider, optsOf: w => (w.name === "tunneler" ? ziti.through.tunneler : {}),
    }, ns => plan.workloads(ns, ziti.identityJsons));
    return clusterResult(a, namespace, ziti, plan);
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
