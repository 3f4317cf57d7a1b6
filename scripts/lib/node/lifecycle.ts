// The run-level part of real nodes, for localKubernetes.ts: the binaries, the host namespace, one node per
// cluster (kubeconfigs from the cluster's PKI, Ready wait), and teardown of everything a run's nodes made.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KubeClient } from "../kubeClient";
import { ClusterPki, kubeconfigYaml } from "../kubePki";
import { destroyCgroup } from "./cgroups";
import { createHostNetns, createNodeNetwork, deleteNetns } from "./network";
import { NodeBinaries, startNode, StartedNode, StartProcess } from "./node";
import { HOST_IP as HOST_IP_FOR_FORWARD, hostNetns, nodePlan, runCgroup, runId } from "./plan";

/** What a run's marker records about its nodes, so stop() and the reaper undo all of it. */
export interface NodesRecord {
    hostNetns: string;
    /** Whether the host namespace was made by the run (not given by the caller). */
    ownHostNetns: boolean;
    netns: string[];
    cgroup: string;
    /** /run/containerd made by the run (an empty mount point left in /run when it did not exist). */
    madeRunContainerd: boolean;
}

const repoRoot = path.resolve(__dirname, "..", "..", "..");

/** The node binaries: from SCRAPE_ANYWHERE_NODE_BIN, else `scripts/tools.sh node` (builds them once). */
export function nodeBinaries(): NodeBinaries {
    let env: Record<string, string> = {};
    if (!process.env.SCRAPE_ANYWHERE_NODE_BIN) {
        const out = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "node"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
        for (const line of out.split("\n")) {
            const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
            if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, "$1");
        }
    } else env = process.env as Record<string, string>;
    const bins: NodeBinaries = {
        containerd: path.join(env.SCRAPE_ANYWHERE_CONTAINERD_BIN ?? "", "containerd"), ctr: path.join(env.SCRAPE_ANYWHERE_CONTAINERD_BIN ?? "", "ctr"),
        kubelet: path.join(env.SCRAPE_ANYWHERE_KUBE_BIN ?? "", "kubelet"), kubeProxy: path.join(env.SCRAPE_ANYWHERE_KUBE_BIN ?? "", "kube-proxy"),
        coredns: env.SCRAPE_ANYWHERE_COREDNS ?? "", kubectl: env.SCRAPE_ANYWHERE_KUBECTL ?? "", runc: "/usr/sbin/runc",
    };
    for (const [what, p] of Object.entries(bins)) {
        if (!p || !fs.existsSync(p)) throw new Error(`no ${what} binary at ${p}: run \`bash scripts/tools.sh node\` and \`bash scripts/ensure-node-deps.sh\``);
    }
    return bins;
}

/** Makes the host namespace (unless given) and returns the record to put in the run marker before anything else is made. */
export function prepareNodes(dir: string, clusters: string[], givenNetns?: string): NodesRecord {
    const id = runId(dir);
    const rec: NodesRecord = {
        hostNetns: givenNetns ?? hostNetns(id), ownHostNetns: !givenNetns,
        netns: clusters.map((c, i) => nodePlan(id, dir, c, i).netns), cgroup: runCgroup(id), madeRunContainerd: !fs.existsSync("/run/containerd"),
    };
    if (rec.ownHostNetns) createHostNetns(rec.hostNetns);
    return rec;
}

