// The plan's data shapes: what a place is made of, as plain data. No Pulumi resource is made from this folder;
// the components turn these into resources. Roles are written `@<entity name>` (resolved to `@id` by the provider)
// or `#attribute`; a service's configs are named by config name.
import type * as pulumi from "@pulumi/pulumi";

/** What the central Prometheus needs to know about one cluster (exported by cluster stacks). */
export interface ClusterTargets {
    clusterName: string;
    /** `<cluster>.prometheus.svc-<terminator or empty>`. */
    federationTarget: string;
    /** `<cluster>.reflect.scrape.svc-<cluster>.reflect.id`. */
    reflectzScrapeTarget: string;
    /** Collection by remote write: where the cluster writes, and the identity that writes (the write Dial policy names it). */
    remoteWrite?: ClusterWrite;
}

/**
 * What a place's default-deny NetworkPolicy lets its pods dial besides DNS (`scrape-anywhere:networkPolicy`): the Ziti
 * controller's and edge routers' TCP ports, and for the pod that hosts the cluster's Kubernetes API, the API server's.
 */
export interface NetworkPolicyPorts {
    zitiPorts: number[];
    kubernetesApiPorts: number[];
}

/**
 * How the central place collects the clusters' series (`scrape-anywhere:collection`): it pulls each cluster
 * Prometheus' `/federate`, or every cluster Prometheus pushes by remote write (flavors/upstream/remoteWrite.ts).
 */
export type Collection = "federate" | "remoteWrite";
export const COLLECTIONS: readonly Collection[] = ["federate", "remoteWrite"];

/** A cluster's side of remote write, as its stack exports it: the write service, the endpoint's path, the writer. */
export interface ClusterWrite {
    service: string;
    path: string;
    /** The cluster Prometheus' Ziti identity (by name). */
    writer: string;
}

/**
 * Where the clusters write (`scrape-anywhere:remoteWrite`): a Ziti service and the endpoint's HTTP path; `external`
 * when the endpoint is not the central Prometheus but any remote-write store behind a tunneler of its own
 * (host.v1 to `address:port`, hosted by `hostIdentity`, which the program makes un-enrolled).
 */
export interface RemoteWriteSpec {
    service: string;
    path: string;
    external?: { address: string; port: number; hostIdentity: string };
}

/** A Prometheus configuration object (rendered to YAML by the plan). */
export type PrometheusConfig = Record<string, unknown>;

/** Fields of every Ziti entity: its Pulumi resource name (URN part) and its Ziti name. */
interface EntityBase {
    resourceName: string;
    name: string;
    /**
     * Made only once the place's workloads are ready: a grant that must not reach a process before it serves (the
     * write service's Dial: Prometheus drops a batch its receiver answers 404, storage/remote/client.go Store).
     */
    afterWorkloads?: boolean;
}

/** One Ziti entity of a place, by provider kind (provider/types.ts has each kind's full args). */
export type ZitiEntity =
    | (EntityBase & { kind: "Identity"; type: "Device" | "User"; roleAttributes?: string[]; enroll?: boolean })
    | (EntityBase & { kind: "Config"; configType: string; data: pulumi.Input<Record<string, unknown>> })
    | (EntityBase & { kind: "Service"; configs: string[] })
    | (EntityBase & { kind: "ServicePolicy"; type: "Bind" | "Dial"; semantic: "AnyOf" | "AllOf"; serviceRoles: string[]; identityRoles: pulumi.Input<string>[] })
    | (EntityBase & { kind: "EdgeRouterPolicy"; semantic: "AnyOf" | "AllOf"; edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>; identityRoles: pulumi.Input<string>[] })
    | (EntityBase & { kind: "ServiceEdgeRouterPolicy"; semantic: "AnyOf" | "AllOf"; edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>; serviceRoles: string[] });
