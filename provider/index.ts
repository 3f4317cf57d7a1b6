// The Ziti dynamic provider: one resource class per Ziti kind, typed by ./types, each over one module-level
// provider built from its kind spec (./crud) and the one REST layer (./client).
// Type tokens read `pulumi-nodejs:dynamic/ziti:<Kind>`.
import { configSpec } from "./config";
import { edgeRouterPolicySpec } from "./edgeRouterPolicy";
import { identitySpec } from "./identity";
import type { KindSpec } from "./kindSpec";
import { ZITI_KINDS, ZitiKind, zitiToken } from "./kinds";
import { implementations } from "./providers";
import { serviceSpec } from "./service";
import { serviceEdgeRouterPolicySpec } from "./serviceEdgeRouterPolicy";
import { servicePolicySpec } from "./servicePolicy";

export * from "./types";
export { cliNoun, ZITI_COLLECTIONS, ZITI_KINDS, ZitiKind, zitiToken } from "./kinds";
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

/** Each kind's spec, checked against the registry (./kinds) by its type: a kind missing here does not compile. */
const SPECS: Record<ZitiKind, KindSpec> = {
    Identity: identitySpec,
    Config: configSpec,
    Service: serviceSpec,
    ServicePolicy: servicePolicySpec,
    EdgeRouterPolicy: edgeRouterPolicySpec,
    ServiceEdgeRouterPolicy: serviceEdgeRouterPolicySpec,
};

/** The registry of Ziti kinds (./kinds) with the type token, spec and provider of each. */
export const zitiKinds = ZITI_KINDS.map(({ kind, collection }) => ({
    kind,
    token: zitiToken(kind),
    collection,
    spec: SPECS[kind],
    provider: implementations[kind],
}));
