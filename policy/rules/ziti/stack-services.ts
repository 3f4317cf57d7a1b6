// The stack's Ziti services and which of them a ServicePolicy's service roles select, judged the way the
// OpenZiti controller links them (openziti/ziti v1.7.2 controller/db/policy_common.go
// evaluatePolicyAgainstEntity): an entity matches when the policy names it (`@<name or id>`), when the
// roles contain `#all`, or when its role attributes contain all (AllOf) / any (AnyOf) of the `#attribute`
// roles. The provider resolves `@name` to `@id` before writing (provider/roles.ts resolveRoles), so
// `@name` here is compared with the service's `name` input.
import { PolicyResource } from "@pulumi/policy";
import { PlainObject, UNKNOWN, Unknown, isUnknown } from "../../lib/unknown";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ALL_ROLE, rolesOf } from "./service-policy";

export const ZITI_SERVICE = "pulumi-nodejs:dynamic/ziti:Service";

export const serviceTypesProperty: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string" },
    default: [ZITI_SERVICE],
    description: "Resource type tokens of Ziti services (inputs name, roleAttributes).",
};

export interface StackService {
    resource: PolicyResource;
    /** The Ziti name (`name` input, else the Pulumi name), or UNKNOWN. */
    name: string | Unknown;
    /** Role attributes (without `#`), or UNKNOWN when the list or an item is not known. */
    attributes: string[] | Unknown;
}

/**
 * Whether props have the shape of a Ziti service, whatever the token: `roleAttributes` next to one of the
 * fields only a service has (provider/service.ts fields: configs, encryptionRequired,
 * terminatorStrategy); identities carry roleAttributes too, but none of those.
 */
export function looksLikeZitiService(props: PlainObject): boolean {
    return "roleAttributes" in props && ["configs", "encryptionRequired", "terminatorStrategy"].some((k) => k in props);
}

export function stackServices(resources: readonly PolicyResource[], types: readonly string[], propsOf: (r: PolicyResource) => PlainObject): StackService[] {
    return resources
        .filter((r) => types.includes(r.type) || (!r.type.startsWith("kubernetes:") && looksLikeZitiService(propsOf(r))))
        .map((r) => {
            const props = propsOf(r);
            const name = isUnknown(props.name) ? UNKNOWN : typeof props.name === "string" && props.name ? props.name : r.name;
            const raw = props.roleAttributes;
            const attributes: string[] | Unknown = isUnknown(raw) || (Array.isArray(raw) && raw.some(isUnknown))
                ? UNKNOWN
                : Array.isArray(raw) ? raw.filter((a): a is string => typeof a === "string") : [];
            return { resource: r, name, attributes };
        });
}

/** A policy's service side: its known roles, whether some items were unknown, and its semantic. */
export interface ServiceSide {
    roles: string[];
    /** Paths of unknown items of the role list (or the list itself). */
    unknownRoles: string[];
    semantic: "AllOf" | "AnyOf" | Unknown;
}

export function serviceSideOf(props: PlainObject): ServiceSide {
    const unknownRoles: string[] = [];
    const roles = rolesOf(props, "serviceRoles", (p) => unknownRoles.push(p)) ?? [];
    const s = props.semantic;
    return { roles, unknownRoles, semantic: isUnknown(s) ? UNKNOWN : s === "AnyOf" ? "AnyOf" : "AllOf" };
}

export type Match = "yes" | "no" | "unknown";

/** Whether the controller would link `service` to a policy with this service side. */
export function matchService(side: ServiceSide, service: StackService): Match {
    if (side.roles.includes(ALL_ROLE)) {
        return "yes";
    }
    const names = side.roles.filter((r) => r.startsWith("@")).map((r) => r.slice(1));
    if (typeof service.name === "string" && names.includes(service.name)) {
        return "yes";
    }
    const attrs = side.roles.filter((r) => r.startsWith("#")).map((r) => r.slice(1));
    let unsure = side.unknownRoles.length > 0 || (names.length > 0 && isUnknown(service.name));
    if (attrs.length > 0) {
        if (isUnknown(service.attributes) || isUnknown(side.semantic)) {
            unsure = true;
        } else {
            const has = service.attributes;
            const hit = side.semantic === "AllOf" ? attrs.every((a) => has.includes(a)) : attrs.some((a) => has.includes(a));
            if (hit) {
                return "yes";
            }
        }
    }
    return unsure ? "unknown" : "no";
}

/** Why a match was unsure, as paths for the could-not-be-checked note. */
export function unsureBecause(side: ServiceSide, service: StackService): string[] {
    const out = [...side.unknownRoles];
    if (isUnknown(side.semantic)) out.push("semantic");
    const label = typeof service.name === "string" ? service.name : service.resource.name;
    if (isUnknown(service.name)) out.push(`name of Ziti service '${label}'`);
    if (isUnknown(service.attributes)) out.push(`roleAttributes of Ziti service '${label}'`);
    return out;
}
