// What a Ziti kind's provider does, operation by operation, over the kind's spec (./kindSpec) and the one client:
// validate before any write, refuse or adopt a same-name entity (./ownership), POST/GET/PUT/DELETE, a set-aware
// diff. ./crud's `makeProvider` binds these to a spec. Clients are made at call time in the provider process.
import { getClient, ZitiApiError, ZitiClient, ZitiConnectionError } from "./client";
import { label, rethrowLabelled, ZitiValidationError } from "./errors";
import { forgetAll, forgetId, rememberId } from "./knownIds";
import type { KindSpec } from "./kindSpec";
import { assertZitiId, entityPath } from "./names";
import { ownedBy, ownerFromInputs } from "./owner";
import { adopt, conflictError, equalJson, managedBody, managedFields, managedFromApi, plain, withManaged, withOwner } from "./ownership";
import { asSet } from "./roles";
import { currentSettings } from "./settings";
import { containsUnknown } from "./unknown";

/** Throws a ZitiValidationError listing every failure, if any. */
export function assertValid(spec: KindSpec, desired: any): void {
    const failures = spec.validate(desired);
    if (failures.length) {
        throw new ZitiValidationError(`${label(spec, desired.name)}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`, failures);
    }
}

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
        if (e instanceof ZitiApiError && !e.message.startsWith(prefix)) throw new ZitiApiError(prefix + e.message, e.status, e.code, e.controllerMessage, e.field);
        throw e;
    }
}

/** The engine's diff: changed fields, replacements (fields the API cannot update) and what stays. */
export function diffEntity(spec: KindSpec, olds: any, news: any) {
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
}

/**
 * The controller refused a create because the name is taken: v1.7.2 answers COULD_NOT_VALIDATE with cause field
 * `name` (every kind here has a unique name index; "name must be unique", "duplicate value ... in unique index",
 * checked against the real controller by test/provider/lifecycle.spec.ts); 409 is the HTTP meaning of it.
 */
function nameTaken(e: unknown): boolean {
    return e instanceof ZitiApiError && ((e.code === "COULD_NOT_VALIDATE" && e.field === "name") || e.status === 409);
}

/** The controller refused a role naming an id it does not hold ("no services found with the given ids"). */
function roleIdRefused(e: unknown): boolean {
    return e instanceof ZitiApiError && e.code === "COULD_NOT_VALIDATE" && typeof e.field === "string" && /Roles$/.test(e.field);
}

/**
 * Creates the entity, or adopts the one an interrupted run of this resource made.
 *
 * The POST goes first: the controller's unique name index refuses a same-name entity, and only then is the name
 * looked up, so a create costs one request, not a lookup and a POST. What the lookup finds is adopted only when all
 * four owner tags name this resource of this stack instance (./ownership), else refused, as before the POST. A POST
 * whose outcome is unknown (its answer lost, a 5xx) is never sent again blindly: the name is looked up, what this
 * resource made is adopted, and only when nothing has the name is it POSTed again. Bounded: each round's requests have
 * their own retries.
 */
export async function createEntity(spec: KindSpec, inputs: any): Promise<{ id: string; outs: any }> {
        const desired = withManaged(spec, inputs, spec.normalize(inputs));
        assertValid(spec, desired);
        const owner = ownerFromInputs(inputs);
        const client = clientNow();
        return withLabel(spec, desired.name, async () => {
            for (let round = 1; ; round++) {
                const payload = await spec.payload(client, desired, "create").catch((e) => rethrowLabelled(spec, desired.name, e));
                const body = { ...payload, ...managedBody(spec, desired) };
                let res: any;
                try {
                    res = await client.request("POST", `/edge/management/v1/${spec.collection}`, { body, idempotent: false });
                } catch (e) {
                    const unknown = e instanceof ZitiConnectionError && e.outcomeUnknown && !!owner;
                    if (unknown || nameTaken(e)) {
                        const existing = await client.findBy(spec.collection, "name", desired.name);
                        if (existing.length > 0) {
                            if (!ownedBy(existing[0], owner)) throw conflictError(spec, desired.name, existing[0], owner);
                            const adopted = await adopt(spec, client, existing[0], desired, inputs);
                            rememberId(client, spec.collection, desired.name, adopted.id);
                            return adopted;
                        }
                        // Nothing has the name: the lost POST made nothing, or the clashing entity went meanwhile.
                        if (round < 3) continue;
                    }
                    // A role id this process remembered is gone from the controller: resolve the names again, once.
                    if (roleIdRefused(e) && forgetAll(client)) continue;
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
                rememberId(client, spec.collection, desired.name, id);
                return { id, outs: plain(withOwner(outs, inputs)) };
            }
        });
}

/** The entity as the controller holds it now; empty when it was deleted out of band. */
export async function readEntity(spec: KindSpec, id: string, props: any) {
        // An id the controller cannot have made (`.`, `..`, a path) would address something else: refuse it.
        assertZitiId(id, `${label(spec, props?.name)} read`);
        const client = clientNow();
        const entity = await client.get(spec.collection, id);
        if (!entity) {
            forgetId(client, spec.collection, id);
            return { id: "", props: {} }; // deleted out of band: the next `up` creates it again
        }
        rememberId(client, spec.collection, entity.name, id);
        const outs = plain(withOwner({ ...(await spec.fromApi(client, entity, props ?? {})), ...managedFromApi(spec, entity) }, props));
        // The refreshed values become the inputs the next diff starts from, so the engine names drifted
        // fields (and `pulumi import` gets inputs to generate code from).
        const inputs: Record<string, unknown> = {};
        for (const f of [...spec.fields, ...managedFields(spec, outs)]) if (outs[f] !== undefined) inputs[f] = outs[f];
        return { id, props: outs, inputs };
}

export async function updateEntity(spec: KindSpec, id: string, olds: any, news: any) {
        const desired = withManaged(spec, news, spec.normalize(news));
        assertValid(spec, desired);
        assertZitiId(id, `${label(spec, desired.name)} update`);
        const client = clientNow();
        return withLabel(spec, desired.name, async () => {
            const put = async () => {
                const payload = await spec.payload(client, desired, "update").catch((e) => rethrowLabelled(spec, desired.name, e));
                await client.request("PUT", entityPath(spec.collection, id), { body: { ...payload, ...managedBody(spec, desired) } });
            };
            try {
                await put();
            } catch (e) {
                // A role id this process remembered is gone from the controller: resolve the names again, once.
                if (!(roleIdRefused(e) && forgetAll(client))) throw e;
                await put();
            }
            const entity = await client.get(spec.collection, id);
            if (!entity) throw new Error(`${label(spec, desired.name)}: the entity ${id} disappeared during the update`);
            const outs = { ...(await spec.fromApi(client, entity, { ...olds, ...desired })), ...managedFromApi(spec, entity) };
            rememberId(client, spec.collection, entity.name, id);
            return { outs: plain(withOwner(outs, news)) };
        });
}

export async function deleteEntity(spec: KindSpec, id: string, props?: any): Promise<void> {
        const client = clientNow();
        await withLabel(spec, props?.name ?? id, async () => {
            forgetId(client, spec.collection, id);
            try {
                await client.request("DELETE", entityPath(spec.collection, id));
            } catch (e) {
                if (e instanceof ZitiApiError && e.status === 404) return; // already gone (or a retried DELETE that did it)
                throw e;
            }
        });
}
