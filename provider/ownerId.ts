// The owner id of a stack instance (see ./owner): one `ziti:OwnerId` resource per stack, whose create draws 16
// random bytes once; the state keeps them, so every later run (and `npm run down`'s recovery, which reads them from
// the exported state) sees the same id. A second backend holding a stack of the same name draws its own.
//
// The provider is tiny and plain (no client, no settings): it serializes as it is. Its diff never reports a change,
// so no input can replace the id; `pulumi destroy` deletes it last (every Ziti resource depends on it), after which a
// new `up` is a new instance with a new id.
import * as pulumi from "@pulumi/pulumi";

/** The resource's provider: `pulumi-nodejs:dynamic/ziti:OwnerId`. */
export const ownerIdProvider: pulumi.dynamic.ResourceProvider = {
    async create() {
        const ownerId = (require("crypto") as typeof import("crypto")).randomBytes(16).toString("hex");
        return { id: ownerId, outs: { ownerId } };
    },
    async diff() {
        return { changes: false };
    },
    async read(id: string, props: any) {
        return { id, props: { ownerId: props?.ownerId ?? id } };
    },
    async delete() {
        // Nothing on any controller: the id lives only in the state.
    },
};

/** The owner id of this stack instance, as a resource. */
export class OwnerId extends pulumi.dynamic.Resource {
    public declare readonly ownerId: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(ownerIdProvider, name, { ownerId: undefined }, opts, "ziti", "OwnerId");
    }
}

/** The resource name of a stack's OwnerId (fixed: recovery finds it in the state by its type). */
export const OWNER_ID_RESOURCE = "ziti-owner-id";
/** Its type token. */
export const OWNER_ID_TYPE = "pulumi-nodejs:dynamic/ziti:OwnerId";

/** This program's owner id: the OwnerId resource, registered on first use (once per program). */
export function stackOwnerId(): pulumi.Output<string> {
    const g = globalThis as any;
    const key = Symbol.for("scrape-anywhere.ziti.ownerId");
    const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;
    if (!g[key] || g[key].stack !== stack) g[key] = { stack, resource: new OwnerId(OWNER_ID_RESOURCE) };
    return g[key].resource.ownerId;
}

/** The owner id a stack's exported state (`pulumi stack export`) holds, if any. */
export function ownerIdInState(deployment: any): string | undefined {
    const r = (deployment?.resources ?? []).find((x: any) => x?.type === OWNER_ID_TYPE);
    const id = r?.outputs?.ownerId;
    return typeof id === "string" && /^[0-9a-f]{32}$/.test(id) ? id : undefined;
}
