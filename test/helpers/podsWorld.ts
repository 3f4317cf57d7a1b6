// The world of pods on real nodes, shared by tier `flavor` (test/flavor/podsHarness.ts: once per mocha run) and the
// bench's time to first sample (bench/firstsample/): three local clusters (kubeA hybrid, kubeB dark, central) with
// real nodes (kubelet, containerd, kube-proxy, CoreDNS; scripts/lib/node/), the local OpenZiti network inside the
// nodes' host namespace so the pods reach it (controller and router advertise HOST_IP; the controller is relayed to
// 127.0.0.1 for pulumi), and a workspace of the dev stack pointed at the clusters' loopback kubeconfigs, as
// `npm start -- --clusters local` runs it. No test-framework hooks here: the caller starts and stops it.
// Also here: the readers every user needs, all from inside the pods' own network namespaces (nsenter, as an operator
// would), and the node's view of the pods (cgroups, /proc).
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import { PROMETHEUS3 } from "../../flavors/upstream/workloads/prometheus";
import { LocalClusters, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { POD_SECURITY_LABELS } from "../../components/kubernetes";
import { containerPid, listeners, procStatus } from "../../scripts/lib/node/inspect";
import { HOST_IP, nodePlan, runId } from "../../scripts/lib/node/plan";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { E2E, progress, repoRoot } from "../e2e/harness";

export const CLUSTERS = ["kubeA", "kubeB", "central"];
export const NS = "monitoring";
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
export { progress };

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number, every = 1000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
        try {
            const v = await fn();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
        await sleep(every);
    }
}

export interface RunningContainer { pod: string; container: string; pid: number }

/** The running world and its readers. */
export interface FlavorPods {
    local: LocalClusters;
    ctl: ZitiQuickstart;
    e2e: E2E;
    /** When the shared world was asked for first (the tier's start). */
    startedAt: number;
    plan(c: string): ReturnType<typeof nodePlan>;
    api(c: string): ReturnType<ReturnType<LocalClusters["cluster"]>["client"]>;
    /** The namespace's pods, those being deleted (an old ReplicaSet's, after a rollout) left out. */
    pods(c: string): Promise<any[]>;
    pod(c: string, app: string): Promise<any>;
    /** The first process of every container of the cluster's pods (from the node's cgroups). */
    containers(c: string): Promise<RunningContainer[]>;
    /** An HTTP GET from inside the network namespace of `pid` (curl of this machine; the pod's namespace, nothing else). */
    getIn(pid: number, url: string): string;
    promPid(c: string): Promise<number>;
    /** GET `path` of the cluster's Prometheus on its loopback, from its pod's namespace, parsed. */
    promApi(c: string, path: string): Promise<any>;
    query(c: string, q: string): Promise<any[]>;
    /** The pod's listeners that are not on loopback (its /proc/net/tcp*). */
    offLoopback(pid: number): string[];
    kubectl(c: string, ...args: string[]): { status: number | null; stdout: string; stderr: string };
    pulumi(args: string[], opts?: { private?: boolean }): ReturnType<E2E["pulumi"]>;
    up(...args: string[]): ReturnType<E2E["pulumi"]>;
    /** Every pod Running and Ready, every container ready; the app names per cluster as the upstream flavor runs them. */
    assertPodsReady(opts?: { restarts?: boolean }): Promise<void>;
    /**
     * `restricted` enforced in every cluster: namespace labelled, every container with seccomp, no new privileges, no
     * capability, not root (its /proc status). Returns each container's VmRSS (kB) by container name.
     */
    assertRestricted(): Promise<Record<string, string[]>>;
    /** The newest Ready transition of the pods of every cluster (ms). */
    lastReady(): Promise<number>;
}

/** Starts the world: clusters with Ready real nodes, the Ziti network, the dev stack's workspace configured. */
export async function startPodsWorld(): Promise<FlavorPods> {
    if (process.getuid?.() !== 0) throw new Error("pods on real nodes need root (network namespaces, cgroups, containerd)");
    const t0 = Date.now();
    const local = await startLocalClusters({ names: CLUSTERS, nodes: true, loopback: true });
    progress(`3 clusters with Ready real nodes in ${secs(local.startMs)}`);
    // The Ziti network where the pods can reach it: the nodes' host namespace, advertised as HOST_IP.
    let ctl: ZitiQuickstart;
    try {
        ctl = await startZitiQuickstart({ netns: local.netns, advertiseAddress: HOST_IP, timeoutMs: 180_000 });
    } catch (e) {
        await local.stop();
        throw e;
    }
    progress(`Ziti controller and router in ${local.netns} at ${HOST_IP} (controller relayed to ${ctl.controllerUrl}), ${secs(Date.now() - t0)} from the start`);
    const e2e = new E2E(ctl);
    const w = makeWorld(local, ctl, e2e, t0);
    e2e.workspace("main", repoRoot, ["dev"]);
    await e2e.configureZiti("main", "dev");
    for (const [i, c] of ["kubeA", "kubeB"].entries()) {
        await w.pulumi(["config", "set", "--stack", "dev", "--path", `scrape-anywhere:clusters[${i}].kubeconfig`, local.cluster(c).loopbackKubeconfigPath!]);
    }
    await w.pulumi(["config", "set", "--stack", "dev", "--path", "scrape-anywhere:central.kubeconfig", local.cluster("central").loopbackKubeconfigPath!]);
    // The NetworkPolicies' egress: this network's controller and router ports, the API servers' (as npm start's localClusters.ts).
    for (const [i, port] of [ctl.ctrlPort, ctl.routerPort].entries()) {
        await w.pulumi(["config", "set", "--stack", "dev", "--path", `scrape-anywhere:networkPolicy.zitiPorts[${i}]`, String(port)]);
    }
    for (const [i, c] of CLUSTERS.entries()) {
        await w.pulumi(["config", "set", "--stack", "dev", "--path", `scrape-anywhere:networkPolicy.kubernetesApiPorts[${i}]`, new URL(local.cluster(c).server).port]);
    }
    return w;
}