/** Starts cluster `index`'s node and resolves when the API server shows it Ready. */
export async function startClusterNode(a: {
    dir: string; rec: NodesRecord; cluster: string; index: number; server: string; pki: ClusterPki; adminKubeconfig: string;
    bins: NodeBinaries; start: StartProcess; client: KubeClient; log: (m: string) => void; deadline: number;
    mustRun: () => void;
}): Promise<StartedNode> {
    const p = nodePlan(runId(a.dir), a.dir, a.cluster, a.index);
    createNodeNetwork(a.rec.hostNetns, p);
    fs.mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    const r = (f: string) => fs.readFileSync(f, "utf8");
    const ca = r(a.pki.caCert);
    const kc = (name: string, client: string) => {
        const file = path.join(p.dir, `${name}.kubeconfig`);
        fs.writeFileSync(file, kubeconfigYaml(a.cluster, a.server, { ca, cert: r(a.pki.clients[client].cert), key: r(a.pki.clients[client].key) }), { mode: 0o600 });
        return file;
    };
    const node = await startNode(p, {
        bins: a.bins, start: a.start, caFile: a.pki.caCert, log: a.log,
        kubeconfigs: { kubelet: kc("kubelet", "node"), kubeProxy: kc("kube-proxy", "kube-proxy"), coredns: a.adminKubeconfig },
    });
    let last = "not registered yet";
    for (;;) {
        a.mustRun();
        for (const [n, pid] of Object.entries(node.pids)) {
            try {
                process.kill(pid, 0);
            } catch {
                throw new Error(`${a.cluster}: ${n} ended before the node was Ready; logs in ${path.join(a.dir, "logs")}`);
            }
        }
        if (Date.now() > a.deadline) throw new Error(`${a.cluster}: node ${p.nodeName} not Ready in time (${last}); logs in ${path.join(a.dir, "logs")}`);
        const n = await a.client.get<any>(`/api/v1/nodes/${p.nodeName}`).catch(() => undefined);
        const ready = (n?.status?.conditions ?? []).find((c: any) => c.type === "Ready");
        if (ready?.status === "True") break;
        if (ready) last = `Ready=${ready.status}: ${ready.message}`;
        await new Promise((res) => setTimeout(res, 250));
    }
    return node;
}

/**
 * Undoes what a run's nodes made, after its recorded processes were ended: cgroups (and what is left in them), namespaces,
 * /run/containerd. Only what the run's own id (a hash of `dir`) names is touched: a damaged or foreign record that names
 * another namespace or cgroup (`/` would kill every process of the machine) is ignored for that part.
 */
export function teardownNodes(rec: NodesRecord | undefined, dir: string): void {
    if (!rec) return;
    const id = runId(dir);
    if (rec.cgroup === runCgroup(id)) destroyCgroup(rec.cgroup);
    const ours = (ns: unknown) => typeof ns === "string" && new RegExp(`^${hostNetns(id)}(-n\\d{1,3})?$`).test(ns);
    for (const ns of Array.isArray(rec.netns) ? rec.netns : []) if (ours(ns)) deleteNetns(ns);
    if (rec.ownHostNetns && ours(rec.hostNetns)) deleteNetns(rec.hostNetns);
    if (rec.madeRunContainerd) {
        try {
            fs.rmdirSync("/run/containerd");
        } catch {
            /* not empty (someone else's containerd now) or gone */
        }
    }
}

/**
 * Makes an API server in the host namespace reachable at 127.0.0.1:<port> of the root namespace (for pulumi and a
 * person's kubectl), without any link into the root namespace: socat listens on loopback there and relays over a
 * unix socket (sockets in the filesystem cross network namespaces) to a socat in the host namespace.
 */
export function startLoopbackForwarder(a: { dir: string; rec: NodesRecord; cluster: string; port: number; start: StartProcess }): void {
    const sock = path.join(a.dir, "forward", `${a.cluster}.sock`);
    fs.mkdirSync(path.dirname(sock), { recursive: true, mode: 0o700 });
    a.start(`${a.cluster}-forward-host`, "ip", ["netns", "exec", a.rec.hostNetns, "socat", `UNIX-LISTEN:${sock},fork,mode=600`, `TCP:${HOST_IP_FOR_FORWARD}:${a.port}`]);
    a.start(`${a.cluster}-forward-loopback`, "socat", [`TCP-LISTEN:${a.port},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${sock}`]);
}
