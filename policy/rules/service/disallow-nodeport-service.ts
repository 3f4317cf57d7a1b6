import { allowEntry, resourceRule } from "../../lib/rule";
import { isService, kubeSubject, serviceField } from "../../lib/kubernetes";

/** Rule 2: no Service of type NodePort. */
export const disallowNodePortService = resourceRule({
    name: "disallow-nodeport-service",
    description: "Kubernetes Services must not be of type NodePort: it opens a port on every node.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use type ClusterIP (or no Service) and reach the workload over a Ziti service.",
    appliesTo: (type) => isService(type) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        for (const { value, path } of serviceField(ctx.type, ctx.props, "type", ctx.unknown)) {
            if (value === "NodePort") {
                ctx.report(
                    `${ctx.subject.label} sets ${path}: NodePort, which opens a port on every node. ` +
                        `Fix: use type ClusterIP and reach it over a Ziti service, or allow-list ${allowEntry(ctx.subject)}.`,
                );
            }
        }
    },
});
