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
}

/** A Prometheus configuration object (rendered to YAML by the plan). */
export type PrometheusConfig = Record<string, unknown>;

/** Fields of every Ziti entity: its Pulumi resource name (URN part) and its Ziti name. */
interface EntityBase {
    resourceName: string;
    name: string;
}

/** One Ziti entity of a place, by provider kind (provider/types.ts has each kind's full args). */
export type ZitiEntity =
    | (EntityBase & { kind: "Identity"; type: "Device" | "User"; roleAttributes?: string[]; enroll?: boolean })
    | (EntityBase & { kind: "Config"; configType: string; data: pulumi.Input<Record<string, unknown>> })
    | (EntityBase & { kind: "Service"; configs: string[] })
    | (EntityBase & { kind: "ServicePolicy"; type: "Bind" | "Dial"; semantic: "AnyOf" | "AllOf"; serviceRoles: string[]; identityRoles: pulumi.Input<string>[] })
    | (EntityBase & { kind: "EdgeRouterPolicy"; semantic: "AnyOf" | "AllOf"; edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>; identityRoles: pulumi.Input<string>[] })
    | (EntityBase & { kind: "ServiceEdgeRouterPolicy"; semantic: "AnyOf" | "AllOf"; edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>; serviceRoles: string[] });
