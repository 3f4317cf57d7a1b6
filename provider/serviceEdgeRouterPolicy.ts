// Ziti ServiceEdgeRouterPolicy: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ownerOf } from "./owner";
import { kindEntry } from "./kinds";
import { remoteProviders } from "./remote";
import { KindSpec, makeProvider, policySpec } from "./crud";
import { Semantic, ServiceEdgeRouterPolicyArgs, ServiceEdgeRouterPolicyState } from "./types";

/** Args, conversion and validation of a Ziti service edge router policy. */
export const serviceEdgeRouterPolicySpec: KindSpec = policySpec({
    ...kindEntry("ServiceEdgeRouterPolicy"),
    roles: [
        { field: "edgeRouterRoles", collection: "edge-routers", required: true },
        { field: "serviceRoles", collection: "services", required: true },
    ],
});

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:ServiceEdgeRouterPolicy` (one module-level object per kind). */
export const serviceEdgeRouterPolicyProvider: pulumi.dynamic.ResourceProvider = makeProvider(serviceEdgeRouterPolicySpec);

/** Every output of a ServiceEdgeRouterPolicy, declared so that the engine registers it (values come from the provider). */
const serviceEdgeRouterPolicyOutputs: Record<keyof Omit<ServiceEdgeRouterPolicyState, "id">, undefined> = {
    name: undefined,
    semantic: undefined,
    edgeRouterRoles: undefined,
    serviceRoles: undefined,
};

/** A Ziti service edge router policy: which services may be reached through which edge routers. */
export class ServiceEdgeRouterPolicy extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly semantic: pulumi.Output<Semantic>;
    public declare readonly edgeRouterRoles: pulumi.Output<string[]>;
    public declare readonly serviceRoles: pulumi.Output<string[]>;

    constructor(name: string, args: ServiceEdgeRouterPolicyArgs, opts?: pulumi.CustomResourceOptions) {
        // The serialized provider is a small loader of the real one (./remote): state stays small.
        super(remoteProviders.ServiceEdgeRouterPolicy, name, { ...serviceEdgeRouterPolicyOutputs, ...args, owner: ownerOf(name) }, opts, "ziti", "ServiceEdgeRouterPolicy");
    }
}
