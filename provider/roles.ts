// Role lists (`#attribute`, `@entityName`, `@entityId`, `#all`) and role attributes: validation, set semantics,
// and the `@name` <-> `@id` translation the Management API needs.
import { filterString, MANAGEMENT, ZitiClient } from "./client";
import { knownId } from "./knownIds";
import { Failure, isZitiId, nameProblem } from "./names";

export type { Failure } from "./names";

/** Sorted, de-duplicated copy: role lists and attributes are sets. */
export function asSet(values: readonly string[] | undefined): string[] {
    return [...new Set(values ?? [])].sort();
}

export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
    const x = asSet(a);
    const y = asSet(b);
    return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Checks role syntax: each role is `#attribute` or `@entity`, non-empty, no surrounding spaces. */
export function validateRoles(property: string, roles: unknown, required: boolean): Failure[] {
    if (roles === undefined || roles === null) {
        return required ? [{ property, reason: "is required (a list of roles such as `#attribute` or `@name`)" }] : [];
    }
    if (!Array.isArray(roles)) return [{ property, reason: "must be a list of roles" }];
    const failures: Failure[] = [];
    if (required && roles.length === 0) failures.push({ property, reason: "must name at least one role (`#attribute`, `@name` or `#all`)" });
    roles.forEach((role, i) => {
        if (typeof role !== "string") {
            failures.push({ property: `${property}[${i}]`, reason: "must be a string" });
        } else if (!/^[#@]\S/.test(role) || role.trim() !== role) {
            failures.push({ property: `${property}[${i}]`, reason: `"${role}" is not a role: write \`#attribute\` for an attribute or \`@name\` for one entity` });
        } else if (role.startsWith("@") && nameProblem(role.slice(1)) && !isZitiId(role.slice(1))) {
            // `@x` is resolved by name (a filter) or else as an id (a URL): it must be usable as one of the two.
            failures.push({ property: `${property}[${i}]`, reason: `${JSON.stringify(role)} names no entity the provider could resolve: ${nameProblem(role.slice(1))}` });
        }
    });
    return failures;
}

/** Checks role attributes (written without `#`). */
export function validateAttributes(property: string, attrs: unknown): Failure[] {
    if (attrs === undefined || attrs === null) return [];
    if (!Array.isArray(attrs)) return [{ property, reason: "must be a list of attribute names" }];
    const failures: Failure[] = [];
    attrs.forEach((a, i) => {
        if (typeof a !== "string" || a.trim() === "" || a.trim() !== a) {
            failures.push({ property: `${property}[${i}]`, reason: `"${a}" is not an attribute name (non-empty, no surrounding spaces)` });
        } else if (a.startsWith("#") || a.startsWith("@")) {
            failures.push({ property: `${property}[${i}]`, reason: `"${a}": write role attributes without the leading "${a[0]}"` });
        }
    });
    return failures;
}

/** Singular names of the collections roles point at, for messages. */
const NOUN: Record<string, string> = {
    identities: "identity",
    services: "service",
    "edge-routers": "edge router",
    "posture-checks": "posture check",
};

/** A role that names no entity on the controller; the message names the field and the role. */
export class UnresolvedRoleError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnresolvedRoleError";
    }
}

/**
 * Resolves `@name` roles to `@id` for the API (`#...` pass through). A role that already is an id is kept.
 * A name this provider process has made or read is taken from ./knownIds without a request; the other names of one
 * call are looked up with one request (`name in [...]`), not one request per role.
 * Throws `UnresolvedRoleError` naming `property` when no entity matches.
 */
export async function resolveRoles(client: ZitiClient, collection: string, property: string, roles: readonly string[]): Promise<string[]> {
    const idsByName = new Map<string, string[]>();
    const refs: string[] = [];
    for (const ref of asSet(roles).filter((r) => r.startsWith("@")).map((r) => r.slice(1))) {
        const id = knownId(client, collection, ref);
        if (id) idsByName.set(ref, [id]);
        else refs.push(ref);
    }
    if (refs.length > 0) {
        const found: any[] = refs.length === 1
            ? await client.findBy(collection, "name", refs[0])
            : (await client.request("GET", `${MANAGEMENT}/${collection}`, { query: { filter: `name in [${refs.map(filterString).join(", ")}]`, limit: 500 } })).data ?? [];
        for (const e of found) idsByName.set(e.name, [...(idsByName.get(e.name) ?? []), e.id]);
    }
    const out: string[] = [];
    for (const role of asSet(roles)) {
        if (!role.startsWith("@")) {
            out.push(role);
            continue;
        }
        const ref = role.slice(1);
        const byName = idsByName.get(ref) ?? [];
        if (byName.length === 1) {
            out.push(`@${byName[0]}`);
            continue;
        }
        // Only something shaped like an id goes into a URL (`@.` must not address the collection itself).
        const byId = isZitiId(ref) ? await client.get(collection, ref) : undefined;
        if (byId) {
            out.push(`@${byId.id}`);
            continue;
        }
        throw new UnresolvedRoleError(`${property}: ${role}: no ${NOUN[collection] ?? collection} named "${ref}" exists on the controller (create it first, or depend on it)`);
    }
    return asSet(out);
}

/**
 * Roles as the program writes them, from what the controller holds. `<field>Display` gives `@name` for `@id`;
 * a role the program wrote as `@<id>` stays in that form so there is no perpetual diff.
 */
export function rolesFromApi(entity: any, field: string, written: readonly string[] | undefined): string[] {
    const roles: string[] = Array.isArray(entity?.[field]) ? entity[field] : [];
    const display: { role: string; name: string }[] = Array.isArray(entity?.[`${field}Display`]) ? entity[`${field}Display`] : [];
    const names = new Map(display.map((d) => [d.role, d.name]));
    const keep = new Set(written ?? []);
    return asSet(roles.map((r) => (r.startsWith("@") && !keep.has(r) ? names.get(r) ?? r : r)));
}
