// From validated config to components: one provider per place, the right cluster component per kind.
import { proxyPort } from "../flavors/upstream/proxyPorts";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CentralPrometheus } from "./centralPrometheus";
import { ClusterTargets } from "../flavors/article/prometheusConfig";
import { ClusterResult } from "./cluster";
import { tunnelledTarget } from "./apiOverZiti";
import { ClusterSpec, ConfigError, ScrapeAnywhereConfig } from "../config";
import { ClusterKubernetesApi, KubernetesApiAccess, kubernetesApiAccess } from "./kubernetesApi";
import { Identity } from "../provider";
import { DarkCluster } from "./darkCluster";
import { HybridCluster } from "./hybridCluster";
import { createKubernetesProvider } from "./kubernetes";

export interface BuiltCluster {
    spec: ClusterSpec;
    component: HybridCluster | DarkCluster;
}

/**
 * A cluster of the config: its Kubernetes provider (through the local Ziti tunnel with `apiOverZiti`)
 * and its HybridCluster or DarkCluster; `admins` are the identities of `kubernetesAdmins` by name.
 */
export function buildCluster(spec: ClusterSpec, cfg: ScrapeAnywhereConfig, admins: Map<string, Identity> = new Map()): BuiltCluster {
    const target = spec.apiOverZiti ? tunnelledTarget(spec.name, spec.kubernetes, spec.apiOverZiti) : spec.kubernetes;
    // A real cluster's provider is identified by the cluster's name, so switching between direct and
    // over-Ziti access (another server address) updates the provider instead of replacing every object.
    const provider = createKubernetesProvider(`${spec.name}-k8s`, target, undefined, target.renderDirectory ? undefined : spec.name);
    const kubernetesApi = spec.kubernetesApi && {
        serviceName: spec.kubernetesApi.serviceName,
        admins: spec.kubernetesApi.admins.map(a => {
            const identity = admins.get(a);
            if (!identity) throw new ConfigError(`cluster "${spec.name}": admin "${a}" has no identity; create the identities of kubernetesAdmins first (createKubernetesAdmins).`);
            return identity.name;
        }),
        // The provider goes through this very service: order creation and deletion around it.
        deployThrough: spec.apiOverZiti?.service === spec.kubernetesApi.serviceName,
    };
    const args = {
        clusterName: spec.name,
        serviceNames: spec.serviceNames,
        provider,
        namespace: spec.namespace,
        images: cfg.images,
        scrapeInterval: cfg.scrapeInterval,
        edgeRouterRoles: cfg.edgeRouterRoles,
        kubernetesApi,
        flavor: cfg.flavor,
        ...(cfg.remoteWrite ? { remoteWrite: cfg.remoteWrite } : {}),
        networkPolicy: cfg.networkPolicy,
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
        flavor: cfg.flavor,
        images: { ...cfg.images },
        ...(cfg.remoteWrite ? { remoteWrite: cfg.remoteWrite } : {}),
        networkPolicy: cfg.networkPolicy,
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
            : {
                context: b.spec.kubernetes.context ?? "(kubeconfig default)",
                ...(b.spec.apiOverZiti ? { apiOverZiti: { service: b.spec.apiOverZiti.service, localPort: b.spec.apiOverZiti.localPort ?? proxyPort(b.spec.apiOverZiti.service) } } : {}),
            },
        ...(c.kubernetesApi ? { kubernetesApi: kubernetesApiExport(b.spec.name, c.kubernetesApi) } : {}),
        // Collection by remote write: what the central stack's StackReference reads (write service, path, writer identity).
        ...(c.remoteWrite ? { remoteWrite: c.remoteWrite } : {}),
    };
}

/** The stack output `kubernetesApi` of one cluster: its API service and the admin commands (README "Kubernetes API over Ziti"). */
export function kubernetesApiExport(cluster: string, k: ClusterKubernetesApi): pulumi.Output<KubernetesApiAccess> {
    return pulumi.all([k.serviceName, k.admins]).apply(([serviceName, admins]) => kubernetesApiAccess(cluster, serviceName, k.interceptHost, admins));
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
    /** cluster role with collection remoteWrite: `{service, path, writer}`. */
    remoteWrite?: ClusterExport["remoteWrite"];
    /** cluster role with kubernetesApi: the API service and the admin commands. */
    kubernetesApi?: ClusterExport["kubernetesApi"];
    /** dev and cluster roles with kubernetesApi: the admin identities and their one-time JWTs (secret). */
    kubernetesAdmins?: pulumi.Output<string>[];
    kubernetesAdminJwts?: pulumi.Output<Record<string, string>>;
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
        collection: pulumi.Output<string>;
        writeService?: pulumi.Output<string>;
        writeHostIdentity?: pulumi.Output<string>;
        kubernetes?: string;
        dockerHost?: string;
    };
    clientIdentities?: pulumi.Output<string>[];
    clientEnrollmentJwts?: pulumi.Output<Record<string, string>>;
    /** dev and central roles with an external remote-write target: its hosting identity's one-time JWT (secret). */
    remoteWriteHostJwt?: pulumi.Output<string>;
}
