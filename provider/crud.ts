// The skeleton every Ziti kind shares: validate locally, refuse duplicates, create/read/update (PUT)/delete
// over the one client, diff as sets where the API treats lists as sets. Each kind file supplies a `KindSpec`
// (its args, conversion to and from the API, validation) and gets its one module-level provider from here.
//
// Closure-serialization: the provider returned by `makeProvider` is serialized by the Pulumi SDK, which captures
// the local modules it uses (by value) and emits `require` for packages. Packages are required inside functions;
// clients, sessions and settings are made at call time in the provider process (keyed on globalThis), never
// captured.
import type * as pulumi from "@pulumi/pulumi";
import { getClient, ZitiApiError, ZitiClient, ZitiConnectionError } from "./client";
import { label, rethrowLabelled, ZitiValidationError } from "./errors";
import { ownedBy, ownerFromInputs } from "./owner";
import { adopt, conflictError, equalJson, managedBody, managedFields, managedFromApi, plain, withManaged, withOwner } from "./ownership";
import { asSet, Failure, resolveRoles, rolesFromApi, validateRoles } from "./roles";
import { containsUnknown, UNKNOWN } from "./unknown";
import { assertZitiId, entityPath, validateName } from "./names";
import { configureFromStack, currentSettings } from "./settings";

export { containsUnknown, UNKNOWN } from "./unknown";
export { ZitiConflictError, ZitiValidationError } from "./errors";

export type { KindSpec } from "./kindSpec";
import type { KindSpec } from "./kindSpec";

/** A role list of a policy: its field, the collection its `@name` roles name entities of, and whether it may be left out. */
export interface PolicyRoles {
    field: string;
    collection: string;
    required: boolean;
}

/** A policy field that takes one of a few values (`semantic`, a service policy's `type`). */
export interface PolicyChoice {
    field: string;
    values: string[];
    /**
     * Taken when the field is left out; without one, leaving it out fails validation. (Not named `default`: the
     * SDK's closure serializer takes a captured plain object with a `default` key for an `import *` wrapper.)
     */
    fallback?: string;
}

/**
 * The spec of a policy kind: `name`, its choice fields, `semantic` (AllOf or AnyOf, default AllOf) and role
 * lists compared as sets, whose `@name` roles are resolved to `@id` on write and shown as `@name` again on read.
 * Fields keep that order. What the spec captures is plain data, so the provider built from it serializes small.
 */
export function policySpec(p: { kind: string; collection: string; choices?: PolicyChoice[]; roles: PolicyRoles[] }): KindSpec {
    const choices: PolicyChoice[] = [...(p.choices ?? []), { field: "semantic", values: ["AllOf", "AnyOf"], fallback: "AllOf" }];
    const roleFields = p.roles.map((r) => r.field);
    return {
        kind: p.kind,
        collection: p.collection,
        fields: ["name", ...choices.map((c) => c.field), ...roleFields],
        setFields: roleFields,
        replaceFields: [],
        normalize(a: any) {
            const d: any = { name: a.name };
            for (const c of choices) d[c.field] = c.fallback === undefined ? a[c.field] : a[c.field] ?? c.fallback;
            for (const r of p.roles) d[r.field] = containsUnknown(a[r.field]) ? a[r.field] : asSet(a[r.field]);
            return d;
        },
        validate(d: any) {
            const failures = [...validateName(d.name)];
            for (const c of choices) {
                const v = d[c.field];
                if (v !== UNKNOWN && !c.values.includes(v)) failures.push({ property: c.field, reason: `"${v}" must be ${c.values.join(" or ")}` });
            }
            for (const r of p.roles) if (!containsUnknown(d[r.field])) failures.push(...validateRoles(r.field, d[r.field], r.required));
            return failures;
        },
        async payload(client, d) {
            const body: Record<string, unknown> = { name: d.name };
            for (const c of choices) body[c.field] = d[c.field];
            // The role lists name different collections: resolve them concurrently.
            const resolved = await Promise.all(p.roles.map((r) => resolveRoles(client, r.collection, r.field, d[r.field])));
            p.roles.forEach((r, i) => (body[r.field] = resolved[i]));
            return body;
        },
        async fromApi(_client, e, prev) {
            const state: any = { name: e.name };
            for (const c of choices) state[c.field] = e[c.field];
            for (const r of p.roles) state[r.field] = rolesFromApi(e, r.field, prev[r.field]);
            return state;
        },
        // Roles as written (`@name`): the body holds them resolved to `@id`, which the controller would display as such.
        created: (id, body, d) => ({ ...body, id, ...Object.fromEntries(p.roles.map((r) => [r.field, d[r.field] ?? []])) }),
    };
}

