// What a write brings to the program's values besides a kind's own fields, and the adoption of an entity this very
// resource made in a run that did not record it.
//
// Managed fields: the owner tags (exactly those: a tag someone added is drift) and a kind's `pinned` fields, the
// security-relevant ones the program never sets (an identity's auth policy, external id, app data and hosting
// costs/precedences; a service's idle timeout). Every create, adoption and update writes them; create, read and
// update read them back into the state, and diff compares them, so a planted or drifted value shows as a change
// and the next `up` undoes it.
//
// Adoption (the owner tags name this resource of this stack instance, ./owner) takes nothing over as it is: fields
// no PATCH can change (a kind's `replaceFields`: a service's encryptionRequired, a config's type) must already be
// the program's, and a kind may name more (`adoptionProblems`: a disabled identity), else it refuses naming the
// field; then it PUTs every field (a PATCH leaves an emptied map or a null external id as it was: v1.7.2
// controller/internal/routes/identity_router.go Patch filters map fields), checks the controller kept each managed value, and lets the kind finish
// (an identity's authenticators and enrollments are all revoked and it is enrolled afresh, ./enroll).
import type { ZitiClient } from "./client";
import type { KindSpec } from "./kindSpec";
import { label, rethrowLabelled, ZitiConflictError } from "./errors";
import { cliNoun } from "./kinds";
import { entityPath } from "./names";
import { describeOwner, Owner, ownerFromInputs, ownerOfEntity, ownerTags } from "./owner";
import { containsUnknown, UNKNOWN } from "./unknown";

/** JSON equality with object keys in any order and `undefined` keys dropped. */
export function equalJson(a: unknown, b: unknown): boolean {
    const canon = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(canon);
        if (v && typeof v === "object") {
            return Object.fromEntries(
                Object.keys(v as object)
                    .filter((k) => (v as any)[k] !== undefined)
                    .sort()
                    .map((k) => [k, canon((v as any)[k])]),
            );
        }
        return v;
    };
    return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/** Drops `undefined` so outputs are plain JSON. */
export function plain<T>(v: T): T {
    return JSON.parse(JSON.stringify(v));
}

/** Keeps the `owner` input among the outputs (it is the program's, the controller does not echo it). */
export function withOwner(outs: any, inputs: any): any {
    const owner = ownerFromInputs(inputs);
    return owner ? { ...outs, owner } : outs;
}

/** The desired state with the managed fields: pinned values, and the owner tags (UNKNOWN while the owner id is). */
export function withManaged(spec: KindSpec, inputs: any, desired: any): any {
    const owner = ownerFromInputs(inputs);
    const tags = containsUnknown(inputs?.owner) ? UNKNOWN : owner ? ownerTags(owner) : undefined;
    return { ...desired, ...(spec.pinned ?? {}), ...(tags !== undefined ? { tags } : {}) };
}

/** The managed fields diff compares for `desired` (tags only for a resource with an owner). */
export function managedFields(spec: KindSpec, desired: any): string[] {
    return [...Object.keys(spec.pinned ?? {}), ...(desired?.tags !== undefined ? ["tags"] : [])];
}

/** The managed part of a create or PUT body. */
export function managedBody(spec: KindSpec, desired: any): Record<string, unknown> {
    const body: Record<string, unknown> = { ...(spec.pinned ?? {}) };
    if (desired?.tags !== undefined && desired.tags !== UNKNOWN) body.tags = desired.tags;
    return body;
}

/** The managed fields as the controller holds them (absent or null reads as the pinned value: what a new entity has). */
export function managedFromApi(spec: KindSpec, entity: any): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(spec.pinned ?? {})) out[k] = entity?.[k] === undefined || entity?.[k] === null ? v : entity[k];
    out.tags = entity?.tags ?? {};
    return out;
}


/**
 * The refusal of a same-name entity this resource does not own. The `import` resource option cannot adopt it: the
 * SDK's dynamic provider needs its serialized code in the properties the engine reads with, which an import lacks
 * (pulumi/pulumi#3550, #16175; test/faults/killpoints.spec.ts shows it). What works is marking the entity as this
 * resource's with the owner tags (owner id included); the next `up` adopts it.
 */
