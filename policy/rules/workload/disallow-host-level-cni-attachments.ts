import { PolicyResource } from "@pulumi/policy";
import { BaseRuleConfig, allowEntry, at, effectiveType, isObject, stackRule } from "../../lib/rule";
import { kubeSubject, parseKubeType } from "../../lib/kubernetes";
import { findShapes } from "../../lib/shapes";
import { Plain, isUnknown } from "../../lib/unknown";

interface Config extends BaseRuleConfig {
    hostLevelCniTypes: string[];
}

/**
 * CNI plugins that put a pod interface straight on a host device or the host's LAN, next to the cluster
 * network (containernetworking/plugins plugins/main/macvlan, ipvlan, host-device): every port the pod
 * listens on is reachable from that network, whatever Services say.
 */
const DEFAULT_TYPES = ["macvlan", "ipvlan", "host-device"];
/** Multus reads the pod's extra networks from this annotation (k8snetworkplumbingwg/multus-cni pkg/k8sclient: podNetworksAnnot). */
const NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";

function isNad(type: string): boolean {
    const kt = parseKubeType(type);
    return kt !== undefined && kt.group === "k8s.cni.cncf.io" && kt.kind === "NetworkAttachmentDefinition" && !kt.list;
}

/** The CNI plugin types of a NetworkAttachmentDefinition's `spec.config` (a JSON string: a config or a conflist with `plugins`). */
function cniTypes(config: Plain | undefined): string[] | "unknown" {
    if (isUnknown(config)) return "unknown";
    if (typeof config !== "string") return [];
    try {
        const doc = JSON.parse(config) as { type?: unknown; plugins?: { type?: unknown }[] };
        const types = [doc.type, ...(Array.isArray(doc.plugins) ? doc.plugins.map((p) => p?.type) : [])];
        return types.filter((t): t is string => typeof t === "string");
    } catch {
        return [];
    }
}

/** `name`, `ns/name`, `name@if` items of the annotation, or the `[{name, namespace}]` JSON form (multus-cni docs/how-to-use.md). */
function attachedNetworks(value: string, podNamespace: string): string[] {
    const trimmed = value.trim();
    if (trimmed.startsWith("[")) {
        try {
            const list = JSON.parse(trimmed) as { name?: string; namespace?: string }[];
            return list.filter((n) => typeof n?.name === "string").map((n) => `${n.namespace ?? podNamespace}/${n.name}`);
        } catch {
            return [];
        }
    }
    return trimmed.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
        const name = s.split("@")[0];
        return name.includes("/") ? name : `${podNamespace}/${name}`;
    });
}

/**
 * Issue 23, host-level networks (Kubernetes): a Multus NetworkAttachmentDefinition whose CNI plugin is
 * macvlan, ipvlan or host-device, and every pod spec (found by shape) whose `k8s.v1.cni.cncf.io/networks`
 * annotation attaches to one that the stack defines (what the pack can see).
 */
export const disallowHostLevelCniAttachments = stackRule<Config>({
    name: "disallow-host-level-cni-attachments",
    description: "No Multus NetworkAttachmentDefinition of a host-level CNI plugin (macvlan, ipvlan, host-device), and no pod attached to one: the pod would listen on the host's network.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove the host-level attachment; the workload reaches and is reached through the Ziti overlay.",
    configProperties: {
        hostLevelCniTypes: { type: "array", items: { type: "string" }, default: DEFAULT_TYPES, description: "CNI plugin types that attach a pod to a host-level network." },
    },
    configDefaults: { hostLevelCniTypes: DEFAULT_TYPES },
    check: (ctx) => {
        const hostLevel = new Map<string, string>(); // "ns/name" -> plugin type
        const nsOf = (r: PolicyResource) => {
            const ns = at(ctx.propsOf(r), ["metadata", "namespace"]);
            return typeof ns === "string" && ns ? ns : "default";
        };
        for (const r of ctx.resources) {
            if (!isNad(effectiveType(r.type, ctx.propsOf(r)))) continue;
            const subject = kubeSubject({ type: effectiveType(r.type, ctx.propsOf(r)), name: r.name, props: ctx.propsOf(r) });
            const types = cniTypes(at(ctx.propsOf(r), ["spec", "config"]));
            if (types === "unknown") {
                ctx.unknown(r, subject, "spec.config");
                continue;
            }
            const hit = types.find((t) => ctx.config.hostLevelCniTypes.includes(t));
            if (!hit || typeof subject.id !== "string") continue;
            hostLevel.set(subject.id, hit);
            ctx.report(r, subject,
                `${subject.label} attaches pods with the ${hit} CNI plugin, which puts them on the host's network next to the cluster network, so every port they listen on is reachable there. ` +
                    `Fix: remove it and reach the workload over Ziti, or allow-list ${allowEntry(subject)}.`);
        }
        if (hostLevel.size === 0) return;
        for (const r of ctx.resources) {
            const props = ctx.propsOf(r);
            const type = effectiveType(r.type, props);
            for (const pod of findShapes(props, () => undefined).podSpecs) {
                const value = isObject(pod.metadata?.annotations) ? pod.metadata!.annotations[NETWORKS_ANNOTATION] : undefined;
                if (typeof value !== "string") continue;
                const podNs = typeof pod.metadata?.namespace === "string" ? pod.metadata.namespace : nsOf(r);
                for (const net of attachedNetworks(value, podNs)) {
                    const plugin = hostLevel.get(net);
                    if (!plugin) continue;
                    const subject = kubeSubject({ type, name: r.name, props });
                    ctx.report(r, subject,
                        `${subject.label} attaches its pods to ${net} (${pod.metadataPath}.annotations["${NETWORKS_ANNOTATION}"]), a ${plugin} network on the host, so every port they listen on is reachable there. ` +
                            `Fix: remove the attachment and reach the workload over Ziti, or allow-list ${allowEntry(subject)}.`);
                }
            }
        }
    },
});
