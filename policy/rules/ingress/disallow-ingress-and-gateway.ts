import { allowEntry, isObject, joinPath, resourceRule } from "../../lib/rule";
import { kubeSubject, objectsOf, parseKubeType } from "../../lib/kubernetes";
import { PlainObject, isUnknown } from "../../lib/unknown";

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

/**
 * Whether a route attaches only to Services: mesh routing (GAMMA), which opens no listener. A parentRef's
 * group defaults to gateway.networking.k8s.io and its kind to Gateway (kubernetes-sigs/gateway-api
 * apis/v1/shared_types.go ParentReference); GAMMA binds a route to a Service with `group: ""` (core) and
 * `kind: Service` (site-src/mesh/index.md "Connecting routes and services"). A route without parentRefs
 * is refused as before (it is inert, but a listener-less route is almost always a mistake, and cheap to
 * fix). Returns "unknown" with the paths recorded when a parentRef's group or kind is not known.
 */
function meshOnly(obj: PlainObject, base: string, unknown: (path: string) => void): boolean | "unknown" {
    const refs = obj.spec !== undefined && isObject(obj.spec) ? obj.spec.parentRefs : isUnknown(obj.spec) ? obj.spec : undefined;
    const refsPath = joinPath(joinPath(base, "spec"), "parentRefs");
    if (isUnknown(refs)) {
        unknown(refsPath);
        return "unknown";
    }
    if (!Array.isArray(refs) || refs.length === 0) {
        return false;
    }
    let open = false;
    for (const [i, ref] of refs.entries()) {
        const p = joinPath(refsPath, i);
        if (isUnknown(ref) || (isObject(ref) && (isUnknown(ref.kind) || isUnknown(ref.group)))) {
            unknown(p);
            open = true;
            continue;
        }
        const kind = isObject(ref) && typeof ref.kind === "string" ? ref.kind : "Gateway";
        const group = isObject(ref) && typeof ref.group === "string" ? ref.group : "gateway.networking.k8s.io";
        if (!(kind === "Service" && (group === "" || group === "core"))) {
            return false;
        }
    }
    return open ? "unknown" : true;
}

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
        if (kind.endsWith("Route")) {
            // Routes are judged by what they attach to: only Service parents (GAMMA) open no listener.
            const kt = parseKubeType(ctx.type)!;
            for (const { obj, path } of objectsOf(kt, ctx.props, ctx.unknown)) {
                if (meshOnly(obj, path, ctx.unknown) !== false) continue;
                ctx.report(
                    `${ctx.subject.label}${path ? ` (${path})` : ""} attaches to a Gateway (spec.parentRefs), which publishes workloads to the network. ` +
                        `Fix: remove it and publish the workload as a Ziti service, attach it only to Services (mesh routing: parentRefs of group "" and kind Service), or allow-list ${allowEntry(ctx.subject)}.`,
                );
            }
            return;
        }
        ctx.report(
            `${ctx.subject.label} publishes workloads to the network ${how}. ` +
                `Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
