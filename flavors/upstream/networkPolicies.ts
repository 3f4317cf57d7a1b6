// The NetworkPolicies (networking.k8s.io/v1) of every namespace the upstream flavor makes, made before its pods. A
// policy that selects a pod and lists a direction denies that direction to everything no policy allows; policies add
// up (kubernetes.io/docs/concepts/services-networking/network-policies). So:
//   default-deny            every pod: no ingress at all; egress only DNS and the Ziti ports (the tunnelers dial out
//                           to the controller and the edge routers: nothing else leaves a pod).
//   prometheus-in-cluster   hybrid clusters only: Prometheus' port from the cluster's own pods (any namespace), the
//                           hybrid half behind its ClusterIP Service; nothing outside the cluster (no ipBlock).
//   kubernetes-api-egress   the pod hosting `<c>.k8s.svc` (its tunneler reaches `kubernetes.default.svc`): the API
//                           server's endpoint ports, as the policy sees them after the Service's DNAT.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject, NetworkPolicyPorts } from "../types";

const tcp = (port: number) => ({ protocol: "TCP", port });

export interface NamespacePolicies {
    /** The place's Pulumi resource prefix. */
    prefix: string;
    namespace: pulumi.Input<string>;
    ports: NetworkPolicyPorts;
    labels: Record<string, string>;
    /** Hybrid clusters: the Prometheus pod's labels and port, open to the cluster's pods. */
    inClusterPrometheus?: { labels: Record<string, string>; port: number };
    /** The pod hosting the cluster's Kubernetes API service, by its labels. */
    kubernetesApiHost?: { labels: Record<string, string> };
}

function policy(resourceName: string, name: string, p: NamespacePolicies, spec: k8s.types.input.networking.v1.NetworkPolicySpec): KubernetesObject {
    return { kind: "NetworkPolicy", resourceName, args: { metadata: { name, namespace: p.namespace, labels: p.labels }, spec } };
}

/** The namespace's policies, in creation order (before any pod of the place). */
export function namespacePolicies(p: NamespacePolicies): KubernetesObject[] {
    const out = [policy(`${p.prefix}-default-deny`, "default-deny", p, {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        egress: [
            { ports: [{ protocol: "UDP", port: 53 }, tcp(53)] },
            { ports: p.ports.zitiPorts.map(tcp) },
        ],
    })];
    if (p.inClusterPrometheus) {
        out.push(policy(`${p.prefix}-prometheus-in-cluster`, "prometheus-in-cluster", p, {
            podSelector: { matchLabels: p.inClusterPrometheus.labels },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: {} }], ports: [tcp(p.inClusterPrometheus.port)] }],
        }));
    }
    if (p.kubernetesApiHost) {
        out.push(policy(`${p.prefix}-kubernetes-api-egress`, "kubernetes-api-egress", p, {
            podSelector: { matchLabels: p.kubernetesApiHost.labels },
            policyTypes: ["Egress"],
            egress: [{ ports: p.ports.kubernetesApiPorts.map(tcp) }],
        }));
    }
    return out;
}
