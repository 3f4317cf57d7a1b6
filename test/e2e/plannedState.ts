// What the e2e tier expects on the controller, derived from the program's own plan (test/helpers/planEntities.ts over
// a committed stack file) instead of copied entity names: the names by collection, and each planned entity's fields
// as the controller's own API shows them (roles `@name` resolved to `@id`, a service's configs and a config's type by
// id). Which entity has which fields is the plan's to say (tested as data in test/unit); this checks that the real
// engine and provider put exactly that on a real controller.
import { COLLECTIONS, Rest } from "../helpers/zitiController";
import { collectionOf, namesByCollection, PlainEntity, planEntities, stackFileConfig } from "../helpers/planEntities";

/** The planned entities of the committed stack file `Pulumi.<stack>.yaml` with `overrides` (e.g. the flavor). */
export async function plannedStack(stack: string, overrides: Record<string, unknown> = {}): Promise<PlainEntity[]> {
    return planEntities({ ...stackFileConfig(stack), ...overrides }, stack);
}

/** The names of several stacks' planned entities, by collection (every collection present, sorted). */
export function plannedNames(...stacks: PlainEntity[][]): Record<string, string[]> {
    return namesByCollection(stacks.flat());
}

/** JSON with object keys sorted (the controller, in Go, writes map keys in its own order). */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object") return `{${Object.keys(v).sort().filter((k) => (v as any)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(",")}}`;
    return JSON.stringify(v);
}
const sorted = (xs: readonly unknown[] | undefined | null) => [...(xs ?? [])].map(String).sort();
/** v1.7.2 knows only Default and Router: it files both `Device` and `User` under `Default` (provider/identity.ts). */
const identityType = (t: unknown) => (t === "Device" || t === "User" ? "Default" : t);

/**
 * Every difference between the planned entities and what the controller holds under their names: a missing entity,
 * or a field the controller shows otherwise (as `collection/name: field: want ... got ...`). Empty when they agree.
 */
export async function differencesFromPlan(rest: Rest, planned: PlainEntity[]): Promise<string[]> {
    const byName: Record<string, Map<string, any>> = {};
    for (const c of COLLECTIONS) {
        const res = await rest.get(`${c}?limit=500`);
        if (res.status !== 200) throw new Error(`listing ${c}: ${res.status}`);
        byName[c] = new Map((res.json.data as any[]).map((e) => [e.name, e]));
    }
    const configTypes = new Map(((await rest.get("config-types?limit=500")).json.data as any[]).map((t) => [t.id, t.name]));
    const idOf = (collection: string, name: string) => byName[collection].get(name)?.id ?? `<no ${collection}/${name}>`;
    const roles = (collection: string, rs: readonly string[]) => sorted(rs.map((r) => (r.startsWith("@") ? `@${idOf(collection, r.slice(1))}` : r)));

    const out: string[] = [];
    for (const e of planned) {
        const collection = collectionOf(e.kind);
        const got = byName[collection].get(e.name);
        if (!got) {
            out.push(`${collection}/${e.name}: missing`);
            continue;
        }
        const [want, have] = fields(e, got, { idOf, roles, configType: (id: string) => configTypes.get(id) });
        for (const k of Object.keys(want)) {
            const w = canonical(want[k]);
            const h = canonical(have[k]);
            if (w !== h) out.push(`${collection}/${e.name}: ${k}: want ${w}, got ${h}`);
        }
    }
    return out;
}

interface Lookups {
    idOf(collection: string, name: string): string;
    roles(collection: string, rs: readonly string[]): string[];
    configType(id: string): string | undefined;
}

/** The planned entity's fields and the controller's, in the same form. */
function fields(e: PlainEntity, got: any, l: Lookups): [Record<string, unknown>, Record<string, unknown>] {
    switch (e.kind) {
        case "Identity":
            return [{ type: identityType(e.type), roleAttributes: sorted(e.roleAttributes) },
                { type: identityType(got.type?.name ?? got.typeId), roleAttributes: sorted(got.roleAttributes) }];
        case "Config":
            return [{ configType: e.configType, data: e.data }, { configType: l.configType(got.configTypeId), data: got.data }];
        case "Service":
            return [{ configs: sorted(e.configs.map((c) => l.idOf("configs", c))) }, { configs: sorted(got.configs) }];
        case "ServicePolicy":
            return [{ type: e.type, semantic: e.semantic, serviceRoles: l.roles("services", e.serviceRoles), identityRoles: l.roles("identities", e.identityRoles) },
                { type: got.type, semantic: got.semantic, serviceRoles: sorted(got.serviceRoles), identityRoles: sorted(got.identityRoles) }];
        case "EdgeRouterPolicy":
            return [{ semantic: e.semantic, edgeRouterRoles: sorted(e.edgeRouterRoles), identityRoles: l.roles("identities", e.identityRoles) },
                { semantic: got.semantic, edgeRouterRoles: sorted(got.edgeRouterRoles), identityRoles: sorted(got.identityRoles) }];
        case "ServiceEdgeRouterPolicy":
            return [{ semantic: e.semantic, edgeRouterRoles: sorted(e.edgeRouterRoles), serviceRoles: l.roles("services", e.serviceRoles) },
                { semantic: got.semantic, edgeRouterRoles: sorted(got.edgeRouterRoles), serviceRoles: sorted(got.serviceRoles) }];
    }
}
