// The validated config the plan reads: what parse.ts makes of the raw keys once the schema (schema.ts) has checked
// them. The words a key may take (roles, kinds, placements) are the schema's.
import { ARTICLE_IMAGES } from "../flavors/article";
import type { ClusterServiceNames } from "../plan/names";
import type { Collection, NetworkPolicyPorts, RemoteWriteSpec } from "../plan/types";
import type { CentralPlacement, ClusterKind, StackRole } from "./schema";

export type { CentralPlacement, ClusterKind, StackRole };

/** How the program reaches one Kubernetes cluster. */
export interface KubernetesTarget {
    /** Path or content of a kubeconfig; absent = the ambient kubeconfig. */
    kubeconfig?: string;
    /** kubeconfig context to use. */
    context?: string;
    /**
     * Set when the cluster is not contacted at all: manifests are rendered into this folder
     * (`rendered/<stack>/<cluster>`) instead. Chosen when neither kubeconfig nor context is given.
     */
    renderDirectory?: string;
}

export interface ClusterSpec {
    /** Cluster name, used in every Ziti entity name (`<name>.reflect.id`); letters, digits, `_` only. */
    name: string;
    kind: ClusterKind;
    /** Kubernetes namespace for the workloads. */
    namespace: string;
    kubernetes: KubernetesTarget;
    /** Ziti service names; default `<name>.reflect.svc`, `<name>.reflect.scrape.svc`, `<name>.prometheus.svc`. */
    serviceNames: ClusterServiceNames;
    /**
     * The cluster's Kubernetes API as a Ziti service (DESIGN 4c), when `kubernetesApi` is on: the service
     * name (`<name>.k8s.svc`) and the admin identities that may dial it (names from `kubernetesAdmins`).
     */
    kubernetesApi?: KubernetesApiSpec;
    /**
     * Set when the program reaches this cluster's API server only over Ziti: the deploy scripts run a
     * local `ziti tunnel proxy` for `service` with `identityFile` and hand its address to the program
     * (SCRAPE_ANYWHERE_API_ENDPOINTS, see components/apiOverZiti.ts).
     */
    apiOverZiti?: ApiOverZitiSpec;
}

export interface KubernetesApiSpec {
    /** The Ziti service of the API server, `<cluster>.k8s.svc`. */
    serviceName: string;
    /** Names of the admin identities granted Dial (never empty). */
    admins: string[];
}

export interface ApiOverZitiSpec {
    /** The Ziti service that reaches the API server (default `<cluster>.k8s.svc`). */
    service: string;
    /** An enrolled admin identity file with Dial on `service` (used by the local tunnel, never by the program). */
    identityFile: string;
    /**
     * The name the API server's certificate is checked against behind the local tunnel (the service's
     * host.v1 address): `kubernetes.default.svc` by default, which the API server's serving certificate
     * carries as a SAN on a standard cluster.
     */
    tlsServerName: string;
    /**
     * The loopback port the deployer expects of the local tunnel. The tunnel listens where the service's
     * proxy.v1 config says (127.0.0.1, a port derived from the service name: components/zitiEntities.ts),
     * whatever its command line asks, so this is only checked against it (scripts/lib/zitiTunnel.ts
     * loopbackPort); unset: the service's port. Fixed either way: the provider's kubeconfig in state names
     * it, and `pulumi destroy` (which does not run the program) reaches the cluster through a tunnel on it.
     */
    localPort?: number;
}

export interface Images {
    /** Prometheus with the Ziti SDK inside. */
    prometheus: string;
    /** Plain configmap-reload, calls `http://127.0.0.1:9090/-/reload` (HybridCluster). */
    configmapReload: string;
    /** Zitified configmap-reload, reaches Prometheus over Ziti (DarkCluster, central). */
    zitiConfigmapReload: string;
    /** The zitified reflectz echo server and scrape target. */
    reflectz: string;
    /** The Ziti tunneler that hosts ClusterA's Prometheus service and, with kubernetesApi, each cluster's API service. */
    tunneler: string;
}

/**
 * The images the upstream charts pin, from each workload's contract (flavors/article/*.ts, where
 * the sources are named); `scrape-anywhere:images` overrides any of them per stack.
 */
export const DEFAULT_IMAGES: Images = ARTICLE_IMAGES;

export interface CentralSpec {
    /** Name used in the central Ziti entities (`<name>.prometheus.id`) and its render folder. */
    name: string;
    placement: CentralPlacement;
    /** Namespace when placed in Kubernetes. */
    namespace: string;
    /** Kubernetes target when `placement` is `kubernetes`. */
    kubernetes: KubernetesTarget;
    /** Docker daemon address (e.g. `ssh://user@host`) when `placement` is `docker`; absent = local default. */
    dockerHost?: string;
    /**
     * The container's network when `placement` is `docker`: `bridge` (absent: the Docker provider's default),
     * `none`, or a user-defined network; never `host`. It only needs outbound connections to the Ziti routers.
     */
    dockerNetworkMode?: string;
}

export interface ScrapeAnywhereConfig {
    stack: string;
    role: StackRole;
    /** The workload flavor (flavors/index.ts): which images run in each place and how they reach the overlay. */
    flavor: string;
    /** Clusters this stack builds (dev: all of them; cluster: exactly one; central: none). */
    clusters: ClusterSpec[];
    /** The central Prometheus (dev and central roles). */
    central?: CentralSpec;
    /** Cluster stacks the central stack reads (central role), e.g. `organization/scrape-anywhere/clusterA`. */
    stackReferences: string[];
    images: Images;
    scrapeInterval: string;
    /** `match[]` selectors of the federation jobs. */
    federationMatch: string[];
    /** Edge router roles for the edge router policies and service edge router policies. */
    edgeRouterRoles: string[];
    /** Human client identities to create (dev and central roles), with both client attributes. */
    clientIdentities: string[];
    /** Whether each cluster gets a Ziti service for its Kubernetes API (`kubernetesApi`, dev and cluster roles). */
    kubernetesApi: boolean;
    /** Admin identities this stack creates (un-enrolled `User`s) to dial the clusters' API services. */
    kubernetesAdmins: string[];
    /** How central gets the clusters' series: `federate` (it pulls) or `remoteWrite` (they push); config/collection.ts. */
    collection: Collection;
    /** Where the clusters write, with collection `remoteWrite`. */
    remoteWrite?: RemoteWriteSpec;
    /** The egress the upstream flavor's default-deny NetworkPolicies allow. */
    networkPolicy: NetworkPolicyPorts;
}
