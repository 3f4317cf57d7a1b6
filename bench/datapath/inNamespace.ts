// The data path of the upstream flavor, measured with its real binaries (issue 24), run by bench/datapath/run.ts
// inside a network namespace of its own (`unshare --net`, only `lo`): a `ziti edge quickstart` controller and
// router, the flavor's `ziti tunnel proxy` sidecars (flavors/upstream/workloads/zitiTunnel.ts command, one process per
// pod identity), stock Prometheus 3.16 and a static page server standing for the exporter. Everything listens on the
// namespace's loopback, so nothing reaches the root namespace and the router hop is a loopback hop (a real pod
// network adds its own round trip to both legs of the Ziti path, not to the direct one).
//
//   Prometheus --127.0.0.1:P1--> ziti tunnel (bench.prometheus.id) --> edge router --> ziti tunnel (bench.exporter.id)
//     --127.0.0.1:9100--> page server                                       (the "ziti" path)
//   Prometheus --127.0.0.1:9100--> page server                               (the "direct" path)
//
// The entities are the flavor's own cluster set (flavors/upstream/zitiEntities.ts clusterEntities: host.v1 to
// 127.0.0.1, proxy.v1 bound to 127.0.0.1 at proxyPort(service)) for cluster `bench`, plus one central-like dialer
// `bench.central.id` with only the federation attribute (the flavor's central also dials every exporter: in one
// namespace its proxy would take the same port as the cluster Prometheus' sidecar).
//
// Usage (root, inside the namespace): node -r ts-node/register/transpile-only inNamespace.ts <result.json> [options JSON]
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { clusterEntities, FEDERATION_CLIENTS } from "../../flavors/upstream/zitiEntities";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { NODE_EXPORTER } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3 } from "../../flavors/upstream/workloads/prometheus";
import { ZITI_TUNNEL, zitiTunnelCommand, ZITI_TUNNEL_IDENTITY_FILE } from "../../flavors/upstream/workloads/zitiTunnel";
import type { ZitiEntitySet } from "../../flavors/upstream/zitiGraph";
import { rest, Rest } from "../lib/controller";

