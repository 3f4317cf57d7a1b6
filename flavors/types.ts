// The flavor seam (issue 25): what the plan asks a workload flavor for. A flavor is the set of images that run in
// a place and how they reach the overlay: `article` (the zitified images of the published walkthrough) or
// `upstream` (stock Prometheus beside OpenZiti's tunneler). Everything a flavor returns is plain data (values may be
// pulumi.Input where a name is only known once a resource exists); the components turn it into resources.
// A flavor may import only this file, ../plan/types (the data shapes) and its own folder.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterTargets, ClusterWrite, Collection, NetworkPolicyPorts, PrometheusConfig, RemoteWriteSpec, ZitiEntity } from "../plan/types";

export type { ClusterTargets, ClusterWrite, Collection, NetworkPolicyPorts, PrometheusConfig, RemoteWriteSpec, ZitiEntity } from "../plan/types";

/** The places of the topology: a cluster's kind, or the central Prometheus. */
export type PlaceKind = "hybrid" | "dark" | "central";

/** The Ziti service names of a cluster. */
export interface ClusterServiceNames {
    reflect: string;
    reflectScrape: string;
    prometheus: string;
}

/** What the plan tells a flavor about one cluster. */
export interface ClusterPlace {
    kind: "hybrid" | "dark";
    /** Prefix of the place's Pulumi resource names (the component's name): part of every URN, so never derived anew. */
    resourcePrefix: string;
    /** Cluster name, in every Ziti entity name (`<name>.prometheus.id`); letters, digits and `_`. */
    name: string;
    namespace: pulumi.Input<string>;
    serviceNames: ClusterServiceNames;
    /** This flavor's images after the stack's overrides, by the flavor's own keys. */
    images: Record<string, pulumi.Input<string>>;
    scrapeInterval: string;
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
    /** Set when the cluster's Kubernetes API is a Ziti service: the cluster's tunneler also hosts it. */
    kubernetesApi?: { serviceName: string };
    /** Set when the cluster's Prometheus pushes its series (collection `remoteWrite`); absent = central federates it. */
    remoteWrite?: RemoteWriteSpec;
    /** What the place's NetworkPolicies let its pods dial (a flavor that makes none ignores it). */
    networkPolicy: NetworkPolicyPorts;
}

/** What the plan tells a flavor about the central Prometheus. */
export interface CentralPlace {
    kind: "central";
    /** Prefix of the place's Pulumi resource names (the component's name). */
    resourcePrefix: string;
    name: string;
    placement: "kubernetes" | "docker";
    /** Kubernetes placement only. */
    namespace?: pulumi.Input<string>;
    images: Record<string, pulumi.Input<string>>;
    scrapeInterval: string;
    federationMatch: string[];
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Set when the clusters push (collection `remoteWrite`): where they write, and the identities that may (by name;
     * Inputs, as they come from the cluster components or StackReferences). Absent = central federates.
     */
    remoteWrite?: { spec: RemoteWriteSpec; writers: pulumi.Input<string>[] };
    /** What the place's NetworkPolicies let its pods dial (Kubernetes placement; a flavor that makes none ignores it). */
    networkPolicy: NetworkPolicyPorts;
}

export type Place = ClusterPlace | CentralPlace;

/**
 * The enrolled identity JSON (secret) of each Ziti identity of a place, by Ziti identity name, as the resource layer
 * knows it once the identities exist. A flavor puts them only into Secrets (Kubernetes) or uploads (Docker).
 */
export type IdentityJsons = Record<string, pulumi.Input<string>>;

/** One Kubernetes object of a place, as data: the component layer makes `new <kind>(resourceName, args)`. */
export type KubernetesObject =
    | { kind: "ConfigMap"; resourceName: string; args: k8s.core.v1.ConfigMapArgs }
    | { kind: "Secret"; resourceName: string; args: k8s.core.v1.SecretArgs }
    | { kind: "Service"; resourceName: string; args: k8s.core.v1.ServiceArgs }
    | { kind: "ServiceAccount"; resourceName: string; args: k8s.core.v1.ServiceAccountArgs }
    | { kind: "ClusterRole"; resourceName: string; args: k8s.rbac.v1.ClusterRoleArgs }
    | { kind: "ClusterRoleBinding"; resourceName: string; args: k8s.rbac.v1.ClusterRoleBindingArgs }
    | { kind: "Deployment"; resourceName: string; args: k8s.apps.v1.DeploymentArgs }
    | { kind: "NetworkPolicy"; resourceName: string; args: k8s.networking.v1.NetworkPolicyArgs };