/** Throws a ZitiValidationError listing every failure, if any. */
export function assertValid(spec: KindSpec, desired: any): void {
    const failures = spec.validate(desired);
    if (failures.length) {
        throw new ZitiValidationError(`${label(spec, desired.name)}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`, failures);
    }
}

/** Name rules (what the controller's filter can find again) live in ./names. */
export { validateName } from "./names";

/** Which fields differ between old state and new desired inputs (sets compared as sets). */
export function changedFields(spec: KindSpec, olds: any, desired: any): string[] {
    const changed: string[] = [];
    for (const f of [...spec.fields, ...managedFields(spec, desired)]) {
        const n = desired[f];
        if (containsUnknown(n)) {
            changed.push(f);
            continue;
        }
        const o = olds?.[f];
        const same = spec.setFields.includes(f) ? equalJson(asSet(o ?? []), asSet(n ?? [])) : equalJson(o, n);
        if (!same) changed.push(f);
    }
    return changed;
}

/** The client for this process's settings (stack config from `configure`, else environment). */
export function clientNow(): ZitiClient {
    return getClient(currentSettings());
}

/**
 * Errors of the REST layer with the resource named in front (the engine shows the URN, the user wants the Ziti
 * name); the error keeps its class and fields.
 */
async function withLabel<T>(spec: KindSpec, name: unknown, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        const prefix = `${label(spec, name)}: `;
        if (e instanceof ZitiConnectionError && !e.message.startsWith(prefix)) throw new ZitiConnectionError(prefix + e.message, e.reason, e.outcomeUnknown);
        if (e instanceof ZitiApiError && !e.message.startsWith(prefix)) throw new ZitiApiError(prefix + e.message, e.status, e.code, e.controllerMessage);
        throw e;
    }
}