function makeWorld(local: LocalClusters, ctl: ZitiQuickstart, e2e: E2E, startedAt: number): FlavorPods {
    const w: FlavorPods = {
        local, ctl, e2e, startedAt,
        plan: (c) => nodePlan(runId(local.dir), local.dir, c, CLUSTERS.indexOf(c)),
        api: (c) => local.cluster(c).client(),
        pods: async (c) => (await w.api(c).list<any>(`/api/v1/namespaces/${NS}/pods`)).filter((p) => !p.metadata.deletionTimestamp),
        pod: async (c, app) => (await w.pods(c)).find((p) => p.metadata.labels["app.kubernetes.io/name"] === app),
        containers: async (c) => (await w.pods(c)).flatMap((p) => p.status.containerStatuses.map((cs: any) => {
            const pid = containerPid(w.plan(c).cgroupRoot, p.metadata.uid, cs.containerID);
            assert.ok(pid, `${c}: the process of ${p.metadata.name}/${cs.name}`);
            return { pod: p.metadata.name, container: cs.name, pid: pid! };
        })),
        getIn: (pid, url) => execFileSync("nsenter", ["-t", String(pid), "-n", "curl", "-sf", "--max-time", "5", url], { encoding: "utf8" }),
        promPid: async (c) => (await w.containers(c)).find((x) => x.container === "prometheus")!.pid,
        promApi: async (c, path) => JSON.parse(w.getIn(await w.promPid(c), `http://127.0.0.1:${PROMETHEUS3.port}${path}`)),
        query: async (c, q) => (await w.promApi(c, `/api/v1/query?query=${encodeURIComponent(q)}`)).data.result as any[],
        offLoopback: (pid) => listeners(pid).filter((l) => !/ (127\.0\.0\.1|::1):/.test(l)),
        kubectl: (c, ...args) => spawnSync(process.env.SCRAPE_ANYWHERE_KUBECTL ?? "kubectl",
            ["--kubeconfig", local.cluster(c).loopbackKubeconfigPath!, "-n", NS, ...args], { encoding: "utf8" }),
        pulumi: (args, opts) => e2e.pulumi("main", args, opts),
        up: (...args) => e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev", ...args]),
        assertPodsReady: async (opts = {}) => {
            for (const c of CLUSTERS) {
                const ps = await w.pods(c);
                const names = ps.map((p) => p.metadata.labels["app.kubernetes.io/name"]).sort();
                assert.deepStrictEqual(names, c === "central" ? ["prometheus"] : ["node-exporter", "prometheus", "ziti-tunnel"], `${c}: pods`);
                for (const p of ps) {
                    assert.strictEqual(p.status.phase, "Running", `${c}/${p.metadata.name}`);
                    assert.ok(p.status.conditions.some((x: any) => x.type === "Ready" && x.status === "True"), `${c}/${p.metadata.name} Ready`);
                    for (const cs of p.status.containerStatuses) {
                        assert.ok(cs.ready, `${c}/${p.metadata.name}/${cs.name} ready`);
                        if (opts.restarts !== true) assert.strictEqual(cs.restartCount, 0, `${c}/${p.metadata.name}/${cs.name} never restarted`);
                    }
                }
            }
        },
        assertRestricted: async () => {
            const rss: Record<string, string[]> = {};
            for (const c of CLUSTERS) {
                const ns = await w.api(c).get<any>(`/api/v1/namespaces/${NS}`);
                for (const [k, v] of Object.entries(POD_SECURITY_LABELS)) assert.strictEqual(ns.metadata.labels[k], v, `${c}: namespace label ${k}`);
                for (const x of await w.containers(c)) {
                    const st = procStatus(x.pid);
                    const what = `${c}/${x.pod}/${x.container}`;
                    assert.strictEqual(st.Seccomp, "2", `${what}: seccomp filter`);
                    assert.strictEqual(st.NoNewPrivs, "1", `${what}: no_new_privs`);
                    assert.strictEqual(st.CapEff, "0000000000000000", `${what}: no effective capability`);
                    assert.notStrictEqual(st.Uid.split(/\s+/)[0], "0", `${what}: not root`);
                    (rss[x.container] = rss[x.container] ?? []).push(st.VmRSS.replace(/ kB$/, ""));
                }
            }
            return rss;
        },
        lastReady: async () => {
            const readyAt = async (c: string) => Math.max(...(await w.pods(c)).map((p) => Date.parse(p.status.conditions.find((x: any) => x.type === "Ready").lastTransitionTime)));
            return Math.max(...await Promise.all(CLUSTERS.map(readyAt)));
        },
    };
    return w;
}

/**
 * Stops the world: the Ziti network, the clusters, the workspace (kept for reading when `keep`). No destroy: the
 * clusters, the Ziti network (temp home) and the backend are all this run's own.
 */
export async function stopPodsWorld(w: FlavorPods, keep: boolean): Promise<void> {
    await w.ctl.stop();
    await w.local.stop();
    w.e2e.dispose(keep);
}
