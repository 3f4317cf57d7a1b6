import { PolicyResource } from "@pulumi/policy";
import { BaseRuleConfig, allowEntry, effectiveType, parseUrn, stackRule } from "../../lib/rule";
import { kubeSubject, parseKubeType } from "../../lib/kubernetes";
import { darkProviders, providerName, providerUrnOf } from "./dark-providers";

/** Objects that give a workload an address or a listener: none belongs in a dark cluster (Services of every type). */
const LISTENING_KINDS = new Map<string, Set<string>>([
    ["core", new Set(["Service"])],
    ["networking.k8s.io", new Set(["Ingress"])],
    ["extensions", new Set(["Ingress"])],
    ["gateway.networking.k8s.io", new Set(["Gateway", "ListenerSet"])],
]);

function listeningKind(type: string) {
    const kt = parseKubeType(type);
    return kt && !kt.patch && LISTENING_KINDS.get(kt.group)?.has(kt.kind) ? kt : undefined;
}

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

/**
 * Rule 8 (stack): nothing may create a Kubernetes Service (or an Ingress, Gateway or ListenerSet) in a dark
 * cluster: inside a DarkCluster component (its parent chain), or anywhere with a dark cluster's Kubernetes
 * provider (the resource's `provider` reference; issue 23), which lands it in that cluster all the same.
 */
export const disallowServiceInDarkCluster = stackRule<Config>({
    name: "disallow-service-in-dark-cluster",
    description:
        "Nothing may create a Kubernetes Service, Ingress or Gateway in a dark cluster (inside a DarkCluster component, or with its Kubernetes provider): a dark cluster is reachable only over Ziti.",
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
        const ancestor = (r: PolicyResource) => darkAncestor(r, byUrn, types);
        const providers = darkProviders(ctx.resources, ancestor);
        for (const r of ctx.resources) {
            const type = effectiveType(r.type, ctx.propsOf(r));
            if (!listeningKind(type)) {
                continue; // a ServicePatch changes a Service, it does not create one
            }
            const subject = kubeSubject({ type, name: r.name, props: ctx.propsOf(r) });
            const dark = ancestor(r);
            const fix = `Fix: remove it and let the workload listen on the Ziti overlay, or allow-list ${allowEntry(subject)}.`;
            if (dark) {
                ctx.report(r, subject, `${subject.label} is created inside ${dark.type.split(":").pop()} '${dark.name}'; a dark cluster has no Kubernetes Service, Ingress or Gateway at all. ${fix}`);
                continue;
            }
            const providerUrn = providerUrnOf(r);
            const viaProvider = providerUrn ? providers.get(providerUrn) : undefined;
            if (viaProvider) {
                ctx.report(
                    r,
                    subject,
                    `${subject.label} is created outside ${viaProvider.type.split(":").pop()} '${viaProvider.name}' but with its Kubernetes provider '${providerName(providerUrn!)}', so it lands in that dark cluster all the same; ` +
                        `a dark cluster has no Kubernetes Service, Ingress or Gateway at all. ${fix}`,
                );
            }
        }
    },
});
