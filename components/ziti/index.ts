// The Ziti dynamic provider: one resource class per Ziti kind, typed by ./types.
// Type tokens read `pulumi-nodejs:dynamic/ziti:<Kind>`.
export * from "./types";
export { Identity, identityProvider } from "./identity";
export { Config, configProvider } from "./config";
export { Service, serviceProvider } from "./service";
export { ServicePolicy, servicePolicyProvider } from "./servicePolicy";
export { EdgeRouterPolicy, edgeRouterPolicyProvider } from "./edgeRouterPolicy";
export { ServiceEdgeRouterPolicy, serviceEdgeRouterPolicyProvider } from "./serviceEdgeRouterPolicy";
