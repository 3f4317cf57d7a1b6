import { allowEntry, resourceRule } from "../../lib/rule";
import { kubeSubject, parseKubeType } from "../../lib/kubernetes";

const INGRESS_GROUPS = new Set(["networking.k8s.io", "extensions"]);
const GATEWAY_KINDS = new Set(["Gateway", "HTTPRoute"]);

function exposingKind(type: string): string | undefined {
    const kt = parseKubeType(type);
    if (!kt) {
        return undefined;
    }
    if (kt.kind === "Ingress" && INGRESS_GROUPS.has(kt.group)) {
        return "Ingress";
    }
    if (GATEWAY_KINDS.has(kt.kind) && kt.group === "gateway.networking.k8s.io") {
        return kt.kind;
    }
    return undefined;
}

/** Rule 4: no Ingress and no Gateway API Gateway/HTTPRoute (nor their patches or lists). */
export const disallowIngressAndGateway = resourceRule({
    name: "disallow-ingress-and-gateway",
    description: "No Ingress (networking.k8s.io) and no Gateway API Gateway or HTTPRoute: they publish workloads to a network.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove the Ingress/Gateway/HTTPRoute and publish the workload as a Ziti service instead.",
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