export function conflictError(spec: KindSpec, name: string, existing: any, owner: Owner | undefined): ZitiConflictError {
    const held = ownerOfEntity(existing);
    const tags = owner ? JSON.stringify(ownerTags(owner)) : "";
    let why = "";
    if (owner && held && held.project === owner.project && held.stack === owner.stack) {
        why = held.ownerId
            ? ` It belongs to another deployment of ${owner.project}/${owner.stack} on this controller (owner id ${held.ownerId}; this stack's is ${owner.ownerId}): two deployments of one name must not share entity names.`
            : ` Its tags predate owner ids and no resource of this stack's state holds it, so nothing proves it is this deployment's.`;
    }
    const advice = owner
        ? `Delete or rename it, or, if this resource should take it over, tag it as this resource's ` +
          `(\`ziti edge update ${cliNoun(spec.collection)} "${name}" --tags-json '${tags}'\`, or PATCH its tags ` +
          `with the Management API) and run \`pulumi up\` again: the provider then adopts it and brings it to the desired state.`
        : `Delete or rename it.`;
    return new ZitiConflictError(
        `${label(spec, name)}: a ${spec.kind} with this name already exists on the controller (id ${existing.id}, owned by ${describeOwner(held)}) ` +
            `and is not managed by this resource.${why} ${advice}`,
        existing.id,
    );
}

/** Why `existing` cannot be taken over as it is (fields no PATCH changes, the kind's own reasons); empty when it can. */
async function adoptionRefusals(spec: KindSpec, client: ZitiClient, existing: any, desired: any): Promise<string[]> {
    const current = await spec.fromApi(client, existing, desired);
    const fixed = spec.replaceFields
        .filter((f) => !equalJson(current[f], desired[f]))
        .map((f) => `${f} is ${JSON.stringify(current[f])} on the controller, the program sets ${JSON.stringify(desired[f])}, and it cannot be changed in place`);
    return [...fixed, ...(spec.adoptionProblems?.(existing) ?? [])];
}

/**
 * Takes over an entity this very resource made in a run that did not record it (see the top of this file): refuses
 * what it cannot bring to the program's values, PUTs every field, checks them, lets the kind finish.
 */
export async function adopt(spec: KindSpec, client: ZitiClient, existing: any, desired: any, inputs: any): Promise<{ id: string; outs: any }> {
    const id: string = existing.id;
    const refusals = await adoptionRefusals(spec, client, existing, desired);
    if (refusals.length) {
        throw new ZitiConflictError(
            `${label(spec, desired.name)}: the ${spec.kind} ${id} on the controller is tagged as this resource's but is not taken over: ${refusals.join("; ")}. ` +
                `Delete it (\`ziti edge delete ${cliNoun(spec.collection)} "${desired.name}"\`) and run \`pulumi up\` again`,
            id,
        );
    }
    const body = { ...(await spec.payload(client, desired, "update").catch((e) => rethrowLabelled(spec, desired.name, e))), ...managedBody(spec, desired) };
    await client.request("PUT", entityPath(spec.collection, id), { body });
    let extra: Record<string, unknown> = {};
    let entity: any;
    if (spec.afterAdopt) ({ extra, entity } = await spec.afterAdopt(client, id, desired));
    entity = entity ?? (await client.get(spec.collection, id));
    if (!entity) throw new Error(`${label(spec, desired.name)}: the entity ${id} disappeared while it was adopted`);
    const managed = managedFromApi(spec, entity);
    const kept = managedFields(spec, desired).filter((f) => !equalJson(managed[f], desired[f]));
    if (kept.length) {
        throw new ZitiConflictError(`${label(spec, desired.name)}: adopting ${id}: the controller kept ${kept.map((f) => `${f}=${JSON.stringify(managed[f])}`).join(", ")} after the PUT; delete it and run \`pulumi up\` again`, id);
    }
    const outs = { ...(await spec.fromApi(client, entity, { ...desired, ...extra })), ...managed };
    return { id, outs: plain(withOwner(outs, inputs)) };
}
