import { allowEntry, resourceRule, show } from "../../lib/rule";
import { isService, kubeSubject, serviceField } from "../../lib/kubernetes";
import { isUnknown } from "../../lib/unknown";

/** Rule 3: no Service with externalIPs. */
export const disallowServiceExternalIps = resourceRule({
    name: "disallow-service-external-ips",
    description: "Kubernetes Services must not set externalIPs: nodes would accept traffic for those addresses.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove spec.externalIPs and reach the workload over a Ziti service.",
    appliesTo: (type) => isService(type) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        for (const { value, path } of serviceField(ctx.type, ctx.props, "externalIPs", ctx.unknown)) {
            if (!Array.isArray(value) || value.length === 0) {
                continue;
            }
            value.forEach((ip, i) => isUnknown(ip) && ctx.unknown(`${path}[${i}]`));
            ctx.report(
                `${ctx.subject.label} sets ${path} [${value.map(show).join(", ")}], so nodes accept traffic for those addresses. ` +
                    `Fix: remove externalIPs and reach it over a Ziti service, or allow-list ${allowEntry(ctx.subject)}.`,
            );
        }
    },
});
