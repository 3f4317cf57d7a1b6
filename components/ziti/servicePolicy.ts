// Ziti ServicePolicy: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { remoteProviders } from "./remote";
import { containsUnknown, KindSpec, makeProvider, UNKNOWN, validateName } from "./crud";
import { asSet, resolveRoles, rolesFromApi, validateRoles } from "./roles";
import { Semantic, ServicePolicyArgs, ServicePolicyState } from "./types";

/** Args, conversion and validation of a Ziti service policy. */
export const servicePolicySpec: KindSpec = {
    kind: "ServicePolicy",
    collection: "service-policies",
    fields: ["name", "type", "semantic", "serviceRoles", "identityRoles", "postureCheckRoles"],
    setFields: ["serviceRoles", "identityRoles", "postureCheckRoles"],
    replaceFields: [],
    normalize(a: any) {
        return {
            name: a.name,
            type: a.type,
            semantic: a.semantic ?? "AllOf",
            serviceRoles: containsUnknown(a.serviceRoles) ? a.serviceRoles : asSet(a.serviceRoles),
            identityRoles: containsUnknown(a.identityRoles) ? a.identityRoles : asSet(a.identityRoles),
            postureCheckRoles: containsUnknown(a.postureCheckRoles) ? a.postureCheckRoles : asSet(a.postureCheckRoles),
        };
    },
    validate(d: any) {
        const failures = [...validateName(d.name)];
        if (d.type !== UNKNOWN && d.type !== "Dial" && d.type !== "Bind") failures.push({ property: "type", reason: `"${d.type}" must be Dial or Bind` });
        if (d.semantic !== UNKNOWN && d.semantic !== "AllOf" && d.semantic !== "AnyOf") {
            failures.push({ property: "semantic", reason: `"${d.semantic}" must be AllOf or AnyOf` });
        }
        if (!containsUnknown(d.serviceRoles)) failures.push(...validateRoles("serviceRoles", d.serviceRoles, true));
        if (!containsUnknown(d.identityRoles)) failures.push(...validateRoles("identityRoles", d.identityRoles, true));
        if (!containsUnknown(d.postureCheckRoles)) failures.push(...validateRoles("postureCheckRoles", d.postureCheckRoles, false));
        return failures;
    },
    async payload(client, d) {
        return {
            name: d.name,
            type: d.type,
            semantic: d.semantic,
            serviceRoles: await resolveRoles(client, "services", "serviceRoles", d.serviceRoles),
            identityRoles: await resolveRoles(client, "identities", "identityRoles", d.identityRoles),
            postureCheckRoles: await resolveRoles(client, "posture-checks", "postureCheckRoles", d.postureCheckRoles),
        };
    },
    async fromApi(_client, e, prev) {
        return {
            name: e.name,
            type: e.type,
            semantic: e.semantic,
            serviceRoles: rolesFromApi(e, "serviceRoles", prev.serviceRoles),
            identityRoles: rolesFromApi(e, "identityRoles", prev.identityRoles),
            postureCheckRoles: rolesFromApi(e, "postureCheckRoles", prev.postureCheckRoles),
        };
    },
};

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
        super(remoteProviders.ServicePolicy, name, { ...servicePolicyOutputs, ...args }, opts, "ziti", "ServicePolicy");
    }
}
