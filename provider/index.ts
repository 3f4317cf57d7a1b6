// The Ziti dynamic provider: one resource class per Ziti kind, typed by ./types, each over one module-level
// provider built from its kind spec (./crud) and the one REST layer (./client).
// Type tokens read `pulumi-nodejs:dynamic/ziti:<Kind>`.
import { configSpec } from "./config";
import { edgeRouterPolicySpec } from "./edgeRouterPolicy";
import { identitySpec } from "./identity";
import { implementations } from "./providers";
import { serviceSpec } from "./service";
import { serviceEdgeRouterPolicySpec } from "./serviceEdgeRouterPolicy";
import { servicePolicySpec } from "./servicePolicy";

export * from "./types";
export { Identity, identityProvider } from "./identity";
export { Config, configProvider } from "./config";
export { Service, serviceProvider } from "./service";
export { ServicePolicy, servicePolicyProvider } from "./servicePolicy";
export { EdgeRouterPolicy, edgeRouterPolicyProvider } from "./edgeRouterPolicy";
export { ServiceEdgeRouterPolicy, serviceEdgeRouterPolicyProvider } from "./serviceEdgeRouterPolicy";
export { ZitiApiError, ZitiConnectionError } from "./client";
export { ZitiConflictError, ZitiValidationError } from "./crud";
export { ZitiSettingsError } from "./settings";
export { ZitiInvalidIdError } from "./names";

/** The registry of Ziti kinds: type token, Management API collection, spec and provider of each. */
export const zitiKinds = [identitySpec, configSpec, serviceSpec, servicePolicySpec, edgeRouterPolicySpec, serviceEdgeRouterPolicySpec].map((spec) => ({
    kind: spec.kind,
    token: `pulumi-nodejs:dynamic/ziti:${spec.kind}`,
    collection: spec.collection,
    spec,
    provider: implementations[spec.kind as keyof typeof implementations],
}));
