// Tier `flavor`: the upstream flavor end to end, in running pods. Three local clusters with real nodes and the Ziti
// network where the pods reach it (./podsHarness.ts, shared with remoteWrite.spec.ts), and the program's own
// `pulumi up` of the dev stack with its default flavor, upstream, and its default collection, federate, as
// `npm start -- --clusters local` runs it. Read from the pods' own network
// namespaces (nsenter, as an operator would): each cluster Prometheus scrapes its exporter over Ziti, central
// federates both; every pod Running and Ready by its own probes under enforced `restricted`; no listener on a pod
// IP in kubeB or central; the NetworkPolicies admitted; kubeA's Prometheus by its Service name from a pod of another
// namespace of kubeA; no pod IP of one cluster answers another cluster's pods; a Dial policy
// removed closes the dialing sidecar's proxy and `pulumi up` restores it; a scrape interval change reaches the
// running Prometheus without a restart.
import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { NODE_EXPORTER_IMAGE } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3 } from "../../flavors/upstream/workloads/prometheus";
import { listeners, nodeMemory } from "../../scripts/lib/node/inspect";
import { CLUSTERS, FlavorPods, flavorPods, NS, progress, secs, sleep, waitFor } from "./podsHarness";

describe("flavor upstream: end to end in pods on real nodes, metrics over Ziti", function () {
    this.timeout(1_200_000);
    const IN_CLUSTER_USER = "in-cluster-user";
    let w: FlavorPods;
    let upStarted = 0;
    // Short names for the shared readers (./podsHarness.ts).
    const pods = (c: string) => w.pods(c);
    const pod = (c: string, app: string) => w.pod(c, app);
    const containers = (c: string) => w.containers(c);
    const getIn = (pid: number, url: string) => w.getIn(pid, url);
    const promPid = (c: string) => w.promPid(c);
    const query = (c: string, q: string) => w.query(c, q);
    const up = (...args: string[]) => w.up(...args);

    before(async function () {
        w = await flavorPods();
        // No flavor and no collection set: `upstream` and `federate` are the defaults, as a user's `npm start` gets them.
        await w.pulumi(["config", "rm", "--stack", "dev", "scrape-anywhere:collection"]).catch(() => undefined);
    });

    it("`pulumi up` of the dev stack (default flavor: upstream): every pod Running and Ready by its own probes, no restart", async function () {
        upStarted = Date.now();
        await up();
        progress(`pulumi up done in ${secs(Date.now() - upStarted)}`);
        const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
        const m = CLUSTERS.map((c) => `${c} ${mib(nodeMemory(w.plan(c).cgroupRoot).pods)}`);
        progress(`memory (Rss) of the pods by node: ${m.join(", ")}; the whole local setup (control planes, nodes, pods not included) ${mib(w.local.rss().total)}`);
        await w.assertPodsReady();
    });

    it("scrapes each cluster's exporter over Ziti (up == 1) and central federates both, within a few scrape intervals of the pods Ready", async function () {
        const ready = await w.lastReady();
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

    it("every namespace the program made holds its NetworkPolicies, as the API server admitted them", async function () {
        const want: Record<string, string[]> = {
            kubeA: ["default-deny", "kubernetes-api-egress", "prometheus-in-cluster"], kubeB: ["default-deny", "kubernetes-api-egress"], central: ["default-deny"],
        };
        for (const c of CLUSTERS) {
            const got = await w.api(c).list<any>(`/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`);
            assert.deepStrictEqual(got.map((p) => p.metadata.name).sort(), want[c], `${c}: NetworkPolicies in ${NS}`);
            const deny = got.find((p) => p.metadata.name === "default-deny");
            assert.deepStrictEqual(deny.spec.policyTypes, ["Ingress", "Egress"], `${c}: default-deny covers both directions`);
            assert.strictEqual(deny.spec.ingress, undefined, `${c}: default-deny admits nothing`);
        }
    });

    it("enforces `restricted`: namespaces labelled, every container with seccomp, no new privileges, no capability, not root", async function () {
        const rss = await w.assertRestricted();
        // The containers' resident memory, for the requests and limits of their contracts (flavors/upstream/workloads).
        progress(`container RSS (kB): ${Object.entries(rss).map(([k, v]) => `${k} ${v.join("/")}`).join("; ")}`);
    });

    it("listens on no pod IP in kubeB or central (the pods' /proc/net/tcp*); kubeA's Prometheus only on its web port", async function () {
        for (const c of ["kubeB", "central"]) {
            for (const x of await containers(c)) {
                assert.deepStrictEqual(w.offLoopback(x.pid), [], `${c}/${x.pod}: nothing off loopback`);
            }
        }
        const a = await containers("kubeA");
        const open = [...new Set(a.flatMap((x) => w.offLoopback(x.pid).map((l) => `${x.pod.split("-")[0]} ${l}`)))];
        assert.deepStrictEqual(open.filter((l) => !l.startsWith("prometheus ")), [], "kubeA: only the Prometheus pod listens off loopback");
        assert.deepStrictEqual(open.map((l) => l.split(":").pop()), open.map(() => String(PROMETHEUS3.port)), `kubeA: its web port only (${open.join(", ")})`);
    });

    it("a pod of kubeA in another namespace reaches Prometheus through its Service by name; from another cluster's pod no pod IP and port answers", async function () {
        // The hybrid half's user: a pod of its own namespace (`default`), as a Grafana of the cluster would be; the
        // program's own pods may not (their NetworkPolicies allow no such egress).
        const api = w.api("kubeA");
        const made = await api.create("/api/v1/namespaces/default/pods", {
            apiVersion: "v1", kind: "Pod", metadata: { name: IN_CLUSTER_USER },
            spec: { containers: [{ name: "user", image: NODE_EXPORTER_IMAGE, imagePullPolicy: "Never", securityContext: {
                runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
            } }] },
        });
        assert.ok(made.status === 201 || made.status === 409, `create ${IN_CLUSTER_USER}: ${made.status}`);
        await waitFor(`kubeA: ${IN_CLUSTER_USER} Running`, async () =>
            ((await api.get<any>(`/api/v1/namespaces/default/pods/${IN_CLUSTER_USER}`))?.status?.phase === "Running" ? true : undefined), 120_000);
        const r = w.kubectl("kubeA", "exec", IN_CLUSTER_USER, "-n", "default", "--", "wget", "-q", "-O", "-", `http://prometheus.${NS}.svc.cluster.local/api/v1/status/buildinfo`);
        assert.strictEqual(r.status, 0, `kubectl exec wget: ${r.stderr}`);
        assert.strictEqual(JSON.parse(r.stdout).data.version, PROMETHEUS3.version);
        await api.delete(`/api/v1/namespaces/default/pods/${IN_CLUSTER_USER}`);
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
        const res = await w.pulumi(["stack", "export", "--stack", "dev"], { private: true });
        const urns = (JSON.parse(res.stdout).deployment.resources as any[]).map((r) => r.urn as string).filter((u) => u.endsWith("::kubeB-kubeB.exporter.dial"));
        assert.strictEqual(urns.length, 1, "one Dial policy resource for kubeB.exporter.svc");
        await w.pulumi(["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev", "--target", urns[0]]);
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
        await w.pulumi(["config", "set", "--stack", "dev", "scrape-anywhere:scrapeInterval", "10s"]);
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
