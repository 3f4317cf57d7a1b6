// Turns a place's planned Ziti entities (plan/types.ts ZitiEntity, listed by the flavor) into provider resources,
// in plan order. A role `@<name>` of an entity planned here becomes `@${resource.name}`, so the policy depends on
// that resource (the provider resolves `@name` to `@id`); a service's configs become the configs' ids.
import * as pulumi from "@pulumi/pulumi";
import type { ZitiEntity } from "../plan/types";
import { Config, EdgeRouterPolicy, Identity, Service, ServiceEdgeRouterPolicy, ServicePolicy } from "../provider";

export type ZitiResource = Identity | Config | Service | ServicePolicy | EdgeRouterPolicy | ServiceEdgeRouterPolicy;

/** The resources made, by Ziti name (kinds have disjoint names within one place's plan). */
export type ZitiResources = Map<string, ZitiResource>;

function role(r: pulumi.Input<string>, made: ZitiResources): pulumi.Input<string> {
    if (typeof r !== "string" || !r.startsWith("@")) return r;
    const e = made.get(r.slice(1));
    return e ? pulumi.interpolate`@${e.name}` : r;
}

function create(e: ZitiEntity, made: ZitiResources, opts: pulumi.CustomResourceOptions): ZitiResource {
    const roles = (rs: pulumi.Input<string>[]) => rs.map(r => role(r, made));
    switch (e.kind) {
        case "Identity":
            return new Identity(e.resourceName, {
                name: e.name, type: e.type,
                ...(e.roleAttributes ? { roleAttributes: e.roleAttributes } : {}),
                ...(e.enroll === undefined ? {} : { enroll: e.enroll }),
            }, opts);
        case "Config":
            return new Config(e.resourceName, { name: e.name, configType: e.configType, data: e.data }, opts);
        case "Service":
            return new Service(e.resourceName, {
                name: e.name,
                configs: e.configs.map(c => {
                    const cfg = made.get(c);
                    if (!(cfg instanceof Config)) throw new Error(`service ${e.name}: config ${c} is not planned before it`);
                    return cfg.id;
                }),
            }, opts);
        case "ServicePolicy":
            return new ServicePolicy(e.resourceName, { name: e.name, type: e.type, semantic: e.semantic, serviceRoles: roles(e.serviceRoles), identityRoles: roles(e.identityRoles) }, opts);
        case "EdgeRouterPolicy":
            return new EdgeRouterPolicy(e.resourceName, { name: e.name, semantic: e.semantic, edgeRouterRoles: e.edgeRouterRoles, identityRoles: roles(e.identityRoles) }, opts);
        case "ServiceEdgeRouterPolicy":
            return new ServiceEdgeRouterPolicy(e.resourceName, { name: e.name, semantic: e.semantic, edgeRouterRoles: e.edgeRouterRoles, serviceRoles: roles(e.serviceRoles) }, opts);
    }
}

/**
 * Makes `entities` with `opts` (their `parent`). `existing` are entities of the plan made already (central's made before
 * its workloads, for those made after them): their roles resolve to them, and they are not made again.
 */
export function createZitiEntities(entities: ZitiEntity[], opts: pulumi.CustomResourceOptions, existing: ZitiResources = new Map(),
    dependsOn?: pulumi.Input<pulumi.Resource>[]): ZitiResources {
    const made: ZitiResources = new Map(existing);
    for (const e of entities) if (!existing.has(e.name)) made.set(e.name, create(e, made, { ...opts, ...(dependsOn?.length ? { dependsOn } : {}) }));
    return made;
}

/** The plan split in two: what is made before the place's workloads, and what waits for them (`afterWorkloads`). */
export function splitByWorkloads(entities: ZitiEntity[]): { before: ZitiEntity[]; after: ZitiEntity[] } {
    return { before: entities.filter(e => !e.afterWorkloads), after: entities.filter(e => e.afterWorkloads) };
}
