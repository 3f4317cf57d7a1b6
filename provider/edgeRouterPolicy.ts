// Ziti EdgeRouterPolicy: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ownerOf } from "./owner";
import { kindEntry } from "./kinds";
import { remoteProviders } from "./remote";
import { KindSpec, makeProvider, policySpec } from "./crud";
import { Semantic, EdgeRouterPolicyArgs, EdgeRouterPolicyState } from "./types";

/** Args, conversion and validation of a Ziti edge router policy. */
export const edgeRouterPolicySpec: KindSpec = policySpec({
    ...kindEntry("EdgeRouterPolicy"),
    roles: [
        { field: "edgeRouterRoles", collection: "edge-routers", required: true },
        { field: "identityRoles", collection: "identities", required: true },
    ],
});

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:EdgeRouterPolicy` (one module-level object per kind). */
export const edgeRouterPolicyProvider: pulumi.dynamic.ResourceProvider = makeProvider(edgeRouterPolicySpec);

/** Every output of a EdgeRouterPolicy, declared so that the engine registers it (values come from the provider). */
const edgeRouterPolicyOutputs: Record<keyof Omit<EdgeRouterPolicyState, "id">, undefined> = {
    name: undefined,
    semantic: undefined,
    edgeRouterRoles: undefined,
    identityRoles: undefined,
};

/** A Ziti edge router policy: which identities may use which edge routers. */
export class EdgeRouterPolicy extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly semantic: pulumi.Output<Semantic>;
    public declare readonly edgeRouterRoles: pulumi.Output<string[]>;
    public declare readonly identityRoles: pulumi.Output<string[]>;

    constructor(name: string, args: EdgeRouterPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        // The serialized provider is a small loader of the real one (./remote): state stays small.
        super(remoteProviders.EdgeRouterPolicy, name, { ...edgeRouterPolicyOutputs, ...args, owner: ownerOf(name) }, opts, "ziti", "EdgeRouterPolicy");
    }
}
