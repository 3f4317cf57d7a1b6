// From validated config to components: one provider per place, the right cluster component per kind.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CentralPrometheus } from "./centralPrometheus";
import { ClusterTargets } from "./prometheusConfig";
import { ClusterResult } from "./cluster";
import { ClusterSpec, ScrapeAnywhereConfig } from "./config";
import { DarkCluster } from "./darkCluster";
import { HybridCluster } from "./hybridCluster";
import { createKubernetesProvider } from "./kubernetes";

export interface BuiltCluster {
    spec: ClusterSpec;
    component: HybridCluster | DarkCluster;
}

/** A cluster of the config: its Kubernetes provider and its HybridCluster or DarkCluster. */
export function buildCluster(spec: ClusterSpec, cfg: ScrapeAnywhereConfig): BuiltCluster {
    const provider = createKubernetesProvider(`${spec.name}-k8s`, spec.kubernetes);
    const args = {
        clusterName: spec.name,
        serviceNames: spec.serviceNames,
        provider,
        namespace: spec.namespace,
        images: cfg.images,
        scrapeInterval: cfg.scrapeInterval,
        edgeRouterRoles: cfg.edgeRouterRoles,
    };
    const component = spec.kind === "hybrid" ? new HybridCluster(spec.name, args) : new DarkCluster(spec.name, args);
    return { spec, component };
}

/** The central Prometheus of the config, federating `clusters`. */
export function buildCentral(cfg: ScrapeAnywhereConfig, clusters: pulumi.Input<ClusterTargets>[]): CentralPrometheus {
    const c = cfg.central;
    if (!c) throw new Error(`stack role ${cfg.role} has no central Prometheus`);
    const placement = c.placement === "docker"
        ? { kind: "docker" as const, provider: new docker.Provider(`${c.name}-docker`, { host: c.dockerHost }), networkMode: c.dockerNetworkMode }
        : { kind: "kubernetes" as const, provider: createKubernetesProvider(`${c.name}-k8s`, c.kubernetes), namespace: c.namespace };
    return new CentralPrometheus(c.name, {
        centralName: c.name,
        clusters,
        placement,
        image: cfg.images.prometheus,
        reloadImage: cfg.images.zitiConfigmapReload,
        federationMatch: cfg.federationMatch,
        scrapeInterval: cfg.scrapeInterval,
        edgeRouterRoles: cfg.edgeRouterRoles,
    });
}

/** What a stack exports about one cluster (the central stack reads the target fields). */
export function clusterExport(b: BuiltCluster) {
    const c: ClusterResult = b.component;
    return {
        clusterName: c.clusterName,
        clusterKind: b.spec.kind,
        namespace: c.namespace,
        services: c.serviceNames,
        federationTarget: c.federationTarget,
        reflectzScrapeTarget: c.reflectzScrapeTarget,
        kubernetes: b.spec.kubernetes.renderDirectory
            ? { renderDirectory: b.spec.kubernetes.renderDirectory }
            : { context: b.spec.kubernetes.context ?? "(kubeconfig default)" },
    };
}

export type ClusterExport = ReturnType<typeof clusterExport>;

/** The stack outputs; which ones are set depends on the role. */
export interface StackOutputs {
    role: string;
    /** cluster role: the fields of ClusterExport at the top level (clusterName, federationTarget, ...). */
    clusterName?: ClusterExport["clusterName"];
    clusterKind?: ClusterExport["clusterKind"];
    namespace?: ClusterExport["namespace"];
    services?: ClusterExport["services"];
    federationTarget?: ClusterExport["federationTarget"];
    reflectzScrapeTarget?: ClusterExport["reflectzScrapeTarget"];
    kubernetes?: ClusterExport["kubernetes"];
    /** dev role: every cluster by name. */
    clusterOutputs?: Record<string, ClusterExport>;
    /** dev and central roles. */
    centralPrometheus?: {
        name: pulumi.Output<string>;
        placement: pulumi.Output<string>;
        serviceName: pulumi.Output<string>;
        identityName: pulumi.Output<string>;
        target: pulumi.Output<string>;
        federates: pulumi.Output<string[]>;
        kubernetes?: string;
        dockerHost?: string;
    };
    clientIdentities?: pulumi.Output<string>[];
    clientEnrollmentJwts?: pulumi.Output<Record<string, string>>;
}
