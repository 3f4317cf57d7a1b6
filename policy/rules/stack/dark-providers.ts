// Which Kubernetes providers point at a dark cluster, so a resource made with one lands there whatever its
// parent: a provider whose own parent chain is inside a DarkCluster component, or a provider that any
// resource inside such a component uses (the component may receive its provider from outside).
import { PolicyResource } from "@pulumi/policy";
import { parseUrn } from "../../lib/rule";

export interface DarkHit {
    type: string;
    name: string;
}

type Ancestor = (r: PolicyResource) => DarkHit | undefined;

/** Provider URN -> the dark component it belongs to. */
export function darkProviders(resources: readonly PolicyResource[], darkAncestor: Ancestor): Map<string, DarkHit> {
    const out = new Map<string, DarkHit>();
    for (const r of resources) {
        if (r.type.startsWith("pulumi:providers:")) {
            const dark = darkAncestor(r);
            if (dark) out.set(r.urn, dark);
            continue;
        }
        const providerUrn = providerUrnOf(r);
        if (!providerUrn || out.has(providerUrn)) continue;
        const dark = darkAncestor(r);
        if (dark) out.set(providerUrn, dark);
    }
    return out;
}

/** The URN of a resource's provider (the engine's provider reference is `<urn>::<id>`; PolicyResource.provider has the URN). */
export function providerUrnOf(r: PolicyResource): string | undefined {
    try {
        const urn = r.provider?.urn;
        return typeof urn === "string" && urn ? urn.split("::").slice(0, 4).join("::") : undefined;
    } catch {
        return undefined;
    }
}

/** The provider's own name, for messages. */
export function providerName(urn: string): string {
    return parseUrn(urn)?.name ?? urn;
}