const REPO = path.resolve(__dirname, "..", "..");
const log = (m: string) => process.stderr.write(`[data-path ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const tool = (name: string) => execFileSync("bash", [path.join(REPO, "scripts/tools.sh"), "path", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

export interface DataPathOptions {
    /** Requests per path for the small page (keep-alive and new connection each) and for the large page. */
    smallRequests: number;
    largeRequests: number;
    federateRequests: number;
    /** Series of the pages. */
    smallSeries: number;
    largeSeries: number;
    federateSeries: number;
    /** Prometheus' scrape interval (= timeout) and how long the steady-load window lasts. */
    scrapeIntervalSec: number;
    steadySec: number;
    /** Extra environment of the tunnelers (e.g. GOGC, GOMAXPROCS), for tuning runs. */
    tunnelEnv: Record<string, string>;
    /** Extra arguments of the tunnelers (e.g. --sdk-flow-control=false), for tuning runs. */
    tunnelArgs: string[];
    /** Prometheus' scrape_config `enable_compression` (its default: true, it asks for gzip). */
    scrapeCompression: boolean;
    /** Which parts to run (all by default). */
    parts: ("client" | "federate" | "steady")[];
}
export const DEFAULT_OPTIONS: DataPathOptions = {
    smallRequests: 300, largeRequests: 60, federateRequests: 10, smallSeries: 550, largeSeries: 50_000, federateSeries: 100_000,
    scrapeIntervalSec: 3, steadySec: 120, tunnelEnv: {}, tunnelArgs: [], scrapeCompression: true, parts: ["client", "federate", "steady"],
};

/** Latencies in ms of one kind of request over one path, in request order. */
export type Samples = number[];
/** RSS split as the kernel counts it: anonymous (heap, stacks) and file-backed (the binary's pages, shared). */
export interface ProcUsage { pid: number; rssMiB: { median: number; max: number }; anonMiB: { median: number; max: number }; fileMiB: number; cpuCores: number }
export interface DataPathResult {
    options: DataPathOptions;
    pageBytes: Record<string, number>;
    client: Record<string, { direct: Samples; ziti: Samples }>;
    /** /federate read as central reads it (gzip), and uncompressed. */
    federate: { series: number; bytes: number; gzipBytes: number; direct: Samples; ziti: Samples; rawDirect: Samples; rawZiti: Samples };
    /** scrape_duration_seconds samples (ms) of each job during the steady window. */
    scrapeDuration: Record<string, Samples>;
    /** Failed scrapes (up == 0) during the window, by job. */
    scrapeFailures: Record<string, number>;
    /** Per process over the steady window. */
    usage: Record<string, ProcUsage>;
    loads: string[];
    /** Times the sidecars had to be restarted before the first dial succeeded. */
    restarts: number;
    /** Peak RSS (MiB) of each sidecar over the whole run (the 5 MB pages and the 15 MB federation included). */
    peakRssMiB: Record<string, number>;
    /** CPU (cores) of each sidecar while the client pulls the uncompressed large page back to back: the burst. */
    burstCores: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------------------------

/** Creates the set through the management API, `@name` roles resolved to `@id` (as test/upstream/overlay.spec.ts). */
async function createSet(r: Rest, set: ZitiEntitySet): Promise<void> {
    const ids: Record<string, string> = {};
    const post = async (kind: string, body: Record<string, unknown>) => {
        const res = await r.call("POST", `/${kind}`, body);
        if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${kind} ${String(body.name)}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
        ids[String(body.name)] = res.json.data.id;
    };
    const roles = (rs: unknown) => (rs as string[]).map(x => (x.startsWith("@") ? `@${ids[x.slice(1)]}` : x));
    for (const i of set.identities) await post("identities", { name: i.name, type: "Device", isAdmin: false, roleAttributes: i.roleAttributes, enrollment: { ott: true } });
    for (const c of set.configs) {
        const t = await r.call("GET", `/config-types?filter=${encodeURIComponent(`name="${c.configType}"`)}`);
        await post("configs", { name: c.name, configTypeId: t.json.data[0].id, data: c.data });
    }
    for (const s of set.services) await post("services", { name: s.name, configs: s.configs.map(c => ids[c]), encryptionRequired: true });
    for (const p of set.servicePolicies) await post("service-policies", { name: p.name, type: p.type, semantic: p.semantic, identityRoles: roles(p.identityRoles), serviceRoles: roles(p.serviceRoles) });
    for (const p of set.edgeRouterPolicies) await post("edge-router-policies", { name: p.name, semantic: "AnyOf", identityRoles: roles(p.identityRoles), edgeRouterRoles: p.edgeRouterRoles });
    for (const p of set.serviceEdgeRouterPolicies) await post("service-edge-router-policies", { name: p.name, semantic: "AnyOf", serviceRoles: roles(p.serviceRoles), edgeRouterRoles: p.edgeRouterRoles });
}

/** One GET, the whole body read; ms from the request to the last byte. */
function get(url: string, agent: http.Agent | false, timeoutMs = 60_000, gzip = false): Promise<{ ms: number; bytes: number; body?: string }> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const headers = { ...(agent === false ? { connection: "close" } : {}), ...(gzip ? { "accept-encoding": "gzip" } : {}) };
        const req = http.get(url, { agent, headers }, res => {
            let bytes = 0;
            const keep: Buffer[] = [];
            res.on("data", (b: Buffer) => { bytes += b.length; if (url.includes("federate")) keep.push(b); });
            res.on("end", () => {
                if (res.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
                resolve({ ms: performance.now() - t0, bytes, ...(keep.length ? { body: Buffer.concat(keep).toString() } : {}) });
            });
            res.on("error", reject);
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url}: timeout`)));
        req.on("error", reject);
    });
}

