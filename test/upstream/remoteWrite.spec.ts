// Tier `upstream`, collection by remote write (issue 26) beside federation, over one partition. Three network
// namespaces ("kubeA", "kubeB", "central"), each with its own uplink to a real local controller and router
// (test/overlay/fixtures/uplink.ts), the flavor's Ziti entity set for the three places plus its write path
// (flavors/upstream/remoteWrite.ts) created on the controller, one `ziti tunnel proxy` sidecar per pod identity
// with the flavor's command, node_exporter on loopback, and Prometheus 3.16 with the flavor's configs and flags:
// kubeA a hybrid server with remote_write, kubeB a dark agent, central the receiver
// (`--web.enable-remote-write-receiver`). Beside it in the central namespace a second central Prometheus
// federates kubeA as the federate mode does, so both modes see the very same cut.
// The cut: central's uplink is closed (every connection to the controller and router ended, new ones refused)
// for SA_PARTITION_SECONDS (default 150), then opened again. Shown: both clusters' series reach central by remote
// write with their `cluster` label; after the cut the receiver has no gap for samples taken during it (the
// clusters' WAL is resent), while the federating one has a gap as long as the cut. Figures are printed.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { largestGap } from "../helpers/largestGap";
import { pollUntil } from "../helpers/pollUntil";
import { listeners } from "./listeners";
import { adminToken, createSet, enroll } from "./zitiSet";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { startRootRelay } from "../overlay/fixtures/uplink";
import { centralPrometheusConfig, clusterPrometheusConfig, receiverPrometheusConfig } from "../../flavors/upstream/prometheusConfig";
import { clusterMode, embeddedWriteTarget, remoteWriteEntities, writerIdentity } from "../../flavors/upstream/remoteWrite";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { centralEntities, clusterDialedServices, clusterEntities } from "../../flavors/upstream/zitiEntities";
import { mergeEntitySets } from "../../flavors/upstream/zitiGraph";
import { nodeExporterArgs } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3, prometheus3Args } from "../../flavors/upstream/workloads/prometheus";
import { zitiTunnelCommand, ZITI_TUNNEL_IDENTITY_FILE } from "../../flavors/upstream/workloads/zitiTunnel";

