// One real node of a local cluster: containerd (runc shim, CNI bridge) and the kubelet in the node's network
// namespace and a private mount namespace, kube-proxy and CoreDNS beside them, images imported from the catalog.
//
//   containerd: unshare --mount --propagation slave, then (inside) a tmpfs over /run/containerd (its shim sockets
//               stay private), files bind-mounted over the kubelet's global /proc/sys tunables, nsenter --net.
//               (`ip netns exec` would remount /sys and hide the cgroup mounts runc needs: real-nodes-notes.)
//   kubelet, kube-proxy: nsenter --mount=<containerd's> --net=<node ns>: they see the same volume mounts and sysctls.
// Every process joins the run's cgroups first (cgroups.ts), so teardown finds shims and pods too.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CATALOG, PAUSE_IMAGE } from "../images/catalog";
import { imageArchive, importImages } from "../images/build";
import { joinCgroupShell, makeCgroup } from "./cgroups";
import { cniConflist, containerdToml, corefile, kubeletYaml, kubeProxyYaml, nodePaths } from "./config";
import { NodePlan } from "./plan";

export interface NodeBinaries {
    containerd: string;
    ctr: string;
    kubelet: string;
    kubeProxy: string;
    coredns: string;
    /** Not run by the node: for a person and the tests (logs, exec). */
    kubectl: string;
    runc: string;
}

