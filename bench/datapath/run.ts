// Section 6 of `npm run bench` (`npm run bench -- --data-path`): runs bench/datapath/inNamespace.ts in a network
// namespace of its own once per run (`unshare --net`, only `lo` up; needs root, as tier upstream does), and turns
// the runs into the report's rows: medians over runs of each run's p50 / p99, with the goals of issue 24.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DataPathOptions, DataPathResult, Samples } from "./inNamespace";

const REPO = path.resolve(__dirname, "..", "..");

/** One run in a fresh namespace; rejects with the child's last lines when it fails. */
function runOnce(options: Partial<DataPathOptions>, log: (m: string) => void): Promise<DataPathResult> {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sa-datapath-out-")), "result.json");
    return new Promise((resolve, reject) => {
        const child = spawn("unshare", ["--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
            process.execPath, "-r", "ts-node/register/transpile-only", path.join(__dirname, "inNamespace.ts"), out, JSON.stringify(options)],
        { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
        let tail = "";
        child.stderr!.on("data", (b: Buffer) => {
            const t = b.toString();
            tail = (tail + t).slice(-4000);
            for (const line of t.split("\n")) if (line.startsWith("[data-path")) log(line.replace(/^\[data-path [0-9:]+\] /, "data path: "));
        });
        // The child ends its own processes on SIGTERM (inNamespace.ts): pass ours on.
        const stop = () => child.kill("SIGTERM");
        process.once("SIGINT", stop);
        child.on("close", code => {
            process.removeListener("SIGINT", stop);
            if (code !== 0) return reject(new Error(`bench: the data path run exited with ${code}\n${tail}`));
            const res = JSON.parse(fs.readFileSync(out, "utf8")) as DataPathResult;
            fs.rmSync(path.dirname(out), { recursive: true, force: true });
            resolve(res);
        });
    });
}

export async function runDataPath(runs: number, options: Partial<DataPathOptions>, log: (m: string) => void): Promise<DataPathResult[]> {
    if (process.getuid?.() !== 0) throw new Error("bench: the data path needs root (unshare --net), as tier upstream does");
    const out: DataPathResult[] = [];
    for (let i = 0; i < runs; i++) {
        log(`data path run ${i + 1}/${runs} (load ${os.loadavg()[0].toFixed(1)})`);
        out.push(await runOnce(options, log));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------

function pct(xs: Samples, p: number): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
}
function median(xs: number[]): number {
    const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
    if (!s.length) return NaN;
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(x < 100 ? 1 : 0)} ms` : "-");
const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : "-");
const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.round(b / 1e3)} KB`);

/** The rows of section 6: [what, median, runs, goal / check, load]. */
export function dataPathRows(rs: DataPathResult[]): string[][] {
    if (!rs.length) return [];
    const rows: string[][] = [];
    const loads = rs.flatMap(r => r.loads.map(l => Number(/load ([0-9.]+)/.exec(l)?.[1])));
    const loadRange = `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`;
    const o = rs[0].options;
    const b = rs[0].pageBytes;
    /** Median over runs of a per-run percentile. */
    const m = (f: (r: DataPathResult) => Samples, p: number) => median(rs.map(r => pct(f(r), p)));
    const pair = (label: string, f: (r: DataPathResult) => { direct: Samples; ziti: Samples }, goal = "") => {
        const d50 = m(r => f(r).direct, 0.5), z50 = m(r => f(r).ziti, 0.5);
        rows.push([label, `direct ${ms(d50)} / Ziti ${ms(z50)} = ${x(z50, d50)}`,
            `p99 direct ${ms(m(r => f(r).direct, 0.99))} / Ziti ${ms(m(r => f(r).ziti, 0.99))}`, goal ? `${goal}: ${z50 <= 1.5 * d50 ? "PASS" : "FAIL"}` : "", loadRange]);
        return { d50, z50 };
    };
    const n = `${rs.length} run(s)`;
    pair(`client GET small page (${kb(b.small)}), kept-alive connection, p50 (${o.smallRequests} per path, ${n})`, r => r.client.smallKeepAlive);
    const nc = pair(`client GET small page, a new TCP connection per request, p50`, r => r.client.smallNewConnection);
    const ka = m(r => r.client.smallKeepAlive.ziti, 0.5);
    rows.push(["fixed cost of a new connection over Ziti (new-connection p50 over Ziti - kept-alive p50 over Ziti - direct's own connect cost)",
        ms(nc.z50 - ka - (nc.d50 - m(r => r.client.smallKeepAlive.direct, 0.5))), "", "one circuit per TCP connection: dial request to the router, the controller routes it, the hosting sidecar connects to 127.0.0.1; Prometheus keeps its scrape connection, so it pays this once", loadRange]);
    pair(`client GET large page (${kb(b.large)}), uncompressed, kept-alive, p50 (${o.largeRequests} per path)`, r => r.client.largeKeepAlive);
    pair(`client GET large page gzip-compressed (${kb(b.largeGzip)}, as Prometheus asks and node_exporter answers), kept-alive, p50`, r => r.client.largeKeepAliveGzip);
    const steady = rs.filter(r => Object.keys(r.scrapeDuration).length);
    if (steady.length) {
        const sd = (job: string) => (r: DataPathResult) => r.scrapeDuration[job] ?? [];
        const count = steady[0].scrapeDuration["ziti-large"]?.length ?? 0;
        pair(`Prometheus scrape_duration_seconds, small page, p50 (every ${o.scrapeIntervalSec} s for ${o.steadySec} s: ~${count} scrapes per job per run)`,
            r => ({ direct: sd("direct-small")(r), ziti: sd("ziti-small")(r) }));
        pair(`Prometheus scrape_duration_seconds, large page (Prometheus defaults: gzip), p50`, r => ({ direct: sd("direct-large")(r), ziti: sd("ziti-large")(r) }), "<= 1.5x at p50");
        const failures = steady.reduce((a, r) => a + Object.values(r.scrapeFailures).reduce((p, q) => p + q, 0), 0);
        rows.push(["failed scrapes (up == 0) in the windows", String(failures), "", failures ? "FAIL" : "PASS", loadRange]);
    }
    const fed = rs[0].federate;
    if (rs.some(r => r.federate.direct.length)) {
        const rate = (f: (r: DataPathResult) => Samples) => median(rs.map(r => r.federate.series / (pct(f(r), 0.5) / 1000)));
        const d = rate(r => r.federate.direct), z = rate(r => r.federate.ziti);
        rows.push([`/federate of ${fed.series} series as central reads it (gzip, ${kb(fed.gzipBytes)}): series/s, p50 of ${o.federateRequests} per path`,
            `direct ${Math.round(d)} / Ziti ${Math.round(z)} = ${x(d, z)} the time`, "", `<= 1.5x: ${d <= 1.5 * z ? "PASS" : "FAIL"}`, loadRange]);
        const dr = rate(r => r.federate.rawDirect), zr = rate(r => r.federate.rawZiti);
        rows.push([`/federate uncompressed (${kb(fed.bytes)}): series/s`, `direct ${Math.round(dr)} / Ziti ${Math.round(zr)} = ${x(dr, zr)} the time`, "", "", loadRange]);
    }
    if (steady.length) {
        const u = (k: string, f: (p: DataPathResult["usage"][string]) => number) => median(steady.map(r => f(r.usage[k])));
        const side = u("prometheusTunnel", p => p.rssMiB.median), prom = u("prometheusZiti", p => p.rssMiB.median);
        rows.push(["steady scrape load: the Prometheus pod's sidecar (dials the exporter, hosts /federate) beside that Prometheus: RSS (anonymous + binary's file pages), CPU",
            `sidecar ${side.toFixed(0)} MiB (${u("prometheusTunnel", p => p.anonMiB.median).toFixed(0)} + ${u("prometheusTunnel", p => p.fileMiB).toFixed(0)}), ${(1000 * u("prometheusTunnel", p => p.cpuCores)).toFixed(1)} mCPU; ` +
            `Prometheus ${prom.toFixed(0)} MiB (${u("prometheusZiti", p => p.anonMiB.median).toFixed(0)} + ${u("prometheusZiti", p => p.fileMiB).toFixed(0)}), ${(1000 * u("prometheusZiti", p => p.cpuCores)).toFixed(1)} mCPU`,
            `RSS ${(100 * side / prom).toFixed(0)} %, anonymous ${(100 * u("prometheusTunnel", p => p.anonMiB.median) / u("prometheusZiti", p => p.anonMiB.median)).toFixed(0)} %`,
            `sidecar < 25 % of Prometheus RSS: ${side < 0.25 * prom ? "PASS" : "FAIL"}`, loadRange]);
        rows.push(["steady scrape load: the exporter pod's sidecar (hosts the pages): RSS (anonymous), peak RSS, CPU",
            `${u("exporterTunnel", p => p.rssMiB.median).toFixed(0)} MiB (${u("exporterTunnel", p => p.anonMiB.median).toFixed(0)}), peak ${u("exporterTunnel", p => p.rssMiB.max).toFixed(0)} MiB, ${(1000 * u("exporterTunnel", p => p.cpuCores)).toFixed(1)} mCPU`, "", "", loadRange]);
    }
    if (rs[0].peakRssMiB && Object.keys(rs[0].burstCores ?? {}).length) {
        const pk = (k: string) => median(rs.map(r => r.peakRssMiB[k]));
        const bc = (k: string) => median(rs.map(r => r.burstCores[k]));
        rows.push(["sidecars at their busiest: peak RSS over the whole run (5 MB pages, 15 MB federation), CPU while a client pulls the 5.2 MB page back to back",
            `peak RSS: Prometheus pod's ${pk("prometheusTunnel").toFixed(0)} MiB, exporter pod's ${pk("exporterTunnel").toFixed(0)} MiB, central's ${pk("centralTunnel").toFixed(0)} MiB; ` +
            `burst CPU: ${(1000 * bc("prometheusTunnel")).toFixed(0)} / ${(1000 * bc("exporterTunnel")).toFixed(0)} mCPU`, "", "the sidecar's requests/limits (flavors/upstream/workloads/zitiTunnel.ts) are set from these", loadRange]);
    }
    const restarts = rs.reduce((a, r) => a + r.restarts, 0);
    rows.push(["sidecar restarts needed before the first dial succeeded", String(restarts), "", restarts ? "see bench/RESULTS.md (fresh sidecars whose dials time out)" : "", ""]);
    return rows;
}