/**
 * A workload of a place: its objects in creation order. `group` names the ComponentResource the objects live under
 * (e.g. `Reflectz`), absent = directly under the place's component.
 */
export interface Workload {
    name: string;
    group?: "Reflectz";
    objects: KubernetesObject[];
}

/** The central Prometheus as Docker containers (no published port, files uploaded). */
export interface DockerContainerPlan {
    /**
     * Containers that only hold uploaded files in their anonymous volumes: created first, never started, on no
     * network; the others mount them read-only (`volumesFrom`). So a container can keep a read-only root filesystem
     * and still get its files: the Docker plugin uploads every file to "/" of the container
     * (kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container_funcs.go: dstPath "/"), and
     * the engine refuses that into a read-only root unless the path is a writable volume (moby daemon/archive_unix.go
     * checkWritablePath: "container rootfs is marked read-only").
     */
    fileHolders?: { resourceName: string; args: import("@pulumi/docker").ContainerArgs }[];
    resourceName: string;
    /** The first container; a function gets the ids of `fileHolders`, in their order. */
    args: import("@pulumi/docker").ContainerArgs | ((fileHolderIds: pulumi.Input<string>[]) => import("@pulumi/docker").ContainerArgs);
    /**
     * Containers that join the first one's network namespace (`networkMode: container:<id>`), made after it,
     * e.g. the upstream flavor's tunneler beside Prometheus. `args` gets the first container's id (and the file holders').
     */
    sidecars?: {
        resourceName: string;
        args: (containerId: pulumi.Input<string>, fileHolderIds: pulumi.Input<string>[]) => import("@pulumi/docker").ContainerArgs;
    }[];
}

/** A workload flavor. Adding one: a folder under flavors/ implementing this, and one line in flavors/index.ts. */
export interface Flavor {
    /** The value of `scrape-anywhere:flavor`. */
    readonly name: string;
    /** One line for the README's config table. */
    readonly description: string;
    /** Default images by this flavor's keys; `scrape-anywhere:images` overrides them per key. */
    readonly images: Readonly<Record<string, string>>;
    /** How its central place may collect (`scrape-anywhere:collection`), the default, and why a mode is missing. */
    readonly collection: { readonly default: Collection; readonly supported: readonly Collection[]; readonly why?: string };

    /**
     * The Ziti entities this flavor's workloads in `place` need (identities, configs, services, policies). The plan
     * adds what is the same for every flavor (a cluster's Kubernetes API path, the admins, the human clients).
     */
    zitiEntities(place: Place): ZitiEntity[];
    /** The scrape targets a cluster exports for the central Prometheus (stack outputs; StackReferences read them). */
    clusterTargets(place: ClusterPlace): ClusterTargets;
    /** With remote write: the cluster's write route and its writing identity (stack outputs), absent otherwise. */
    clusterWrite?(place: ClusterPlace): ClusterWrite | undefined;
    /** prometheus.yml of a cluster's Prometheus, as an object (the plan renders it). */
    clusterPrometheusConfig(place: ClusterPlace): PrometheusConfig;
    /** prometheus.yml of the central Prometheus, federating and scraping `clusters`. */
    centralPrometheusConfig(place: CentralPlace, clusters: ClusterTargets[]): PrometheusConfig;
    /**
     * The Kubernetes workloads of a cluster: the Prometheus pod (of a hybrid or a dark place), the tunneler of a
     * hybrid place (and of any place with the Kubernetes API service), the scrape target, their RBAC and Services.
     */
    clusterWorkloads(place: ClusterPlace, config: pulumi.Input<string>, identities: IdentityJsons): Workload[];
    /** The central Prometheus on Kubernetes. */
    centralKubernetes(place: CentralPlace, config: pulumi.Input<string>, identities: IdentityJsons): Workload[];
    /** The central Prometheus on Docker. */
    centralDocker(place: CentralPlace, config: pulumi.Input<string>, identities: IdentityJsons): DockerContainerPlan;
}
