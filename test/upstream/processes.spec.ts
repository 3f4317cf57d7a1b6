// Tier `upstream`: the upstream flavor's own binaries (Prometheus 3.16.0, node_exporter 1.12.1, configmap-reload
// 0.14.0, built by scripts/tools.sh from their modules) run with the flavor's arguments and the flavor's
// generated prometheus.yml, in a network namespace of the test's own (`unshare --net`: only `lo`), and are read
// through their own HTTP APIs from inside it. What this proves without a cluster: the generated config is one
// Prometheus 3.16 accepts (external labels, retention in the file, relabelled loopback jobs), every process
// listens on loopback only, and a config change written the way the kubelet updates a ConfigMap volume
// (a new `..data` directory swapped in by rename) reaches the running Prometheus through configmap-reload,
// with no restart. The Ziti leg (the tunneler sidecar) is the kubernetes/overlay tiers' job.
// Needs root (unshare, nsenter) and `bash scripts/tools.sh workloads`.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { pollUntil } from "../helpers/pollUntil";
import { listeners } from "./listeners";
import { clusterPrometheusConfig } from "../../flavors/upstream/prometheusConfig";
import { clusterDialedServices } from "../../flavors/upstream/zitiEntities";
import { configmapReloadArgs } from "../../flavors/upstream/workloads/configmapReload";
import { nodeExporterArgs } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3, prometheus3Args } from "../../flavors/upstream/workloads/prometheus";

const REPO = path.resolve(__dirname, "../..");
/** Polls `ok` (a throw counts as "not yet") until true. */
const until = (what: string, ok: () => boolean, timeoutMs: number) => pollUntil(what, async () => ok(), v => v, timeoutMs, 500);

