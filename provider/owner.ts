// Ownership of Ziti entities: every entity the provider creates carries tags naming the Pulumi resource that made
// it (project, stack, resource name) and the stack instance it belongs to (the owner id, below). They let a create
// that was interrupted (SIGKILL after the POST, a POST whose answer was lost) be finished by the next run: the
// same-name entity is adopted only when its tags name this very resource of this very stack instance; anything
// else with the name is refused.
//
// Why an owner id: project and stack names are not unique. Two checkouts, CI pipelines or teams with a stack `dev`
// on one controller would otherwise adopt (and `npm run down` would sweep) each other's entities. The owner id is
// random, made once per stack instance by the `OwnerId` resource (./ownerId) and kept in that stack's state: a
// second backend holding a stack of the same name makes its own. (Stack config would not do: Pulumi.<stack>.yaml is
// committed, so every clone and pipeline of the repository would share one id.)
//
// Why an input and not the URN: in @pulumi/pulumi 3.248.0 the dynamic provider's `create(inputs)` receives only the
// inputs (node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js, `createRPC` calls `provider.create(props)`;
// the request's URN is not passed on), and the provider process has no stack or project of its own. So the resource
// class computes the owner in the program (pulumi.getProject()/getStack(), the resource's name, the stack's owner id)
// and passes it as the input `owner`; diff compares the tags it implies with the entity's.
import type * as pulumi from "@pulumi/pulumi";

/** The owner of an entity: the Pulumi resource of one stack instance that created it. */
export interface Owner {
    project: string;
    stack: string;
    /** The Pulumi resource name (unique per kind in this program: child names are prefixed by their component). */
    resource: string;
    /** The stack instance's owner id (./ownerId): random, made once, kept in the stack's state. */
    ownerId: string;
}

/** The tag keys on the controller (plain words, so `ziti edge list services 'tags.pulumiStack="dev"'` works). */
export const OWNER_TAGS = { project: "pulumiProject", stack: "pulumiStack", resource: "pulumiResource", ownerId: "pulumiOwnerId" } as const;

/** What an owner id looks like (32 hex digits from 16 random bytes); anything else is not one. */
export const OWNER_ID_PATTERN = /^[0-9a-f]{32}$/;

/** The owner of the resource `name` in the running program (program side; never in the provider process). */
export function ownerOf(name: string): pulumi.Input<Owner> {
    const p = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { stackOwnerId } = require("./ownerId") as typeof import("./ownerId");
    return p.all([stackOwnerId()]).apply(([ownerId]) => ({ project: p.getProject(), stack: p.getStack(), resource: name, ownerId }));
}

/** A well-formed owner from a resource's inputs, or undefined (state written before owners or owner ids existed). */
export function ownerFromInputs(inputs: any): Owner | undefined {
    const o = inputs?.owner;
    if (!o || typeof o !== "object") return undefined;
    const ok = (v: unknown) => typeof v === "string" && v !== "";
    return ok(o.project) && ok(o.stack) && ok(o.resource) && typeof o.ownerId === "string" && OWNER_ID_PATTERN.test(o.ownerId)
        ? { project: o.project, stack: o.stack, resource: o.resource, ownerId: o.ownerId }
        : undefined;
}

/** The tags that name `owner`. */
export function ownerTags(owner: Owner): Record<string, string> {
    return { [OWNER_TAGS.project]: owner.project, [OWNER_TAGS.stack]: owner.stack, [OWNER_TAGS.resource]: owner.resource, [OWNER_TAGS.ownerId]: owner.ownerId };
}

/**
 * The owner an entity's tags name, if they name project, stack and resource; `ownerId` is missing on entities
 * tagged by the scheme before owner ids (those are adopted by no create and swept by no recovery).
 */
export function ownerOfEntity(entity: any): (Omit<Owner, "ownerId"> & { ownerId?: string }) | undefined {
    const t = entity?.tags;
    if (!t || typeof t !== "object") return undefined;
    const p = t[OWNER_TAGS.project];
    const s = t[OWNER_TAGS.stack];
    const r = t[OWNER_TAGS.resource];
    const id = t[OWNER_TAGS.ownerId];
    if (typeof p !== "string" || typeof s !== "string" || typeof r !== "string") return undefined;
    return { project: p, stack: s, resource: r, ownerId: typeof id === "string" ? id : undefined };
}

/** True only when the entity's tags name exactly this owner: project, stack, resource and owner id. */
export function ownedBy(entity: any, owner: Owner | undefined): boolean {
    const o = ownerOfEntity(entity);
    return !!owner && !!o && o.project === owner.project && o.stack === owner.stack && o.resource === owner.resource && o.ownerId === owner.ownerId;
}

/** `project/stack/resource (owner id ...)`, for messages. */
export function describeOwner(o: { project: string; stack: string; resource: string; ownerId?: string } | undefined): string {
    if (!o) return "nobody (no owner tags)";
    return `${o.project}/${o.stack}/${o.resource} ${o.ownerId ? `of the stack instance with owner id ${o.ownerId}` : "(tagged before owner ids: no owner id)"}`;
}
