// The real provider of each Ziti kind (built by `makeProvider` in the kind files), by kind: what ./remote loads in
// the provider process. Resources never serialize these; they serialize the loaders of ./remote.
import type * as pulumi from "@pulumi/pulumi";
import { configProvider } from "./config";
import { edgeRouterPolicyProvider } from "./edgeRouterPolicy";
import { identityProvider } from "./identity";
import type { ZitiKind } from "./kinds";
import { serviceProvider } from "./service";
import { serviceEdgeRouterPolicyProvider } from "./serviceEdgeRouterPolicy";
import { servicePolicyProvider } from "./servicePolicy";

export const implementations: Record<ZitiKind, pulumi.dynamic.ResourceProvider> = {
    Identity: identityProvider,
    Config: configProvider,
    Service: serviceProvider,
    ServicePolicy: servicePolicyProvider,
    EdgeRouterPolicy: edgeRouterPolicyProvider,
    ServiceEdgeRouterPolicy: serviceEdgeRouterPolicyProvider,
};
