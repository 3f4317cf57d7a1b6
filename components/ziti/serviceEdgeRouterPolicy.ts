// Ziti ServiceEdgeRouterPolicy: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { remoteProviders } from "./remote";
import { containsUnknown, KindSpec, makeProvider, UNKNOWN, validateName } from "./crud";
import { asSet, resolveRoles, rolesFromApi, validateRoles } from "./roles";
import { Semantic, ServiceEdgeRouterPolicyArgs, ServiceEdgeRouterPolicyState } from "./types";

/** Args, conversion and validation of a Ziti service edge router policy. */
export const serviceEdgeRouterPolicySpec: KindSpec = {
    kind: "ServiceEdgeRouterPolicy",
    collection: "service-edge-router-policies",
    fields: ["name", "semantic", "edgeRouterRoles", "serviceRoles"],
    setFields: ["edgeRouterRoles", "serviceRoles"],
    replaceFields: [],
    normalize(a: any) {
        return {
            name: a.name,
            semantic: a.semantic ?? "AllOf",
            edgeRouterRoles: containsUnknown(a.edgeRouterRoles) ? a.edgeRouterRoles : asSet(a.edgeRouterRoles),
            serviceRoles: containsUnknown(a.serviceRoles) ? a.serviceRoles : asSet(a.serviceRoles),
        };
    },
    validate(d: any) {
        const failures = [...validateName(d.name)];
        if (d.semantic !== UNKNOWN && d.semantic !== "AllOf" && d.semantic !== "AnyOf") {
            failures.push({ property: "semantic", reason: `"${d.semantic}" must be AllOf or AnyOf` });
        }
        if (!containsUnknown(d.edgeRouterRoles)) failures.push(...validateRoles("edgeRouterRoles", d.edgeRouterRoles, true));
        if (!containsUnknown(d.serviceRoles)) failures.push(...validateRoles("serviceRoles", d.serviceRoles, true));
        return failures;
    },
    async payload(client, d) {
        return {
            name: d.name,
            semantic: d.semantic,
            edgeRouterRoles: await resolveRoles(client, "edge-routers", "edgeRouterRoles", d.edgeRouterRoles),
            serviceRoles: await resolveRoles(client, "services", "serviceRoles", d.serviceRoles),
        };
    },
    async fromApi(_client, e, prev) {
        return {
            name: e.name,
            semantic: e.semantic,
            edgeRouterRoles: rolesFromApi(e, "edgeRouterRoles", prev.edgeRouterRoles),
            serviceRoles: rolesFromApi(e, "serviceRoles", prev.serviceRoles),
        };
    },
};

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
        super(remoteProviders.ServiceEdgeRouterPolicy, name, { ...serviceEdgeRouterPolicyOutputs, ...args }, opts, "ziti", "ServiceEdgeRouterPolicy");
    }
}