/** Builds the one provider object of a kind. */
export function makeProvider(spec: KindSpec): pulumi.dynamic.ResourceProvider {
    const provider: pulumi.dynamic.ResourceProvider = {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            configureFromStack(req.config);
        },

        async check(_olds: any, news: any) {
            const desired = spec.normalize(news);
            return { inputs: news, failures: spec.validate(desired) };
        },

        async diff(_id: string, olds: any, news: any) {
            const desired = withManaged(spec, news, spec.normalize(news));
            const changed = changedFields(spec, olds, desired);
            const replaces = changed.filter((f) => spec.replaceFields.includes(f));
            return {
                changes: changed.length > 0,
                replaces,
                // Ziti names are unique: the old entity has to go before its replacement can take the name.
                deleteBeforeReplace: replaces.length > 0,
                stables: [...spec.fields, ...managedFields(spec, desired)].filter((f) => !changed.includes(f)),
            };
        },

        async create(inputs: any) {
            const desired = withManaged(spec, inputs, spec.normalize(inputs));
            assertValid(spec, desired);
            const owner = ownerFromInputs(inputs);
            const client = clientNow();
            return withLabel(spec, desired.name, async () => {
                // A POST whose answer was lost may still have made the entity: look again (by name and owner tags)
                // rather than POSTing twice. Bounded: each round's requests have their own retries.
                for (let round = 1; ; round++) {
                    const existing = await client.findBy(spec.collection, "name", desired.name);
                    if (existing.length > 0) {
                        if (ownedBy(existing[0], owner)) return adopt(spec, client, existing[0], desired, inputs);
                        throw conflictError(spec, desired.name, existing[0], owner);
                    }
                    const payload = await spec.payload(client, desired, "create").catch((e) => rethrowLabelled(spec, desired.name, e));
                    const body = { ...payload, ...managedBody(spec, desired) };
                    let res: any;
                    try {
                        res = await client.request("POST", `/edge/management/v1/${spec.collection}`, { body, idempotent: false });
                    } catch (e) {
                        if (e instanceof ZitiConnectionError && e.outcomeUnknown && owner && round < 3) continue;
                        throw e;
                    }
                    const id: string = res?.data?.id;
                    let extra: Record<string, unknown> = {};
                    let entity: any;
                    if (spec.afterCreate) {
                        try {
                            ({ extra, entity } = await spec.afterCreate(client, id, desired));
                        } catch (e) {
                            // Keep create transactional: a half-made entity would block the next attempt by name. (If the
                            // controller is away this fails too; the owner tags then let the next run adopt it.)
                            await client.request("DELETE", entityPath(spec.collection, id)).catch(() => undefined);
                            throw new Error(`${label(spec, desired.name)}: ${(e as Error).message}`);
                        }
                    }
                    entity = entity ?? spec.created?.(id, body, desired) ?? (await client.get(spec.collection, id));
                    const outs = { ...(await spec.fromApi(client, entity, { ...desired, ...extra })), ...managedFromApi(spec, entity) };
                    return { id, outs: plain(withOwner(outs, inputs)) };
                }
            });
        },

        async read(id: string, props: any) {
            // An id the controller cannot have made (`.`, `..`, a path) would address something else: refuse it.
            assertZitiId(id, `${label(spec, props?.name)} read`);
            const client = clientNow();
            const entity = await client.get(spec.collection, id);
            if (!entity) return { id: "", props: {} }; // deleted out of band: the next `up` creates it again
            const outs = plain(withOwner({ ...(await spec.fromApi(client, entity, props ?? {})), ...managedFromApi(spec, entity) }, props));
            // The refreshed values become the inputs the next diff starts from, so the engine names drifted
            // fields (and `pulumi import` gets inputs to generate code from).
            const inputs: Record<string, unknown> = {};
            for (const f of [...spec.fields, ...managedFields(spec, outs)]) if (outs[f] !== undefined) inputs[f] = outs[f];
            return { id, props: outs, inputs };
        },

        async update(id: string, olds: any, news: any) {
            const desired = withManaged(spec, news, spec.normalize(news));
            assertValid(spec, desired);
            assertZitiId(id, `${label(spec, desired.name)} update`);
            const client = clientNow();
            return withLabel(spec, desired.name, async () => {
                const payload = await spec.payload(client, desired, "update").catch((e) => rethrowLabelled(spec, desired.name, e));
                const body = { ...payload, ...managedBody(spec, desired) };
                await client.request("PUT", entityPath(spec.collection, id), { body });
                const entity = await client.get(spec.collection, id);
                if (!entity) throw new Error(`${label(spec, desired.name)}: the entity ${id} disappeared during the update`);
                const outs = { ...(await spec.fromApi(client, entity, { ...olds, ...desired })), ...managedFromApi(spec, entity) };
                return { outs: plain(withOwner(outs, news)) };
            });
        },

        async delete(id: string, props?: any) {
            const client = clientNow();
            await withLabel(spec, props?.name ?? id, async () => {
                try {
                    await client.request("DELETE", entityPath(spec.collection, id));
                } catch (e) {
                    if (e instanceof ZitiApiError && e.status === 404) return; // already gone (or a retried DELETE that did it)
                    throw e;
                }
            });
        },
    };
    return provider;
}
