// The namespaces and links of a run's nodes (see plan.ts for the layout). Every command runs with
// `ip -n <namespace>`, so nothing is made in the root namespace; `ip netns add` only adds a file under /run/netns.
import { execFileSync } from "child_process";
import * as fs from "fs";
import { HOST_IP, NodePlan, SERVICE_CIDR, ZITI_RELAY_IP } from "./plan";

function ip(...args: string[]): void {
    try {
        execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        throw new Error(`ip ${args.join(" ")} failed: ${String((e as any).stderr ?? e).trim()}`);
    }
}

export function netnsExists(name: string): boolean {
    return fs.existsSync(`/run/netns/${name}`);
}

/** The control planes' namespace: lo up with HOST_IP/32, and ZITI_RELAY_IP/32 where a Ziti network is relayed (zitiReach.ts). */
export function createHostNetns(name: string): void {
    if (!netnsExists(name)) ip("netns", "add", name);
    ip("-n", name, "link", "set", "lo", "up");
    ip("-n", name, "addr", "replace", `${HOST_IP}/32`, "dev", "lo");
    ip("-n", name, "addr", "replace", `${ZITI_RELAY_IP}/32`, "dev", "lo");
}

/** The node's namespace, its veth to the host namespace, the addresses and the routes both ways. */
export function createNodeNetwork(hostNs: string, p: NodePlan): void {
    if (!netnsExists(p.netns)) ip("netns", "add", p.netns);
    ip("-n", p.netns, "link", "set", "lo", "up");
    ip("-n", p.netns, "addr", "replace", `${p.nodeIP}/32`, "dev", "lo");
    ip("-n", hostNs, "link", "add", p.hostVeth, "type", "veth", "peer", "name", p.nodeVeth, "netns", p.netns);
    ip("-n", hostNs, "link", "set", p.hostVeth, "up");
    ip("-n", p.netns, "link", "set", p.nodeVeth, "up");
    // Device routes to /32s on the other side's lo: ARP on the veth answers for them (arp_ignore 0 in a new namespace).
    ip("-n", p.netns, "route", "replace", `${HOST_IP}/32`, "dev", p.nodeVeth, "src", p.nodeIP);
    ip("-n", p.netns, "route", "replace", `${ZITI_RELAY_IP}/32`, "dev", p.nodeVeth, "src", p.nodeIP);
    ip("-n", hostNs, "route", "replace", `${p.nodeIP}/32`, "dev", p.hostVeth, "src", HOST_IP);
    ip("-n", hostNs, "route", "replace", p.podCIDR, "via", p.nodeIP, "dev", p.hostVeth, "onlink");
    // A route for ClusterIPs, so the node's own processes can use Services too: the output path needs a route before
    // kube-proxy's DNAT rewrites the destination (pods have their default route through the bridge).
    ip("-n", p.netns, "route", "replace", SERVICE_CIDR, "dev", p.nodeVeth, "src", p.nodeIP);
}

/** Deletes a namespace (its links go with it); a missing one is not an error. */
export function deleteNetns(name: string): void {
    if (!netnsExists(name)) return;
    try {
        execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
    } catch {
        /* still in use: the next reap tries again */
    }
}