function toolPath(name: string): string {
    try {
        return execFileSync("bash", [path.join(REPO, "scripts/tools.sh"), "path", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    } catch {
        throw new Error(`the ${name} binary is missing and could not be built: run \`bash scripts/tools.sh workloads\``);
    }
}


describe("upstream flavor: its binaries with its arguments and config, in a namespace of their own", function () {
    this.timeout(180000);
    const procs: ChildProcess[] = [];
    let holder: ChildProcess;
    let dir: string;
    const inNs = (cmd: string, args: string[]) => spawn("nsenter", ["-t", String(holder.pid), "-n", cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const get = (url: string) => execFileSync("nsenter", ["-t", String(holder.pid), "-n", "curl", "-sf", "--max-time", "3", url], { encoding: "utf8" });

    // The ConfigMap volume layout the kubelet writes (pkg/volume/util/atomic_writer.go): `..data` -> a
    // timestamped directory, files as symlinks through `..data`; an update swaps `..data` by rename.
    let generation = 0;
    function writeConfigMap(configDir: string, text: string): void {
        const ts = path.join(configDir, `..gen_${++generation}`);
        fs.mkdirSync(ts);
        fs.writeFileSync(path.join(ts, PROMETHEUS3.configFileName), text);
        fs.symlinkSync(path.basename(ts), path.join(configDir, "..data_tmp"));
        fs.renameSync(path.join(configDir, "..data_tmp"), path.join(configDir, "..data"));
        const link = path.join(configDir, PROMETHEUS3.configFileName);
        if (!fs.existsSync(link)) fs.symlinkSync(path.join("..data", PROMETHEUS3.configFileName), link);
    }

    let bins: Record<string, string>;
    before(function () {
        if (process.getuid?.() !== 0) throw new Error("tier upstream needs root (unshare --net, nsenter): run it as root");
        bins = { prometheus: toolPath("prometheus"), exporter: toolPath("node_exporter"), reload: toolPath("configmap-reload") };
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-upstream-"));
        holder = spawn("unshare", ["--net", "sh", "-c", "ip link set lo up && exec sleep 600"], { stdio: "ignore" });
    });
    after(function () {
        for (const p of procs) p.kill("SIGTERM");
        holder?.kill("SIGKILL");
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("runs Prometheus with the flavor's cluster config, node_exporter and configmap-reload, all on loopback; a config change is reloaded in place", async function () {
        const configDir = path.join(dir, "config");
        const storage = path.join(dir, "storage");
        fs.mkdirSync(configDir);
        fs.mkdirSync(storage);
        const exporter = clusterDialedServices("kubeA")[1];
        const config = (interval: string) => YAML.stringify(clusterPrometheusConfig({ clusterName: "kubeA", exporter, scrapeInterval: interval }));
        writeConfigMap(configDir, config("15s"));
        await until("lo up in the namespace", () => execFileSync("nsenter", ["-t", String(holder.pid), "-n", "ip", "-o", "link", "show", "lo"], { encoding: "utf8" }).includes("UP"), 10000);

        // The pod's paths are the container's; here they point into the test's directory.
        const promArgs = prometheus3Args("dark").map(a => a.replace(PROMETHEUS3.configDir, configDir).replace(`=${PROMETHEUS3.storageDir}`, `=${storage}`));
        const prom = inNs(bins.prometheus, promArgs);
        const exp = inNs(bins.exporter, nodeExporterArgs());
        const reload = inNs(bins.reload, configmapReloadArgs(configDir, `http://127.0.0.1:${PROMETHEUS3.port}/-/reload`));
        procs.push(prom, exp, reload);
        let promLog = "";
        prom.stderr!.on("data", d => { promLog += d; });

        await until(`Prometheus ready (log: ${promLog.slice(-400)})`, () => get("http://127.0.0.1:9090/-/ready").length >= 0, 60000);
        const started = Date.now();
        await until("node_exporter answers", () => get("http://127.0.0.1:9100/metrics").includes("node_exporter_build_info"), 30000);

        // Loopback only: Prometheus 9090, node_exporter 9100, configmap-reload 9533, nothing else.
        await until("three listeners", () => listeners(holder.pid!).length >= 3, 10000);
        assert.deepStrictEqual(listeners(holder.pid!).sort(), ["127.0.0.1:9090", "127.0.0.1:9100", "127.0.0.1:9533"]);

        const cfg = () => YAML.parse(JSON.parse(get("http://127.0.0.1:9090/api/v1/status/config")).data.yaml);
        assert.deepStrictEqual(cfg().global.external_labels, { cluster: "kubeA" });
        assert.strictEqual(cfg().storage.tsdb.retention.time, "15d");
        type Target = { labels: Record<string, string>; scrapeUrl: string };
        const exporterTarget = () => (JSON.parse(get("http://127.0.0.1:9090/api/v1/targets")).data.activeTargets as Target[]).find(x => x.labels.job === "kubeA.exporter");
        await until("the exporter job among the active targets", () => exporterTarget() !== undefined, 30000);
        const t = exporterTarget()!;
        assert.deepStrictEqual({ instance: t.labels.instance, ziti_service: t.labels.ziti_service, cluster: t.labels.cluster },
            { instance: "kubeA.exporter.svc", ziti_service: "kubeA.exporter.svc", cluster: "kubeA" });
        assert.strictEqual(t.scrapeUrl, `http://127.0.0.1:${exporter.port}/metrics`);
        await until("Prometheus scraping itself (up == 1)",
            () => JSON.parse(get("http://127.0.0.1:9090/api/v1/query?query=up%7Bjob%3D%22prometheus%22%7D")).data.result[0]?.value[1] === "1", 40000);

        // A ConfigMap update: configmap-reload sees the new ..data and POSTs /-/reload; same process, new interval.
        writeConfigMap(configDir, config("7s"));
        await until("the new scrape interval in /api/v1/status/config", () => cfg().global.scrape_interval === "7s", 60000);
        assert.strictEqual(prom.exitCode, null, "Prometheus was not restarted");
        const rss = (p: ChildProcess) => /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1];
        // nsenter execs the binary, so the child pid is the binary's own.
        console.log(`      ready-to-reload ${(Date.now() - started) / 1000}s; RSS KiB: prometheus ${rss(prom)}, node_exporter ${rss(exp)}, configmap-reload ${rss(reload)}`);
    });
});