/** `n` requests on each path, alternating which goes first, after 3 unrecorded ones each. */
async function alternate(urls: { direct: string; ziti: string }, n: number, keepAlive: boolean, gzip = false): Promise<{ direct: Samples; ziti: Samples }> {
    const agents = { direct: keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false, ziti: keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false } as const;
    const out = { direct: [] as Samples, ziti: [] as Samples };
    for (let i = -3; i < n; i++) {
        const order = i % 2 ? (["direct", "ziti"] as const) : (["ziti", "direct"] as const);
        for (const k of order) {
            const r = await get(urls[k], agents[k], 60_000, gzip);
            if (i >= 0) out[k].push(r.ms);
        }
    }
    for (const a of Object.values(agents)) if (a) a.destroy();
    return out;
}

/** RSS (MiB) and CPU ticks of a process, from /proc. */
function procNow(pid: number): { rssMiB: number; anonMiB: number; fileMiB: number; ticks: number } {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) / 1024;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { rssMiB: kb("VmRSS"), anonMiB: kb("RssAnon"), fileMiB: kb("RssFile"), ticks: Number(f[11]) + Number(f[12]) }; // utime, stime (fields 14, 15)
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

async function promQuery(port: number, q: string): Promise<any[]> {
    return new Promise((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`, res => {
            let t = "";
            res.on("data", d => (t += d));
            res.on("end", () => { try { resolve(JSON.parse(t).data.result); } catch (e) { reject(e); } });
        }).on("error", reject);
    });
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
        if (await Promise.resolve(ok()).catch(() => false)) return;
        await sleep(500);
    }
    throw new Error(`data path: timed out waiting for ${what}`);
}
const listening = (port: number) => new Promise<boolean>(resolve => {
    const s = require("net").connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
});

// ---------------------------------------------------------------------------------------------------------------

export async function measureDataPath(o: DataPathOptions): Promise<DataPathResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-datapath-"));
    const procs: ChildProcess[] = [];
    let ctl: ZitiQuickstart | undefined;
    let r: Rest | undefined;
    const start = (name: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
        const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
        const out = fs.createWriteStream(path.join(dir, `${name}.log`));
        p.stdout!.pipe(out);
        p.stderr!.pipe(out);
        procs.push(p);
        return p;
    };
    const stopAll = () => { for (const p of procs) if (p.exitCode === null) p.kill("SIGTERM"); };
    process.once("SIGTERM", () => { stopAll(); process.exit(143); });
    process.once("SIGINT", () => { stopAll(); process.exit(130); });
    const loads: string[] = [];
    const load = (what: string) => loads.push(`${what}: load ${os.loadavg().slice(0, 2).map(x => x.toFixed(1)).join("/")} (1/5 min)`);
    try {
        ctl = await startZitiQuickstart({ home: path.join(dir, "ziti-home"), waitForRouter: true, timeoutMs: 180_000 });
        r = await rest(ctl);
        const set = clusterEntities({ clusterName: "bench", edgeRouterRoles: ["#all"] });
        set.identities.push({ name: "bench.central.id", roleAttributes: [FEDERATION_CLIENTS] });
        set.edgeRouterPolicies.push({ name: "bench.central.edge-router-policy", identityRoles: ["@bench.central.id"], edgeRouterRoles: ["#all"] });
        await createSet(r, set);
        const idFile: Record<string, string> = {};
        for (const name of ["bench.prometheus.id", "bench.exporter.id", "bench.central.id"]) {
            const found = await r.call("GET", `/identities?filter=${encodeURIComponent(`name="${name}"`)}`);
            fs.writeFileSync(path.join(dir, `${name}.jwt`), found.json.data[0].enrollment.ott.jwt, { mode: 0o600 });
            idFile[name] = path.join(dir, `${name}.json`);
            execFileSync(ctl.zitiBin, ["edge", "enroll", "--jwt", path.join(dir, `${name}.jwt`), "--out", idFile[name]], { stdio: "ignore" });
        }

        const exporterProxy = proxyPort("bench.exporter.svc");
        const prometheusProxy = proxyPort("bench.prometheus.svc");
        const pagePort = NODE_EXPORTER.port;
        const sourcePort = PROMETHEUS3.port; // the cluster Prometheus /federate is read from (the service's host.v1)
        const zitiPort = 9091;
        const directPort = 9092;
        const pages = { small: o.smallSeries, large: o.largeSeries, fed: o.federateSeries };
        start("pages", process.execPath, [path.join(__dirname, "pageServer.js"), "127.0.0.1", String(pagePort), ...Object.entries(pages).map(([p, n]) => `/${p}=${n}`)]);
        // The sidecars run the flavor's command and environment; only the identity path points into the work directory.
        const tunnel = (id: string) => [...zitiTunnelCommand().slice(1).map(a => (a === ZITI_TUNNEL_IDENTITY_FILE ? idFile[id] : a)), ...o.tunnelArgs];
        const tmp = (id: string) => { const d = path.join(dir, `tmp-${id}`); fs.mkdirSync(d, { recursive: true }); return d; };
        const startTunnels = (attempt: number) => ({
            exporterTunnel: start(`tunnel-exporter-${attempt}`, ctl!.zitiBin, tunnel("bench.exporter.id"), { TMPDIR: tmp(`exporter-${attempt}`), ...ZITI_TUNNEL.env, ...o.tunnelEnv }),
            prometheusTunnel: start(`tunnel-prometheus-${attempt}`, ctl!.zitiBin, tunnel("bench.prometheus.id"), { TMPDIR: tmp(`prometheus-${attempt}`), ...ZITI_TUNNEL.env, ...o.tunnelEnv }),
            centralTunnel: start(`tunnel-central-${attempt}`, ctl!.zitiBin, tunnel("bench.central.id"), { TMPDIR: tmp(`central-${attempt}`), ...ZITI_TUNNEL.env, ...o.tunnelEnv }),
        });
        let tunnels = startTunnels(0);
        const peakRssMiB: Record<string, number> = {};
        const peaks = setInterval(() => {
            for (const [k, t] of Object.entries(tunnels)) {
                try {
                    peakRssMiB[k] = Math.max(peakRssMiB[k] ?? 0, procNow(t.pid!).rssMiB);
                } catch {
                    // ended (a restart)
                }
            }
        }, 250);
        peaks.unref();
        const prometheus = tool("prometheus");
        const promArgs = (name: string, port: number) => {
            const storage = path.join(dir, `storage-${name}`);
            fs.mkdirSync(storage);
            return [`--config.file=${path.join(dir, `${name}.yml`)}`, `--storage.tsdb.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`];
        };
        const job = (name: string, target: number, metricsPath: string, intervalSec: number) => ({
            job_name: name, metrics_path: metricsPath, scrape_interval: `${intervalSec}s`, scrape_timeout: `${intervalSec}s`,
            ...(o.scrapeCompression ? {} : { enable_compression: false }), static_configs: [{ targets: [`127.0.0.1:${target}`] }],
        });
        // The source of /federate: holds the federated series (scraped directly from the page server).
        fs.writeFileSync(path.join(dir, "source.yml"), YAML.stringify({ scrape_configs: [job("fed", pagePort, "/fed", 15)] }));
        start("prometheus-source", prometheus, promArgs("source", sourcePort));
        await waitFor("the proxies on 127.0.0.1 (exporter and prometheus services)", async () => (await listening(exporterProxy)) && (await listening(prometheusProxy)), 120_000);
        await waitFor(`${o.federateSeries} federated series in the source Prometheus`, async () =>
            Number((await promQuery(sourcePort, 'scrape_samples_scraped{job="fed"}'))[0]?.value[1] ?? 0) >= o.federateSeries, 120_000);
        // A proxy listens as soon as its service is known; a dial succeeds once the hosting side's terminator exists.
        // Seen here under load (~1 start in 3): every dial of a fresh sidecar times out ("timeout waiting for message
        // reply") for minutes; a restarted sidecar works. So: up to two restarts, counted in the result.
        let restarts = 0;
        for (;;) {
            try {
                await waitFor("a page through the exporter service", async () => (await get(`http://127.0.0.1:${exporterProxy}/small`, false, 5000)).bytes > 0, 90_000);
                await waitFor("the source Prometheus through its service", async () => (await get(`http://127.0.0.1:${prometheusProxy}/-/ready`, false, 5000)).bytes > 0, 90_000);
                break;
            } catch (e) {
                if (restarts >= 2) throw e;
                log(`${(e as Error).message}: restarting the sidecars (logs in ${dir} with SA_KEEP=1)`);
                for (const t of Object.values(tunnels)) t.kill("SIGTERM");
                await sleep(2000);
                tunnels = startTunnels(++restarts);
            }
        }
        const pageBytes: Record<string, number> = {};
        for (const p of Object.keys(pages)) {
            pageBytes[p] = (await get(`http://127.0.0.1:${pagePort}/${p}`, false)).bytes;
            pageBytes[`${p}Gzip`] = (await get(`http://127.0.0.1:${pagePort}/${p}`, false, 60_000, true)).bytes;
        }

        // 1. What one client sees, before any Prometheus scrapes: small page on kept-alive and on new connections, large page.
        const urls = (p: string) => ({ direct: `http://127.0.0.1:${pagePort}/${p}`, ziti: `http://127.0.0.1:${exporterProxy}/${p}` });
        const client: DataPathResult["client"] = {};
        const burstCores: Record<string, number> = {};
        if (o.parts.includes("client")) {
        load("client small keep-alive");
        log(`client: small page (${pageBytes.small} bytes), kept-alive connection, ${o.smallRequests} requests per path`);
        client.smallKeepAlive = await alternate(urls("small"), o.smallRequests, true);
        load("client small new connection");
        log(`client: small page, a new connection per request`);
        client.smallNewConnection = await alternate(urls("small"), o.smallRequests, false);
        load("client large keep-alive");
        log(`client: large page (${pageBytes.large} bytes), kept-alive connection, ${o.largeRequests} requests per path`);
        const before = Object.fromEntries(Object.entries(tunnels).map(([k, t]) => [k, procNow(t.pid!).ticks]));
        const tb = Date.now();
        client.largeKeepAlive = await alternate(urls("large"), o.largeRequests, true);
        Object.assign(burstCores, Object.fromEntries(Object.entries(tunnels).map(([k, t]) => [k, (procNow(t.pid!).ticks - before[k]) / 100 / ((Date.now() - tb) / 1000)])));
        load("client large keep-alive gzip");
        log(`client: large page gzip-compressed (as Prometheus asks and node_exporter answers), kept-alive connection`);
        client.largeKeepAliveGzip = await alternate(urls("large"), o.largeRequests, true, true);
        }

        // 2. /federate of the source's series: directly and through the central dialer's proxy.
        load("federate");
        log(`federate: ${o.federateRequests} requests per path`);
        const fedPath = `/federate?match[]=${encodeURIComponent('{job="fed"}')}`;
        const once = await get(`http://127.0.0.1:${sourcePort}${fedPath}`, false);
        const series = once.body!.split("\n").filter(l => l && !l.startsWith("#")).length;
        const fedUrls = { direct: `http://127.0.0.1:${sourcePort}${fedPath}`, ziti: `http://127.0.0.1:${prometheusProxy}${fedPath}` };
        const gzipBytes = (await get(fedUrls.direct, false, 60_000, true)).bytes;
        const run = o.parts.includes("federate");
        const gz = run ? await alternate(fedUrls, o.federateRequests, true, true) : { direct: [], ziti: [] };
        const raw = run ? await alternate(fedUrls, o.federateRequests, true, false) : { direct: [], ziti: [] };
        const federate = { series, bytes: once.bytes, gzipBytes, ...gz, rawDirect: raw.direct, rawZiti: raw.ziti };
        if (!o.parts.includes("steady")) return { options: o, pageBytes, client, federate, scrapeDuration: {}, scrapeFailures: {}, usage: {}, loads, restarts, peakRssMiB, burstCores };

        // 3. Steady scrape load: one Prometheus scrapes both pages over Ziti only (the pod's case: what its sidecar
        // carries), another the same pages directly; both at once, so they share the machine's load.
        const iv = o.scrapeIntervalSec;
        fs.writeFileSync(path.join(dir, "ziti.yml"), YAML.stringify({ scrape_configs: [job("ziti-small", exporterProxy, "/small", iv), job("ziti-large", exporterProxy, "/large", iv)] }));
        fs.writeFileSync(path.join(dir, "direct.yml"), YAML.stringify({ scrape_configs: [job("direct-small", pagePort, "/small", iv), job("direct-large", pagePort, "/large", iv)] }));
        const promZiti = start("prometheus-ziti", prometheus, promArgs("ziti", zitiPort));
        const promDirect = start("prometheus-direct", prometheus, promArgs("direct", directPort));
        await waitFor("both scraping Prometheus servers scraping", async () =>
            (await promQuery(zitiPort, "up")).length >= 2 && (await promQuery(directPort, "up")).length >= 2, 60_000);
        log(`steady load: warm-up ${5 * iv} s, then ${o.steadySec} s measured`);
        await sleep(5 * iv * 1000);
        load("steady window start");
        const watched: Record<string, ChildProcess> = { ...tunnels, prometheusZiti: promZiti, prometheusDirect: promDirect };
        const first = Object.fromEntries(Object.entries(watched).map(([k, p]) => [k, procNow(p.pid!)]));
        const samples: Record<string, ReturnType<typeof procNow>[]> = Object.fromEntries(Object.keys(watched).map(k => [k, []]));
        const t0 = Date.now();
        while (Date.now() - t0 < o.steadySec * 1000) {
            for (const [k, p] of Object.entries(watched)) samples[k].push(procNow(p.pid!));
            await sleep(1000);
        }
        const secs = (Date.now() - t0) / 1000;
        load("steady window end");
        const usage: DataPathResult["usage"] = {};
        for (const [k, p] of Object.entries(watched)) {
            const now = procNow(p.pid!);
            const of = (f: (x: ReturnType<typeof procNow>) => number) => ({ median: median(samples[k].map(f)), max: Math.max(...samples[k].map(f)) });
            usage[k] = { pid: p.pid!, rssMiB: of(x => x.rssMiB), anonMiB: of(x => x.anonMiB), fileMiB: of(x => x.fileMiB).median, cpuCores: (now.ticks - first[k].ticks) / 100 / secs };
        }
        const window = `${Math.floor(secs)}s`;
        const scrapeDuration: Record<string, Samples> = {};
        const scrapeFailures: Record<string, number> = {};
        for (const [port, jobs] of [[zitiPort, ["ziti-small", "ziti-large"]], [directPort, ["direct-small", "direct-large"]]] as const) {
            for (const j of jobs) {
                const d = await promQuery(port, `scrape_duration_seconds{job="${j}"}[${window}]`);
                scrapeDuration[j] = (d[0]?.values ?? []).map((v: [number, string]) => Number(v[1]) * 1000);
                const u = await promQuery(port, `up{job="${j}"}[${window}]`);
                scrapeFailures[j] = (u[0]?.values ?? []).filter((v: [number, string]) => v[1] !== "1").length;
            }
        }
        clearInterval(peaks);
        return { options: o, pageBytes, client, federate, scrapeDuration, scrapeFailures, usage, loads, restarts, peakRssMiB, burstCores };
    } finally {
        stopAll();
        await sleep(500);
        await r?.close().catch(() => undefined);
        await ctl?.stop();
        if (!process.env.SA_KEEP) fs.rmSync(dir, { recursive: true, force: true });
        else log(`kept ${dir}`);
    }
}

if (require.main === module) {
    const [out, json] = process.argv.slice(2);
    measureDataPath({ ...DEFAULT_OPTIONS, ...(json ? JSON.parse(json) : {}) }).then(
        res => { fs.writeFileSync(out, JSON.stringify(res)); process.exit(0); },
        e => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
}
