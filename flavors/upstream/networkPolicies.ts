// Default-deny NetworkPolicies for a namespace the program makes (networking.k8s.io/v1 semantics: a policy
// selecting every pod with policyTypes [Ingress, Egress] and no ingress rule denies all ingress; egress is
// what the listed rules allow). Dark namespaces get no ingress at all; the hybrid namespace admits the
// Prometheus port from pods of its own namespace only (the hybrid half: in-cluster users through the
// Service). Egress: DNS, and TCP to the Ziti controller's and edge routers' ports (the tunneler dials out);
// Prometheus in the hybrid cluster also reaches the Kubernetes API (kubernetes_sd) on its port.

export interface NetworkPolicyPlan { metadata: { name: string; namespace: unknown }; spec: Record<string, unknown> }

export interface EgressNeeds {
    /** TCP ports of the Ziti controller and edge routers (quickstart: 1280 controller, 3022 router edge listener). */
    zitiPorts: number[];
    /** The Kubernetes API's port, when something in the namespace talks to it. */
    kubernetesApiPort?: number;
}

export function defaultDenyPolicy(namespace: unknown, kind: "dark" | "hybrid" | "central", egress: EgressNeeds): NetworkPolicyPlan {
    const tcp = (port: number) => ({ protocol: "TCP", port });
    const egressRules: Record<string, unknown>[] = [
        { ports: [{ protocol: "UDP", port: 53 }, tcp(53)] },
        { ports: egress.zitiPorts.map(tcp) },
        ...(egress.kubernetesApiPort ? [{ ports: [tcp(egress.kubernetesApiPort)] }] : []),
    ];
    return {
        metadata: { name: "default-deny", namespace },
        spec: {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ...(kind === "hybrid" ? { ingress: [{ from: [{ podSelector: {} }], ports: [tcp(9090)] }] } : {}),
            egress: egressRules,
        },
    };
}