const REPO = path.resolve(__dirname, "../..");
const INTERVAL_S = 2;
const CUT_S = Number(process.env.SA_PARTITION_SECONDS ?? 150);
const until = (what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number) => pollUntil(what, async () => ok(), v => v, timeoutMs, 1000);
const tool = (name: string) => execFileSync("bash", [path.join(REPO, "scripts/tools.sh"), "path", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const round = (s: number) => Math.round(s * 10) / 10;

type Place = "kubeA" | "kubeB" | "central";

describe("upstream flavor: central collection by remote write over Ziti, beside federation, through a partition", function () {
    this.timeout(CUT_S * 1000 + 600000);
    const procs: ChildProcess[] = [];
    const holders = {} as Record<Place, ChildProcess>;
    const relays: Record<Place, { close(): void }[]> = { kubeA: [], kubeB: [], central: [] };
    let dir: string;
    let ctl: ZitiQuickstart | undefined;

    const inNs = (ns: Place, name: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
        const p = spawn("nsenter", ["-t", String(holders[ns].pid), "-n", cmd, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
        const log = fs.createWriteStream(path.join(dir, `${ns}-${name}.log`));
        p.stdout!.pipe(log);
        p.stderr!.pipe(log);
        procs.push(p);
        return p;
    };
    const get = (ns: Place, url: string) => execFileSync("nsenter", ["-t", String(holders[ns].pid), "-n", "curl", "-sf", "--max-time", "10", url], { encoding: "utf8" });
    const query = (port: number, q: string, time?: number) => JSON.parse(get("central",
        `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}${time ? `&time=${time}` : ""}`)).data.result as { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
    /** Sample timestamps (unix s) of one series in the last `rangeS` seconds. */
    const samples = (port: number, selector: string, rangeS: number) => (query(port, `${selector}[${rangeS}s]`)[0]?.values ?? []).map(v => v[0]);

    /** The namespace's only way out: the controller's and router's ports, relayed over Unix sockets (its own pair). */
    const uplinkRelays = async (ns: Place) => {
        const specs: string[] = [];
        for (const port of [ctl!.ctrlPort, ctl!.routerPort]) {
            const sock = path.join(dir, `${ns}-${port}.sock`);
            relays[ns].push(await startRootRelay(sock, "127.0.0.1", port));
            specs.push(`127.0.0.1:${port}=${sock}`);
        }
        return specs;
    };

    before(async function () {
        if (process.getuid?.() !== 0) throw new Error("tier upstream needs root (unshare --net, nsenter): run it as root");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-upstream-rw-"));
        const cliDir = path.join(dir, "ziti-cli");
        fs.mkdirSync(cliDir, { mode: 0o700 });
        process.env.ZITI_CONFIG_DIR = cliDir;
        ctl = await startZitiQuickstart({ home: path.join(dir, "ziti-home"), waitForRouter: true, timeoutMs: 180000 });
        for (const ns of ["kubeA", "kubeB", "central"] as Place[]) {
            holders[ns] = spawn("unshare", ["--net", "sh", "-c", "ip link set lo up && exec sleep 3600"], { stdio: "ignore" });
        }
    });
    after(async function () {
        for (const p of procs) p.kill("SIGTERM");
        for (const h of Object.values(holders)) h?.kill("SIGKILL");
        for (const rs of Object.values(relays)) for (const r of rs) r.close();
        await ctl?.stop();
        delete process.env.ZITI_CONFIG_DIR;
        if (dir && !process.env.SA_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("brings both clusters' series to central by remote write, and keeps them through a cut that leaves federation with a gap", async function () {
        const ca = fs.readFileSync(ctl!.caBundlePath, "utf8");
        const routers = ["#all"];
        const target = embeddedWriteTarget("central");
        const set = mergeEntitySets(
            clusterEntities({ clusterName: "kubeA", edgeRouterRoles: routers }),
            clusterEntities({ clusterName: "kubeB", edgeRouterRoles: routers }),
            centralEntities({ centralName: "central", edgeRouterRoles: routers }),
            remoteWriteEntities({ target, writers: [writerIdentity("kubeA"), writerIdentity("kubeB")], edgeRouterRoles: routers }),
        );
        await createSet(ctl!, ca, set);
        const idFile: Record<string, string> = {};
        for (const i of set.identities) idFile[i.name] = await enroll(ctl!, ca, i.name, dir);

        for (const ns of ["kubeA", "kubeB", "central"] as Place[]) {
            const specs = await uplinkRelays(ns);
            inNs(ns, "uplink", process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "test/overlay/fixtures/uplink.ts"), ...specs]);
        }
        for (const ns of ["kubeA", "kubeB", "central"] as Place[]) await until(`${ns}'s uplink`, () => listeners(holders[ns].pid!).length >= 2, 30000);

        const bin = { prometheus: tool("prometheus"), exporter: tool("node_exporter") };
        // Sidecars with the flavor's command: only the identity path points into the test dir, and the poll is 3 s.
        const tunnel = (ns: Place, id: string) => {
            const tmp = fs.mkdtempSync(path.join(dir, `tmp-${id}-`));
            inNs(ns, `tunnel-${id}`, ctl!.zitiBin, zitiTunnelCommand().slice(1).map(a => (a === ZITI_TUNNEL_IDENTITY_FILE ? idFile[id] : a === "15" ? "3" : a)), { TMPDIR: tmp });
        };
        /** Prometheus with the flavor's arguments, its paths in the test dir (and another port for a second one in a namespace). */
        const prometheus = (ns: Place, name: string, args: string[], config: Record<string, unknown>, port: number = PROMETHEUS3.port) => {
            const file = path.join(dir, `${ns}-${name}.yml`);
            fs.writeFileSync(file, YAML.stringify(config));
            const storage = fs.mkdtempSync(path.join(dir, `${ns}-${name}-data-`));
            inNs(ns, name, bin.prometheus, args.map(a => a.replace(/=\/etc\/config\/prometheus\.yml$/, `=${file}`).replace(/=\/prometheus$/, `=${storage}`)
                .replace(/=(127\.0\.0\.1|0\.0\.0\.0):9090$/, `=$1:${port}`)));
        };
        const route = { service: target.service, path: target.path };
        for (const [c, kind] of [["kubeA", "hybrid"], ["kubeB", "dark"]] as const) {
            const mode = clusterMode(kind, "remoteWrite");
            inNs(c, "node_exporter", bin.exporter, nodeExporterArgs());
            tunnel(c, `${c}.exporter.id`);
            tunnel(c, `${c}.prometheus.id`);
            prometheus(c, "prometheus", prometheus3Args(kind, mode), clusterPrometheusConfig({
                clusterName: c, exporter: clusterDialedServices(c)[1], scrapeInterval: `${INTERVAL_S}s`, remoteWrite: route, mode,
            }));
        }
        assert.strictEqual(clusterMode("dark", "remoteWrite"), "agent");
        tunnel("central", "central.prometheus.id");
        prometheus("central", "receiver", prometheus3Args("dark", "receiver"), receiverPrometheusConfig({ centralName: "central", scrapeInterval: `${INTERVAL_S}s` }));
        const FED = 9091; // the federating central beside it, as the federate mode runs it, for kubeA
        prometheus("central", "federator", prometheus3Args("dark"), centralPrometheusConfig({
            centralName: "central", dialed: clusterDialedServices("kubeA"), federationMatch: ['{job=~".+"}'], scrapeInterval: `${INTERVAL_S}s`,
        }), FED);

        const t0 = Date.now();
        const arrived = (c: string) => query(PROMETHEUS3.port, `up{job="prometheus",cluster="${c}"}`).length === 1;
        await until(`kubeA's and kubeB's series in central by remote write (logs in ${dir})`, () => arrived("kubeA") && arrived("kubeB"), 180000);
        console.log(`      both clusters' series in central by remote write ${(Date.now() - t0) / 1000}s after start`);
        await until(`the federator federating kubeA (logs in ${dir})`, () => query(FED, `up{job="kubeA.federate"}`)[0]?.value?.[1] === "1", 120000);

        // Labels: every series from a cluster carries its `cluster` (external label); central scrapes no cluster itself.
        for (const c of ["kubeA", "kubeB"]) {
            const exporterUp = query(PROMETHEUS3.port, `up{job="${c}.exporter"}`);
            assert.deepStrictEqual(exporterUp.map(r => [r.metric.cluster, r.metric.instance, r.value![1]]), [[c, `${c}.exporter.svc`, "1"]], `${c}'s exporter over Ziti, written to central`);
            assert.ok(query(PROMETHEUS3.port, `count(node_time_seconds{cluster="${c}"})`).length === 1, `${c}'s node_exporter series in central`);
        }
        const receiverJobs = JSON.parse(get("central", `http://127.0.0.1:${PROMETHEUS3.port}/api/v1/targets`)).data.activeTargets.map((t: { labels: { job: string } }) => t.labels.job);
        assert.deepStrictEqual(receiverJobs, ["prometheus"], "the receiver scrapes only itself: the clusters' series came by remote write");
        // Loopback only where dark (kubeA is the hybrid cluster: its Prometheus also listens on the pod IP, 0.0.0.0:9090).
        const writePort = proxyPort(target.service);
        for (const ns of ["kubeB", "central"] as Place[]) assert.deepStrictEqual(listeners(holders[ns].pid!).filter(l => !l.startsWith("127.0.0.1:")), [], `${ns}: loopback only`);
        for (const c of ["kubeA", "kubeB"] as Place[]) assert.ok(listeners(holders[c].pid!).includes(`127.0.0.1:${writePort}`), `${c}'s sidecar proxies ${target.service} on 127.0.0.1:${writePort}`);
        assert.ok(!listeners(holders.central.pid!).includes(`127.0.0.1:${writePort}`), "central hosts the write service and does not dial it");

        // The partition: central's uplink closed, every connection ended, new ones refused.
        await sleep(10000);
        const cutAt = Date.now() / 1000;
        for (const r of relays.central.splice(0)) r.close();
        console.log(`      central cut off from the overlay for ${CUT_S}s`);
        await sleep(Math.min(30000, CUT_S * 500));
        const lastRw = Math.max(...samples(PROMETHEUS3.port, `up{job="prometheus",cluster="kubeB"}`, 120));
        assert.ok(lastRw < cutAt + 10, `nothing reaches the receiver during the cut (newest kubeB sample ${(lastRw - cutAt).toFixed(1)}s after the cut)`);
        assert.strictEqual(query(FED, `up{job="kubeA.federate"}`)[0]?.value?.[1], "0", "the federation scrape fails during the cut");
        const pending = /^prometheus_remote_storage_samples_pending\S* (\S+)$/m.exec(get("kubeB", "http://127.0.0.1:9090/metrics"))?.[1];
        console.log(`      during the cut: kubeB agent's remote write samples pending ${pending}`);
        await sleep(CUT_S * 1000 - (Date.now() / 1000 - cutAt) * 1000);
        await uplinkRelays("central");
        const restoredAt = Date.now() / 1000;
        console.log(`      central's uplink restored after ${(restoredAt - cutAt).toFixed(0)}s`);

        // After: the receiver fills the cut from the clusters' WAL; the federator resumes, with the cut missing.
        const window = Math.ceil(Date.now() / 1000 - cutAt) + 120;
        const rwGap = (c: string) => largestGap(samples(PROMETHEUS3.port, `up{job="prometheus",cluster="${c}"}`, window), cutAt, restoredAt);
        const backAt = await pollUntil("the receiver's series for the cut filled in",
            async () => ({ kubeA: rwGap("kubeA"), kubeB: rwGap("kubeB") }), g => g.kubeA <= 3 * INTERVAL_S && g.kubeB <= 3 * INTERVAL_S, 240000, 2000)
            .then(() => Date.now() / 1000, (e: Error) => { console.log(`      ${e.message}`); return NaN; });
        await until("the federator federating kubeA again", () => query(FED, `up{job="kubeA.federate"}`)[0]?.value?.[1] === "1", 240000);
        await sleep(3 * INTERVAL_S * 1000);
        const fedWindow = Math.ceil(Date.now() / 1000 - cutAt) + 120;
        const fedSamples = samples(FED, `up{job="prometheus",cluster="kubeA"}`, fedWindow);
        const figures = {
            cutSeconds: Math.round(restoredAt - cutAt),
            remoteWriteGapSeconds: { kubeA: round(rwGap("kubeA")), kubeB: round(rwGap("kubeB")) },
            federationGapSeconds: { kubeA: round(largestGap(fedSamples, cutAt, restoredAt)) },
            remoteWriteFilledInSecondsAfterRestore: Number((backAt - restoredAt).toFixed(1)),
            samplesTakenDuringCut: {
                remoteWrite: { kubeA: samples(PROMETHEUS3.port, `up{job="prometheus",cluster="kubeA"}`, window).filter(t => t > cutAt && t < restoredAt).length,
                    kubeB: samples(PROMETHEUS3.port, `up{job="prometheus",cluster="kubeB"}`, window).filter(t => t > cutAt && t < restoredAt).length },
                federation: { kubeA: fedSamples.filter(t => t > cutAt && t < restoredAt).length },
            },
        };
        console.log(`      figures: ${JSON.stringify(figures, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}`);
        assert.ok(figures.remoteWriteGapSeconds.kubeA <= 3 * INTERVAL_S, `remote write, kubeA: no gap (largest ${figures.remoteWriteGapSeconds.kubeA}s; logs in ${dir})`);
        assert.ok(figures.remoteWriteGapSeconds.kubeB <= 3 * INTERVAL_S, `remote write, kubeB (agent): no gap (largest ${figures.remoteWriteGapSeconds.kubeB}s; logs in ${dir})`);
        assert.ok(figures.federationGapSeconds.kubeA >= 0.8 * CUT_S, `federation over the same cut has a gap about as long (${figures.federationGapSeconds.kubeA}s)`);
    });
});