/** Starts a recorded, detached process (localKubernetes' `start`, without its netns wrapper); returns its pid. */
export type StartProcess = (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => number;

/**
 * The kubelet's global kernel tunables (k8s.io/kubernetes pkg/kubelet/cm/container_manager_linux.go setupKernelTunables,
 * values from k8s.io/component-helpers node/util/sysctl): inside the node's mount namespace these /proc/sys files are
 * bind mounts of files already holding the wanted values, so the kubelet writes nothing to the host's.
 */
export const KUBELET_SYSCTLS: Record<string, string> = {
    "vm/overcommit_memory": "1", "vm/panic_on_oom": "0", "kernel/panic": "10", "kernel/panic_on_oops": "1",
    "kernel/keys/root_maxkeys": "1000000", "kernel/keys/root_maxbytes": "25000000",
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell line that makes the containerd's private mounts, then execs containerd in the node's network namespace. */
function containerdCommand(p: NodePlan, bins: NodeBinaries): string {
    const x = nodePaths(p);
    const binds = Object.keys(KUBELET_SYSCTLS).map((k) => `mount --bind ${sh(path.join(x.sysctlDir, k.replace(/\//g, ".")))} /proc/sys/${k}`);
    return [
        // umask 022: containerd makes each snapshot's `fs` dir (a container's `/`) with 0755 minus the umask; npm start's
        // 077 made it 0700, and no non-root container could stat its own entrypoint ("permission denied").
        "umask 022", joinCgroupShell(`${p.cgroupRoot}/runtime`),
        "mkdir -p /run/containerd", "mount -t tmpfs -o mode=0711 tmpfs /run/containerd", ...binds,
        // The kubelet links every container's log into /var/log/containers and removes the links whose target is gone
        // (kuberuntime_gc.go): a private tmpfs there keeps the host's and other nodes' links out of reach.
        "if [ -d /var/log/containers ]; then mount -t tmpfs -o mode=0755 tmpfs /var/log/containers; fi",
        `PATH=${sh(path.dirname(bins.containerd))}:$PATH exec nsenter --net=/run/netns/${p.netns} ${sh(bins.containerd)} --config ${sh(x.containerdConfig)}`,
    ].join(" && ");
}

async function waitForSocket(sock: string, pid: number, what: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!fs.existsSync(sock)) {
        try {
            process.kill(pid, 0);
        } catch {
            throw new Error(`${what} ended before making ${sock}`);
        }
        if (Date.now() > deadline) throw new Error(`${what}: no ${sock} after ${ms} ms`);
        await sleep(100);
    }
}

export interface StartedNode {
    plan: NodePlan;
    pids: { containerd: number; kubelet: number; kubeProxy: number; coredns: number };
    /** Catalog images imported, and those the catalog cannot build (with the reason). */
    images: { imported: string[]; unavailable: { reference: string; reason: string }[] };
}

/**
 * Starts the node's daemons. `kubeconfigs` are written by the caller (certs from the cluster PKI): the kubelet's
 * (system:node:<name>), kube-proxy's (system:kube-proxy) and CoreDNS's. Resolves once containerd answers and the
 * images are imported; the caller waits for the Node to be Ready.
 */
export async function startNode(p: NodePlan, a: {
    bins: NodeBinaries; start: StartProcess; caFile: string; log: (m: string) => void;
    kubeconfigs: { kubelet: string; kubeProxy: string; coredns: string };
}): Promise<StartedNode> {
    const x = nodePaths(p);
    for (const d of [p.dir, x.containerdRoot, x.containerdState, x.runcRoot, x.cniConfDir, x.cniDataDir, x.optDir, x.kubeletRoot, x.sysctlDir, x.podLogsDir]) {
        fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    }
    for (const [k, v] of Object.entries(KUBELET_SYSCTLS)) fs.writeFileSync(path.join(x.sysctlDir, k.replace(/\//g, ".")), `${v}\n`);
    for (const c of ["runtime", "node"]) makeCgroup(`${p.cgroupRoot}/${c}`);
    fs.writeFileSync(x.containerdConfig, containerdToml(p, { runc: a.bins.runc, sandboxImage: PAUSE_IMAGE }));
    fs.writeFileSync(path.join(x.cniConfDir, "10-scrape-anywhere.conflist"), cniConflist(p));
    fs.writeFileSync(x.kubeletConfig, kubeletYaml(p, { caFile: a.caFile, containerdSock: x.containerdSock }));
    fs.writeFileSync(x.kubeProxyConfig, kubeProxyYaml(p, a.kubeconfigs.kubeProxy));
    fs.writeFileSync(x.corefile, corefile(p, a.kubeconfigs.coredns));
    fs.writeFileSync(x.hostsFile, "", { mode: 0o644 });

    const containerd = a.start(`${p.cluster}-containerd`, "unshare", ["--mount", "--propagation", "slave", "--", "sh", "-c", containerdCommand(p, a.bins)]);
    await waitForSocket(x.containerdSock, containerd, `${p.cluster}-containerd`, 30_000);
    // The pid of containerd itself (sh exec'd nsenter, which exec'd containerd): the unshare child's pid.
    const mountNs = `/proc/${containerd}/ns/mnt`;

    const imported: string[] = [];
    const unavailable: { reference: string; reason: string }[] = [];
    const archives: string[] = [];
    for (const img of CATALOG) {
        if (img.unavailable) unavailable.push({ reference: img.reference, reason: img.unavailable });
        else {
            archives.push(await imageArchive(img, a.log));
            imported.push(img.reference);
        }
    }
    importImages(a.bins.ctr, x.containerdSock, archives);

    const inNode = (rel: string, bin: string, args: string[]) =>
        ["sh", "-c", `umask 022 && ${joinCgroupShell(`${p.cgroupRoot}/${rel}`)} && exec nsenter --mount=${mountNs} --net=/run/netns/${p.netns} ${[bin, ...args].map(sh).join(" ")}`];
    const [c1, ...k1] = inNode("node", a.bins.kubelet, [
        `--config=${x.kubeletConfig}`, `--kubeconfig=${a.kubeconfigs.kubelet}`, `--root-dir=${x.kubeletRoot}`,
        `--cert-dir=${path.join(x.kubeletRoot, "pki")}`, `--hostname-override=${p.nodeName}`, `--node-ip=${p.nodeIP}`, "--v=1",
    ]);
    const kubelet = a.start(`${p.cluster}-kubelet`, c1, k1);
    const [c2, ...k2] = inNode("node", a.bins.kubeProxy, [`--config=${x.kubeProxyConfig}`, "--v=1"]);
    const kubeProxy = a.start(`${p.cluster}-kube-proxy`, c2, k2);
    const [c3, ...k3] = inNode("node", a.bins.coredns, ["-conf", x.corefile]);
    const coredns = a.start(`${p.cluster}-coredns`, c3, k3);
    return { plan: p, pids: { containerd, kubelet, kubeProxy, coredns }, images: { imported, unavailable } };
}

/** The image references the node's containerd holds in the CRI's namespace. */
export function ctrList(ctr: string, p: NodePlan): string {
    return execFileSync(ctr, ["--address", nodePaths(p).containerdSock, "-n", "k8s.io", "images", "ls", "-q"], { encoding: "utf8" });
}
