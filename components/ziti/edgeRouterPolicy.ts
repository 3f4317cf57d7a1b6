// Ziti EdgeRouterPolicy: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { remoteProviders } from "./remote";
import { containsUnknown, KindSpec, makeProvider, UNKNOWN, validateName } from "./crud";
import { asSet, resolveRoles, rolesFromApi, validateRoles } from "./roles";
import { Semantic, EdgeRouterPolicyArgs, EdgeRouterPolicyState } from "./types";

/** Args, conversion and validation of a Ziti edge router policy. */
export const edgeRouterPolicySpec: KindSpec = {
    kind: "EdgeRouterPolicy",
    collection: "edge-router-policies",
    fields: ["name", "semantic", "edgeRouterRoles", "identityRoles"],
    setFields: ["edgeRouterRoles", "identityRoles"],
    replaceFields: [],
    normalize(a: any) {
        return {
            name: a.name,
            semantic: a.semantic ?? "AllOf",
            edgeRouterRoles: containsUnknown(a.edgeRouterRoles) ? a.edgeRouterRoles : asSet(a.edgeRouterRoles),
            identityRoles: containsUnknown(a.identityRoles) ? a.identityRoles : asSet(a.identityRoles),
        };
    },
    validate(d: any) {
        const failures = [...validateName(d.name)];
        if (d.semantic !== UNKNOWN && d.semantic !== "AllOf" && d.semantic !== "AnyOf") {
            failures.push({ property: "semantic", reason: `"${d.semantic}" must be AllOf or AnyOf` });
        }
        if (!containsUnknown(d.edgeRouterRoles)) failures.push(...validateRoles("edgeRouterRoles", d.edgeRouterRoles, true));
        if (!containsUnknown(d.identityRoles)) failures.push(...validateRoles("identityRoles", d.identityRoles, true));
        return failures;
    },
    async payload(client, d) {
        return {
            name: d.name,
            semantic: d.semantic,
            edgeRouterRoles: await resolveRoles(client, "edge-routers", "edgeRouterRoles", d.edgeRouterRoles),
            identityRoles: await resolveRoles(client, "identities", "identityRoles", d.identityRoles),
        };
    },
    async fromApi(_client, e, prev) {
        return {
            name: e.name,
            semantic: e.semantic,
            edgeRouterRoles: rolesFromApi(e, "edgeRouterRoles", prev.edgeRouterRoles),
            identityRoles: rolesFromApi(e, "identityRoles", prev.identityRoles),
        };
    },
};

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
        super(remoteProviders.EdgeRouterPolicy, name, { ...edgeRouterPolicyOutputs, ...args }, opts, "ziti", "EdgeRouterPolicy");
    }
}
