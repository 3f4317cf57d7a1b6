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
/**
 * The pod annotations through which Multus attaches a pod to a NetworkAttachmentDefinition, with the namespace a
 * bare name resolves in: the pod's extra networks, in the pod's namespace (k8snetworkplumbingwg/multus-cni
 * pkg/k8sclient: podNetworksAnnot), and the pod's default (cluster) network replaced by one (multus-cni
 * docs/configuration.md "Specify default cluster network in Pod annotations"), whose bare name resolves in
 * Multus' own namespace, `kube-system` unless configured (pkg/k8sclient tryLoadK8sPodDefaultNetwork:
 * parsePodNetworkAnnotation(netAnnot, conf.MultusNamespace)).
 */
const NETWORKS_ANNOTATIONS: { key: string; bareNameIn: (podNamespace: string) => string }[] = [
    { key: "k8s.v1.cni.cncf.io/networks", bareNameIn: (podNamespace) => podNamespace },
    { key: "v1.multus-cni.io/default-network", bareNameIn: () => "kube-system" },
];

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
 * macvlan, ipvlan or host-device, and every pod spec (found by shape) whose `k8s.v1.cni.cncf.io/networks` or
 * `v1.multus-cni.io/default-network` annotation attaches to one that the stack defines (what the pack can see).
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
                const annotations = isObject(pod.metadata?.annotations) ? pod.metadata!.annotations : {};
                const podNs = typeof pod.metadata?.namespace === "string" ? pod.metadata.namespace : nsOf(r);
                const subject = kubeSubject({ type, name: r.name, props });
                for (const { key, bareNameIn } of NETWORKS_ANNOTATIONS) {
                    const value = annotations[key];
                    if (isUnknown(value)) {
                        // It may name one of the stack's host-level networks: not a pass.
                        ctx.unknown(r, subject, `${pod.metadataPath}.annotations["${key}"]`);
                        continue;
                    }
                    if (typeof value !== "string") continue;
                    for (const net of attachedNetworks(value, bareNameIn(podNs))) {
                        const plugin = hostLevel.get(net);
                        if (!plugin) continue;
                        ctx.report(r, subject,
                            `${subject.label} attaches its pods to ${net} (${pod.metadataPath}.annotations["${key}"]), whose ${plugin} CNI plugin puts them on the host's network, so every port they listen on is reachable there. ` +
                                `Fix: remove the attachment and reach the workload over Ziti, or allow-list ${allowEntry(subject)}.`);
                    }
                }
            }
        }
    },
});
