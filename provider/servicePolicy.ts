// Ziti ServicePolicy: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ownerOf } from "./owner";
import { kindEntry } from "./kinds";
import { remoteProviders } from "./remote";
import { KindSpec, makeProvider, policySpec } from "./crud";
import { Semantic, ServicePolicyArgs, ServicePolicyState } from "./types";

/** Args, conversion and validation of a Ziti service policy. */
export const servicePolicySpec: KindSpec = policySpec({
    ...kindEntry("ServicePolicy"),
    choices: [{ field: "type", values: ["Dial", "Bind"] }],
    roles: [
        { field: "serviceRoles", collection: "services", required: true },
        { field: "identityRoles", collection: "identities", required: true },
        { field: "postureCheckRoles", collection: "posture-checks", required: false },
    ],
});

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:ServicePolicy` (one module-level object per kind). */
export const servicePolicyProvider: pulumi.dynamic.ResourceProvider = makeProvider(servicePolicySpec);

/** Every output of a ServicePolicy, declared so that the engine registers it (values come from the provider). */
const servicePolicyOutputs: Record<keyof Omit<ServicePolicyState, "id">, undefined> = {
    name: undefined,
    type: undefined,
    semantic: undefined,
    serviceRoles: undefined,
    identityRoles: undefined,
    postureCheckRoles: undefined,
};

/** A Ziti service policy (Dial or Bind). Roles `@name` are resolved to `@id` on the controller. */
export class ServicePolicy extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly type: pulumi.Output<"Dial" | "Bind">;
    public declare readonly semantic: pulumi.Output<Semantic>;
    public declare readonly serviceRoles: pulumi.Output<string[]>;
    public declare readonly identityRoles: pulumi.Output<string[]>;
    public declare readonly postureCheckRoles: pulumi.Output<string[]>;

    constructor(name: string, args: ServicePolicyArgs, opts?: pulumi.CustomResourceOptions) {
        // The serialized provider is a small loader of the real one (./remote): state stays small.
        super(remoteProviders.ServicePolicy, name, { ...servicePolicyOutputs, ...args, owner: ownerOf(name) }, opts, "ziti", "ServicePolicy");
    }
}
