// Tier `flavor`: the upstream flavor end to end, in running pods. Three local clusters (kubeA hybrid, kubeB dark,
// central) with real nodes (kubelet, containerd, kube-proxy, CoreDNS; scripts/lib/node/), the local OpenZiti
// network inside the nodes' host namespace so the pods reach it (controller and router advertise HOST_IP; the
// controller is relayed to 127.0.0.1 for pulumi), and the program's own `pulumi up` of the dev stack with its
// default flavor, upstream, as `npm start -- --clusters local` runs it. Read from the pods' own network
// namespaces (nsenter, as an operator would): each cluster Prometheus scrapes its exporter over Ziti, central
// federates both; every pod Running and Ready by its own probes under enforced `restricted`; no listener on a pod
// IP in kubeB or central; kubeA's Prometheus by its Service name from a pod of kubeA, not from kubeB; a Dial policy
// removed closes the dialing sidecar's proxy and `pulumi up` restores it; a scrape interval change reaches the
// running Prometheus without a restart.
import * as assert from "assert";
import { execFile, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { POD_SECURITY_LABELS } from "../../components/kubernetes";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { PROMETHEUS3 } from "../../flavors/upstream/workloads/prometheus";
import { LocalClusters, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { containerPid, listeners, nodeMemory, procStatus } from "../../scripts/lib/node/inspect";
import { HOST_IP, nodePlan, runId } from "../../scripts/lib/node/plan";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { E2E, progress, repoRoot } from "../e2e/harness";

const CLUSTERS = ["kubeA", "kubeB", "central"];
const NS = "monitoring";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number, every = 1000): Promise<T> {
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

interface RunningContainer { pod: string; container: string; pid: number }

describe("flavor upstream: end to end in pods on real nodes, metrics over Ziti", function () {
    this.timeout(1_200_000);
    const tier0 = Date.now();
    let local: LocalClusters;
    let ctl: ZitiQuickstart;
    let e2e: E2E;
    let failed = false;
    let upStarted = 0;
    const plan = (c: string) => nodePlan(runId(local.dir), local.dir, c, CLUSTERS.indexOf(c));
    const api = (c: string) => local.cluster(c).client();
    const pods = async (c: string) => api(c).list<any>(`/api/v1/namespaces/${NS}/pods`);
    const pod = async (c: string, app: string) => (await pods(c)).find((p) => p.metadata.labels["app.kubernetes.io/name"] === app);
    /** The first process of every container of the cluster's pods (from the node's cgroups). */
    const containers = async (c: string): Promise<RunningContainer[]> => (await pods(c)).flatMap((p) => p.status.containerStatuses.map((cs: any) => {
        const pid = containerPid(plan(c).cgroupRoot, p.metadata.uid, cs.containerID);
        assert.ok(pid, `${c}: the process of ${p.metadata.name}/${cs.name}`);
        return { pod: p.metadata.name, container: cs.name, pid: pid! };
    }));
    /** An HTTP GET from inside the network namespace of `pid` (curl of this machine; the pod's namespace, nothing else). */
    const getIn = (pid: number, url: string) => execFileSync("nsenter", ["-t", String(pid), "-n", "curl", "-sf", "--max-time", "5", url], { encoding: "utf8" });
    const promPid = async (c: string) => (await containers(c)).find((x) => x.container === "prometheus")!.pid;
    const query = async (c: string, q: string) => JSON.parse(getIn(await promPid(c), `http://127.0.0.1:${PROMETHEUS3.port}/api/v1/query?query=${encodeURIComponent(q)}`)).data.result as any[];
    const kubectl = (c: string, ...args: string[]) => spawnSync(process.env.SCRAPE_ANYWHERE_KUBECTL ?? "kubectl",
        ["--kubeconfig", local.cluster(c).loopbackKubeconfigPath!, "-n", NS, ...args], { encoding: "utf8" });
    const up = (...args: string[]) => e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev", ...args]);

    before(async function () {
        if (process.getuid?.() !== 0) throw new Error("tier flavor needs root (real nodes: network namespaces, cgroups, containerd)");
        const t0 = Date.now();
        local = await startLocalClusters({ names: CLUSTERS, nodes: true, loopback: true });
        progress(`3 clusters with Ready real nodes in ${secs(local.startMs)}`);
        // The Ziti network where the pods can reach it: the nodes' host namespace, advertised as HOST_IP.
        ctl = await startZitiQuickstart({ netns: local.netns, advertiseAddress: HOST_IP, timeoutMs: 180_000 });
        progress(`Ziti controller and router in ${local.netns} at ${HOST_IP} (controller relayed to ${ctl.controllerUrl}), ${secs(Date.now() - t0)} from the start`);
        e2e = new E2E(ctl);
        e2e.workspace("main", repoRoot, ["dev"]);
        await e2e.configureZiti("main", "dev");
        // No flavor set: `upstream` is the default, as a user's `npm start` gets it (the pods asserted below are its own).
        for (const [i, c] of ["kubeA", "kubeB"].entries()) {
            await e2e.pulumi("main", ["config", "set", "--stack", "dev", "--path", `scrape-anywhere:clusters[${i}].kubeconfig`, local.cluster(c).loopbackKubeconfigPath!]);
        }
        await e2e.pulumi("main", ["config", "set", "--stack", "dev", "--path", "scrape-anywhere:central.kubeconfig", local.cluster("central").loopbackKubeconfigPath!]);
    });
    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });
    after(async function () {
        this.timeout(120_000);
        // No destroy: the clusters, the Ziti network (temp home) and the backend are all this run's own and go whole.
        await ctl?.stop();
        await local?.stop();
        e2e?.dispose(failed);
        progress(`tier flavor: ${secs(Date.now() - tier0)} in all`);
    });

    it("`pulumi up` of the dev stack (default flavor: upstream): every pod Running and Ready by its own probes, no restart", async function () {
        upStarted = Date.now();
        await up();
        progress(`pulumi up done in ${secs(Date.now() - upStarted)}`);
        const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
        const m = CLUSTERS.map((c) => `${c} ${mib(nodeMemory(plan(c).cgroupRoot).pods)}`);
        progress(`memory (Rss) of the pods by node: ${m.join(", ")}; the whole local setup (control planes, nodes, pods not included) ${mib(local.rss().total)}`);
        for (const c of CLUSTERS) {
            const ps = await pods(c);
            const names = ps.map((p) => p.metadata.labels["app.kubernetes.io/name"]).sort();
            assert.deepStrictEqual(names, c === "central" ? ["prometheus"] : ["node-exporter", "prometheus", "ziti-tunnel"], `${c}: pods`);
            for (const p of ps) {
                assert.strictEqual(p.status.phase, "Running", `${c}/${p.metadata.name}`);
                assert.ok(p.status.conditions.some((x: any) => x.type === "Ready" && x.status === "True"), `${c}/${p.metadata.name} Ready`);
                for (const cs of p.status.containerStatuses) {
                    assert.ok(cs.ready, `${c}/${p.metadata.name}/${cs.name} ready`);
                    assert.strictEqual(cs.restartCount, 0, `${c}/${p.metadata.name}/${cs.name} never restarted`);
                }
            }
        }
    });

    it("scrapes each cluster's exporter over Ziti (up == 1) and central federates both, within a few scrape intervals of the pods Ready", async function () {
        const readyAt = async (c: string) => Math.max(...(await pods(c)).map((p) => Date.parse(p.status.conditions.find((x: any) => x.type === "Ready").lastTransitionTime)));
        const ready = Math.max(...await Promise.all(CLUSTERS.map(readyAt)));
        for (const c of ["kubeA", "kubeB"]) {
            await waitFor(`${c}: up{job="${c}.exporter"} == 1`, async () => ((await query(c, `up{job="${c}.exporter"}`))[0]?.value[1] === "1" ? true : undefined), 180_000);
            progress(`${c}: exporter up over Ziti ${secs(Date.now() - ready)} after the last pod Ready`);
        }
        const targets = await waitFor("central: every target up", async () => {
            const t = JSON.parse(getIn(await promPid("central"), `http://127.0.0.1:${PROMETHEUS3.port}/api/v1/targets?state=active`)).data.activeTargets as any[];
            return t.length === 5 && t.every((x) => x.health === "up") ? t : undefined;
        }, 240_000);
        progress(`central: all ${targets.length} targets up ${secs(Date.now() - ready)} after the last pod Ready, ${secs(Date.now() - upStarted)} after \`pulumi up\` started`);
        assert.deepStrictEqual(targets.map((t) => t.labels.job).sort(), ["kubeA.exporter", "kubeA.federate", "kubeB.exporter", "kubeB.federate", "prometheus"]);
        // Series that only federation brings: each cluster Prometheus' own self-scrape, labelled by its external label.
        const federated = await waitFor("central: federated series of both clusters", async () => {
            const r = await query("central", 'up{job="prometheus", cluster=~".+"}');
            return r.length === 2 ? r : undefined;
        }, 60_000);
        assert.deepStrictEqual(federated.map((s) => s.metric.cluster).sort(), ["kubeA", "kubeB"]);
        // Federated series and central's own scrapes never collide: two sources for one series would show as samples
        // central rejects (scrape/metrics.go counters), and a mix of both in what it stores.
        await sleep(20_000);
        const rejected = await query("central", "sum(prometheus_target_scrapes_sample_out_of_order_total) + sum(prometheus_target_scrapes_sample_duplicate_timestamp_total)");
        assert.strictEqual(rejected[0]?.value[1], "0", "central rejected no sample as out of order or duplicate");
    });

    it("enforces `restricted`: namespaces labelled, every container with seccomp, no new privileges, no capability, not root", async function () {
        const rss: Record<string, string[]> = {};
        for (const c of CLUSTERS) {
            const ns = await api(c).get<any>(`/api/v1/namespaces/${NS}`);
            for (const [k, v] of Object.entries(POD_SECURITY_LABELS)) assert.strictEqual(ns.metadata.labels[k], v, `${c}: namespace label ${k}`);
            for (const x of await containers(c)) {
                const st = procStatus(x.pid);
                const what = `${c}/${x.pod}/${x.container}`;
                assert.strictEqual(st.Seccomp, "2", `${what}: seccomp filter`);
                assert.strictEqual(st.NoNewPrivs, "1", `${what}: no_new_privs`);
                assert.strictEqual(st.CapEff, "0000000000000000", `${what}: no effective capability`);
                assert.notStrictEqual(st.Uid.split(/\s+/)[0], "0", `${what}: not root`);
                (rss[x.container] = rss[x.container] ?? []).push(st.VmRSS.replace(/ kB$/, ""));
            }
        }
        // The containers' resident memory, for the requests and limits of their contracts (flavors/upstream/workloads).
        progress(`container RSS (kB): ${Object.entries(rss).map(([k, v]) => `${k} ${v.join("/")}`).join("; ")}`);
    });

    it("listens on no pod IP in kubeB or central (the pods' /proc/net/tcp*); kubeA's Prometheus only on its web port", async function () {
        for (const c of ["kubeB", "central"]) {
            for (const x of await containers(c)) {
                assert.deepStrictEqual(listeners(x.pid).filter((l) => !/ (127\.0\.0\.1|::1):/.test(l)), [], `${c}/${x.pod}: nothing off loopback`);
            }
        }
        const a = await containers("kubeA");
        const open = [...new Set(a.flatMap((x) => listeners(x.pid).filter((l) => !/ (127\.0\.0\.1|::1):/.test(l)).map((l) => `${x.pod.split("-")[0]} ${l}`)))];
        assert.deepStrictEqual(open.filter((l) => !l.startsWith("prometheus ")), [], "kubeA: only the Prometheus pod listens off loopback");
        assert.deepStrictEqual(open.map((l) => l.split(":").pop()), open.map(() => String(PROMETHEUS3.port)), `kubeA: its web port only (${open.join(", ")})`);
    });

    it("a pod in kubeA reaches Prometheus through its Service by name; from another cluster's pod no pod IP and port answers", async function () {
        const exporter = (await pod("kubeA", "node-exporter")).metadata.name;
        const r = kubectl("kubeA", "exec", exporter, "-c", "node-exporter", "--", "wget", "-q", "-O", "-", `http://prometheus.${NS}.svc.cluster.local/api/v1/status/buildinfo`);
        assert.strictEqual(r.status, 0, `kubectl exec wget: ${r.stderr}`);
        assert.strictEqual(JSON.parse(r.stdout).data.version, PROMETHEUS3.version);
        // From another cluster's pod, every pod IP and port of the others fails (the ports anything in the pods uses).
        // The attempts run side by side: a dropped SYN costs each one its whole 3 s.
        const ports = [PROMETHEUS3.port, 9100, 9533];
        const attempts: Promise<string | undefined>[] = [];
        for (const [from, others] of [["kubeB", ["kubeA", "central"]], ["central", ["kubeA", "kubeB"]]] as const) {
            const pid = String(await promPid(from));
            for (const c of others) {
                for (const p of await pods(c)) {
                    for (const port of ports) {
                        attempts.push(new Promise((resolve) => execFile("nsenter", ["-t", pid, "-n", "curl", "-s", "--max-time", "3", `http://${p.status.podIP}:${port}/`],
                            (err) => resolve(err ? undefined : `a ${from} pod reached ${c}/${p.metadata.name} at ${p.status.podIP}:${port}`))));
                    }
                }
            }
        }
        assert.deepStrictEqual((await Promise.all(attempts)).filter((x) => x), [], `${attempts.length} connections across clusters`);
    });

    it("the exporter's Dial policy removed through pulumi: kubeB's sidecar closes the proxy, a new connection fails; `pulumi up` restores both", async function () {
        // What does NOT happen (README, known gap): Prometheus keeps its idle keep-alive connection to the proxy, which
        // `ziti tunnel proxy` never cuts (tunnel/intercept/proxy/proxy.go StopIntercepting closes the listener only),
        // so the running scrape goes on over the old circuit. Printed here, asserted is what revocation does reach.
        const exporterUp = async () => (await query("kubeB", 'up{job="kubeB.exporter"}'))[0]?.value[1];
        const port = proxyPort("kubeB.exporter.svc");
        const sidecar = async () => (await containers("kubeB")).find((x) => x.container === "ziti-tunnel" && x.pod.startsWith("prometheus"))!.pid;
        const proxyListens = async () => listeners(await sidecar()).includes(`tcp 127.0.0.1:${port}`);
        const metrics = async () => spawnSync("nsenter", ["-t", String(await sidecar()), "-n", "curl", "-sf", "--max-time", "5", `http://127.0.0.1:${port}/metrics`], { encoding: "utf8" });
        assert.ok(await proxyListens(), `kubeB's sidecar proxies kubeB.exporter.svc on 127.0.0.1:${port}`);
        const res = await e2e.pulumi("main", ["stack", "export", "--stack", "dev"], { private: true });
        const urns = (JSON.parse(res.stdout).deployment.resources as any[]).map((r) => r.urn as string).filter((u) => u.endsWith("::kubeB-kubeB.exporter.dial"));
        assert.strictEqual(urns.length, 1, "one Dial policy resource for kubeB.exporter.svc");
        await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev", "--target", urns[0]]);
        const t0 = Date.now();
        await waitFor(`kubeB's sidecar closes 127.0.0.1:${port}`, async () => ((await proxyListens()) ? undefined : true), 60_000);
        progress(`kubeB: proxy closed ${secs(Date.now() - t0)} after the Dial policy was deleted; the sidecar polls its services every 15 s`);
        const refused = await metrics();
        assert.notStrictEqual(refused.status, 0, "a new connection to the exporter's proxy port fails");
        await sleep(20_000);
        progress(`kubeB: up{job="kubeB.exporter"} ${secs(Date.now() - t0)} after: ${await exporterUp()} (Prometheus' established keep-alive connection is not cut: the known gap)`);
        await up();
        const t1 = Date.now();
        await waitFor(`kubeB's sidecar proxies 127.0.0.1:${port} again`, async () => ((await proxyListens()) ? true : undefined), 60_000);
        const back = await metrics();
        assert.strictEqual(back.status, 0, `the exporter answers through the proxy again: ${back.stderr}`);
        assert.match(back.stdout, /^node_exporter_build_info\{/m);
        await waitFor("kubeB: up == 1", async () => ((await exporterUp()) === "1" ? true : undefined), 60_000);
        progress(`kubeB: proxy open and the exporter answering ${secs(Date.now() - t1)} after \`pulumi up\` restored the Dial policy`);
    });

    it("a scrape interval change reaches the running Prometheus (its /api/v1/status/config) without a pod restart", async function () {
        const before = await pod("kubeB", "prometheus");
        await e2e.pulumi("main", ["config", "set", "--stack", "dev", "scrape-anywhere:scrapeInterval", "10s"]);
        const t0 = Date.now();
        await up();
        await waitFor("kubeB: Prometheus runs with scrape_interval 10s", async () => {
            const cfg = JSON.parse(getIn(await promPid("kubeB"), `http://127.0.0.1:${PROMETHEUS3.port}/api/v1/status/config`)).data.yaml as string;
            return /scrape_interval: 10s/.test(cfg) ? true : undefined;
        }, 240_000, 2000);
        progress(`kubeB: new scrape interval live ${secs(Date.now() - t0)} after \`pulumi up\` started`);
        const after = await pod("kubeB", "prometheus");
        assert.strictEqual(after.metadata.uid, before.metadata.uid, "the same pod");
        assert.deepStrictEqual(after.status.containerStatuses.map((s: any) => s.restartCount), before.status.containerStatuses.map(() => 0), "no container restarted");
    });
});
