// Ownership of Ziti entities: every entity the provider creates carries tags naming the Pulumi resource that made
// it (project, stack, resource name: stable across runs and machines). They let a create that was interrupted
// (SIGKILL after the POST, a POST whose answer was lost) be finished by the next run: the same-name entity is
// adopted only when its tags name this very resource; anything else with the name is refused.
//
// Why an input and not the URN: in @pulumi/pulumi 3.248.0 the dynamic provider's `create(inputs)` receives only the
// inputs (node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js, `createRPC` calls `provider.create(props)`;
// the request's URN is not passed on), and the provider process has no stack or project of its own. So the resource
// class computes the owner in the program (pulumi.getProject()/getStack() and the resource's name) and passes it as
// the input `owner`, which diff ignores: it never shows as a change.

/** The owner of an entity: the Pulumi resource that created it. */
export interface Owner {
    project: string;
    stack: string;
    /** The Pulumi resource name (unique per kind in this program: child names are prefixed by their component). */
    resource: string;
}

/** The tag keys on the controller (plain words, so `ziti edge list services 'tags.pulumiStack="dev"'` works). */
export const OWNER_TAGS = { project: "pulumiProject", stack: "pulumiStack", resource: "pulumiResource" } as const;

/** The owner of the resource `name` in the running program (program side; never in the provider process). */
export function ownerOf(name: string): Owner {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    return { project: pulumi.getProject(), stack: pulumi.getStack(), resource: name };
}

/** A well-formed owner from a resource's inputs, or undefined (state written before owners existed). */
export function ownerFromInputs(inputs: any): Owner | undefined {
    const o = inputs?.owner;
    if (!o || typeof o !== "object") return undefined;
    const ok = (v: unknown) => typeof v === "string" && v !== "";
    return ok(o.project) && ok(o.stack) && ok(o.resource) ? { project: o.project, stack: o.stack, resource: o.resource } : undefined;
}

/** The tags that name `owner`. */
export function ownerTags(owner: Owner): Record<string, string> {
    return { [OWNER_TAGS.project]: owner.project, [OWNER_TAGS.stack]: owner.stack, [OWNER_TAGS.resource]: owner.resource };
}

/** The owner an entity's tags name, if they name one completely. */
export function ownerOfEntity(entity: any): Owner | undefined {
    const t = entity?.tags;
    if (!t || typeof t !== "object") return undefined;
    const p = t[OWNER_TAGS.project];
    const s = t[OWNER_TAGS.stack];
    const r = t[OWNER_TAGS.resource];
    return typeof p === "string" && typeof s === "string" && typeof r === "string" ? { project: p, stack: s, resource: r } : undefined;
}

/** True only when the entity's tags name exactly this owner. */
export function ownedBy(entity: any, owner: Owner | undefined): boolean {
    const o = ownerOfEntity(entity);
    return !!owner && !!o && o.project === owner.project && o.stack === owner.stack && o.resource === owner.resource;
}

/** `project/stack/resource`, for messages. */
export function describeOwner(o: Owner | undefined): string {
    return o ? `${o.project}/${o.stack}/${o.resource}` : "nobody (no owner tags)";
}
