import { allowEntry, resourceRule } from "../../lib/rule";
import { kubeSubject, parseKubeType } from "../../lib/kubernetes";

const INGRESS_GROUPS = new Set(["networking.k8s.io", "extensions"]);
/**
 * Gateway API kinds that open listeners or attach routes to them (kubernetes-sigs/gateway-api apis/v1:
 * gateway_types.go, listenerset_types.go, httproute_types.go, grpcroute_types.go, tlsroute_types.go,
 * tcproute_types.go; apis/v1alpha2 udproute). ListenerSet was `XListenerSet` in the experimental group
 * gateway.networking.x-k8s.io before it moved to v1.
 */
const GATEWAY_KINDS = new Map<string, Set<string>>([
    ["gateway.networking.k8s.io", new Set(["Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"])],
    ["gateway.networking.x-k8s.io", new Set(["XListenerSet"])],
]);

function exposingKind(type: string): string | undefined {
    const kt = parseKubeType(type);
    if (!kt) {
        return undefined;
    }
    if (kt.kind === "Ingress" && INGRESS_GROUPS.has(kt.group)) {
        return "Ingress";
    }
    if (GATEWAY_KINDS.get(kt.group)?.has(kt.kind)) {
        return kt.kind;
    }
    return undefined;
}

/**
 * Rule 4: no Ingress and no Gateway API Gateway, ListenerSet or route (nor their patches or lists), however
 * made: typed classes, `kubernetes.apiextensions.CustomResource` (whose token is the same
 * `kubernetes:gateway.networking.k8s.io/v1:Gateway`), or objects rendered by a Chart v4 / ConfigGroup v2.
 */
export const disallowIngressAndGateway = resourceRule({
    name: "disallow-ingress-and-gateway",
    description: "No Ingress (networking.k8s.io) and no Gateway API Gateway, ListenerSet or route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute): they publish workloads to a network.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove the Ingress/Gateway/route and publish the workload as a Ziti service instead.",
    appliesTo: (type) => exposingKind(type) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        const kind = exposingKind(ctx.type)!;
        const how = kind === "Ingress" ? "through an ingress controller" : "through a Gateway API gateway";
        ctx.report(
            `${ctx.subject.label} publishes workloads to the network ${how}. ` +
                `Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
