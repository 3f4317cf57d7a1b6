// A Ziti entity set as plain data, and the check that it is coherent: what a flavor's plan says the
// controller will hold, before any resource exists. Roles are written as the controller reads them:
// `@<name>` (one entity by name) or `#<attribute>`.
import type * as pulumi from "@pulumi/pulumi";

/** Edge router roles pass through unread (`#all` on a quickstart network, or the stack's own). */
type RouterRoles = pulumi.Input<pulumi.Input<string>[]>;

/** `enroll: false`: the program leaves it un-enrolled (a one-time JWT for the user's own tunneler). */
export interface ZitiIdentityData { name: string; roleAttributes: string[]; enroll?: boolean }
export interface ZitiConfigData { name: string; configType: string; data: Record<string, unknown> }
export interface ZitiServiceData { name: string; configs: string[] }
export interface ZitiServicePolicyData {
    name: string; type: "Bind" | "Dial"; semantic: "AnyOf"; identityRoles: string[]; serviceRoles: string[];
}
export interface ZitiEdgeRouterPolicyData { name: string; identityRoles: string[]; edgeRouterRoles: RouterRoles }
export interface ZitiServiceEdgeRouterPolicyData { name: string; serviceRoles: string[]; edgeRouterRoles: RouterRoles }

export interface ZitiEntitySet {
    identities: ZitiIdentityData[];
    configs: ZitiConfigData[];
    services: ZitiServiceData[];
    servicePolicies: ZitiServicePolicyData[];
    edgeRouterPolicies: ZitiEdgeRouterPolicyData[];
    serviceEdgeRouterPolicies: ZitiServiceEdgeRouterPolicyData[];
}

export const emptyEntitySet = (): ZitiEntitySet => ({
    identities: [], configs: [], services: [], servicePolicies: [], edgeRouterPolicies: [], serviceEdgeRouterPolicies: [],
});

/** The union of several places' sets (a deployment: every stack's entities together). */
export function mergeEntitySets(...sets: ZitiEntitySet[]): ZitiEntitySet {
    const out = emptyEntitySet();
    for (const s of sets) {
        for (const k of Object.keys(out) as (keyof ZitiEntitySet)[]) (out[k] as unknown[]).push(...s[k]);
    }
    return out;
}

/** Names of the entities a role list selects among `entities` (`@name`, `#attribute`, `#all` = every one). */
export function selectByRoles<T extends { name: string; roleAttributes?: string[] }>(roles: readonly string[], entities: readonly T[]): string[] {
    return entities.filter(e => roles.some(r => r === "#all" ||
        (r.startsWith("@") && r.slice(1) === e.name) || (r.startsWith("#") && (e.roleAttributes ?? []).includes(r.slice(1))),
    )).map(e => e.name);
}

/** Who may Bind and Dial each service, resolved from the policies. */
export function grants(set: ZitiEntitySet): Map<string, { bind: string[]; dial: string[] }> {
    const out = new Map(set.services.map(s => [s.name, { bind: [] as string[], dial: [] as string[] }]));
    for (const p of set.servicePolicies) {
        const ids = selectByRoles(p.identityRoles, set.identities);
        for (const svc of selectByRoles(p.serviceRoles, set.services)) {
            const g = out.get(svc)!;
            (p.type === "Bind" ? g.bind : g.dial).push(...ids.filter(i => !(p.type === "Bind" ? g.bind : g.dial).includes(i)));
        }
    }
    return out;
}

/**
 * Problems of a deployment's entity set, as sentences (empty = coherent): duplicate names, a config or a
 * `@name` role naming nothing, a service nobody can Bind or Dial, an identity or service that no edge
 * router policy lets onto a router. (An identity that binds and dials one service is not a problem: the article's
 * dark Prometheus does, its zitified reload dialing it with the same identity.)
 */
export function checkZitiGraph(set: ZitiEntitySet): string[] {
    const problems: string[] = [];
    for (const [kind, list] of Object.entries(set) as [string, { name: string }[]][]) {
        const seen = new Set<string>();
        for (const e of list) {
            if (seen.has(e.name)) problems.push(`${kind}: "${e.name}" appears twice`);
            seen.add(e.name);
        }
    }
    const configNames = new Set(set.configs.map(c => c.name));
    for (const s of set.services) {
        for (const c of s.configs) if (!configNames.has(c)) problems.push(`service "${s.name}" names config "${c}", which is not in the set`);
    }
    const named = (roles: string[], pool: { name: string }[], where: string) => {
        for (const r of roles) {
            if (r.startsWith("@") && !pool.some(e => e.name === r.slice(1))) problems.push(`${where} names "${r}", which is not in the set`);
            if (r === "#all") problems.push(`${where} uses #all`);
        }
    };
    for (const p of set.servicePolicies) {
        named(p.identityRoles, set.identities, `service policy "${p.name}"`);
        named(p.serviceRoles, set.services, `service policy "${p.name}"`);
    }
    for (const [svc, g] of grants(set)) {
        if (g.bind.length === 0) problems.push(`service "${svc}" has no binder`);
        if (g.dial.length === 0) problems.push(`service "${svc}" has no dialer`);
    }
    const routed = new Set(set.edgeRouterPolicies.flatMap(p => selectByRoles(p.identityRoles, set.identities)));
    for (const i of set.identities) if (!routed.has(i.name)) problems.push(`identity "${i.name}" is in no edge router policy`);
    const svcRouted = new Set(set.serviceEdgeRouterPolicies.flatMap(p => selectByRoles(p.serviceRoles, set.services)));
    for (const s of set.services) if (!svcRouted.has(s.name)) problems.push(`service "${s.name}" is in no service edge router policy`);
    return problems;
}

/** A place's seam entities (plan/types ZitiEntity, any flavor) as a checkable set; roles that are not plain strings are dropped. */
export function fromPlanEntities(entities: readonly import("../types").ZitiEntity[]): ZitiEntitySet {
    const set = emptyEntitySet();
    const str = (roles: unknown[]) => roles.filter((r): r is string => typeof r === "string");
    for (const e of entities) {
        if (e.kind === "Identity") set.identities.push({ name: e.name, roleAttributes: e.roleAttributes ?? [] });
        else if (e.kind === "Config") set.configs.push({ name: e.name, configType: e.configType, data: e.data as Record<string, unknown> });
        else if (e.kind === "Service") set.services.push({ name: e.name, configs: e.configs });
        else if (e.kind === "ServicePolicy") set.servicePolicies.push({ name: e.name, type: e.type, semantic: "AnyOf", identityRoles: str(e.identityRoles), serviceRoles: e.serviceRoles });
        else if (e.kind === "EdgeRouterPolicy") set.edgeRouterPolicies.push({ name: e.name, identityRoles: str(e.identityRoles), edgeRouterRoles: e.edgeRouterRoles });
        else set.serviceEdgeRouterPolicies.push({ name: e.name, serviceRoles: e.serviceRoles, edgeRouterRoles: e.edgeRouterRoles });
    }
    return set;
}
