// What a run's real nodes are, as plain data (no side effects): namespaces, addresses, directories, cgroups.
//
// Network: the run's control planes live in a network namespace of their own (the "host" namespace, address
// HOST_IP/32 on its lo). Each cluster's node gets a namespace too, joined to the host namespace by a veth pair
// made inside the two namespaces (nothing is added to the root namespace): node address NODE_IP/32 on the
// node's lo, a /32 route each way, and the node's pod range routed to the node. Pods sit on a bridge in the
// node namespace (the CNI bridge plugin); their traffic to the API servers is routed, not masqueraded.
import * as path from "path";

/** The host (control-plane) namespace's address; every API server and etcd listens on it. */
export const HOST_IP = "10.210.0.1";
/**
 * Where a Ziti network of the root namespace is relayed for the pods (zitiReach.ts): an address on the host namespace's
 * lo, routed from every node namespace, answered by CoreDNS for the name the network advertises.
 */
export const ZITI_RELAY_IP = "10.210.0.2";
/** Service ClusterIP range of every local cluster (as localKubernetes.ts passes to the API servers). */
export const SERVICE_CIDR = "10.96.0.0/16";
export const CLUSTER_DOMAIN = "cluster.local";
/** The kubelet's port on the node address (its default). */
export const KUBELET_PORT = 10250;

export interface NodePlan {
    /** The cluster it belongs to; the node is named `<cluster lower-cased>-node`. */
    cluster: string;
    nodeName: string;
    /** Network namespace of the node (containerd, kubelet, kube-proxy, CoreDNS, the pods' bridge). */
    netns: string;
    /** veth ends: in the host namespace, and in the node's. */
    hostVeth: string;
    nodeVeth: string;
    nodeIP: string;
    /** The pods of this node: a /24 of 10.244.0.0/16, its .1 the bridge. */
    podCIDR: string;
    bridgeIP: string;
    /** The node's directory: containerd root/state, kubelet root, configs, logs. */
    dir: string;
    /** cgroup parent (relative to each v1 controller's mount) of everything the node runs. */
    cgroupRoot: string;
}

/** A short id of the run (for namespace, cgroup and interface names, which must stay short). */
export function runId(dir: string): string {
    return require("crypto").createHash("sha256").update(dir).digest("hex").slice(0, 8);
}

export function hostNetns(id: string): string {
    return `sak-${id}`;
}

/** The plan of node `index` (0-based) of cluster `cluster` in the run `id` whose directory is `runDir`. */
export function nodePlan(id: string, runDir: string, cluster: string, index: number): NodePlan {
    if (index > 250) throw new Error(`nodePlan: at most 250 nodes per run (asked for node ${index})`);
    const n = index + 1;
    return {
        cluster,
        nodeName: `${cluster.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-node`,
        netns: `sak-${id}-n${n}`,
        hostVeth: `n${n}`,
        nodeVeth: "eth0",
        nodeIP: `10.210.${n}.1`,
        podCIDR: `10.244.${n}.0/24`,
        bridgeIP: `10.244.${n}.1`,
        dir: path.join(runDir, "nodes", cluster),
        cgroupRoot: `/scrape-anywhere-${id}/${cluster}`,
    };
}

/** The cgroup every node of run `id` lives under (removed with the run). */
export function runCgroup(id: string): string {
    return `/scrape-anywhere-${id}`;
}
