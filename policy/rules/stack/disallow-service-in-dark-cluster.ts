import { PolicyResource } from "@pulumi/policy";
import { BaseRuleConfig, allowEntry, effectiveType, parseUrn, stackRule } from "../../lib/rule";
import { isService, kubeSubject } from "../../lib/kubernetes";

export const DARK_CLUSTER = "scrape-anywhere:cluster:DarkCluster";

interface Config extends BaseRuleConfig {
    /** Component types inside which no Service may exist. */
    componentTypes: string[];
}

/**
 * The nearest ancestor whose type is one of `types`: through `parent` links, then the parent URNs
 * (when the engine could not link a parent object), then the ancestor types the URN itself carries.
 */
export function darkAncestor(
    resource: PolicyResource,
    byUrn: Map<string, PolicyResource>,
    types: ReadonlySet<string>,
): { type: string; name: string } | undefined {
    const seen = new Set<string>();
    let cur: PolicyResource | undefined = resource;
    while (cur && !seen.has(cur.urn)) {
        seen.add(cur.urn);
        const parent: PolicyResource | undefined = cur.parent ?? (cur.opts?.parent ? byUrn.get(cur.opts.parent) : undefined);
        if (parent) {
            if (types.has(parent.type)) {
                return { type: parent.type, name: parent.name };
            }
            cur = parent;
            continue;
        }
        const parentUrn = parseUrn(cur.opts?.parent);
        if (parentUrn && types.has(parentUrn.type)) {
            return { type: parentUrn.type, name: parentUrn.name };
        }
        break;
    }
    // The URN's qualified type lists every ancestor type: `...DarkCluster$kubernetes:core/v1:Service`.
    const own = parseUrn(resource.urn);
    const hit = own?.qualifiedType.split("$").slice(0, -1).find((t) => types.has(t));
    return hit ? { type: hit, name: "(name not in the stack)" } : undefined;
}

/** Rule 8 (stack): inside a DarkCluster component nothing may create a Kubernetes Service at all. */
export const disallowServiceInDarkCluster = stackRule<Config>({
    name: "disallow-service-in-dark-cluster",
    description: "Nothing inside a DarkCluster component may create a Kubernetes Service: a dark cluster is reachable only over Ziti.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove the Service; the workload listens on the Ziti overlay (ZITI_LISTENER_* settings) instead.",
    configProperties: {
        componentTypes: {
            type: "array",
            items: { type: "string" },
            default: [DARK_CLUSTER],
            description: "Component type tokens inside which no Kubernetes Service may exist.",
        },
    },
    configDefaults: { componentTypes: [DARK_CLUSTER] },
    check: (ctx) => {
        const types = new Set(ctx.config.componentTypes);
        const byUrn = new Map(ctx.resources.map((r) => [r.urn, r] as [string, PolicyResource]));
        for (const r of ctx.resources) {
            const type = effectiveType(r.type, ctx.propsOf(r));
            const kt = isService(type);
            if (!kt || kt.patch) {
                continue; // a ServicePatch changes a Service, it does not create one
            }
            const dark = darkAncestor(r, byUrn, types);
            if (!dark) {
                continue;
            }
            const subject = kubeSubject({ type, name: r.name, props: ctx.propsOf(r) });
            const kind = dark.type.split(":").pop();
            ctx.report(
                r,
                subject,
                `${subject.label} is created inside ${kind} '${dark.name}'; a dark cluster has no Kubernetes Service at all. ` +
                    `Fix: remove it and let the workload listen on the Ziti overlay, or allow-list ${allowEntry(subject)}.`,
            );
        }
    },
});
