import { allowEntry, resourceRule } from "../../lib/rule";
import { isService, kubeSubject, serviceField } from "../../lib/kubernetes";

/** Rule 1: no Service of type LoadBalancer (Services, ServicePatches, ServiceLists, rendered ones too). */
export const disallowLoadBalancerService = resourceRule({
    name: "disallow-loadbalancer-service",
    description: "Kubernetes Services must not be of type LoadBalancer: nothing is exposed to a network, workloads are reached over Ziti.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use type ClusterIP (or no Service) and reach the workload over a Ziti service.",
    appliesTo: (type) => isService(type) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        for (const { value, path } of serviceField(ctx.type, ctx.props, "type", ctx.unknown)) {
            if (value === "LoadBalancer") {
                ctx.report(
                    `${ctx.subject.label} sets ${path}: LoadBalancer, which opens it to the network through a load balancer. ` +
                        `Fix: use type ClusterIP and reach it over a Ziti service, or allow-list ${allowEntry(ctx.subject)}.`,
                );
            }
        }
    },
});
