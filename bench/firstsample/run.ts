// `npm run bench -- --first-sample`: time to first sample, as issue 24 defines it: from the start of `pulumi up` of a
// fresh dev stack (nodes Ready, nothing deployed) to central holding `up == 1` for every target of every cluster, with
// where the time goes. The world is tier flavor's (test/helpers/podsWorld.ts: three clusters with real nodes, the Ziti
// network the pods reach, the dev stack's workspace; started once for all runs); each run is `pulumi up` from empty,
// a poll of central every second until it holds every `up`, then the readings below, then `pulumi destroy`.
//
// Where the time goes, each on the run's own clock (ms after `pulumi up` started; all clocks are this machine's):
// - converge: `pulumi up` returns (the Kubernetes provider waits for the Deployments to be available);
// - pods: the first pod created and the last pod Ready (the API server's timestamps, whole seconds);
// - tunnelers: each sidecar identity's first API session on the controller (its login after enrollment: the provider
//   enrolls during the converge, the pod logs in when its sidecar starts), and each service's first terminator (the
//   hosting sidecar bound it);
// - first scrape: each cluster Prometheus' first sample `up{job="<c>.exporter"} == 1` (its scrape's timestamp);
// - first federation: central's first `up{job="<c>.federate"} == 1`;
// - central holds it all: the poll that first saw every `up` of central's own targets and of each cluster's
//   federated targets equal to 1 (poll every 1 s, each read a curl from central's pod namespace).
// The goal: converge + 2 scrape intervals (the stack's `scrapeInterval`, default 15s: config/schema.ts).
import * as os from "os";
import { keyDefault } from "../../config/schema";
import { SCRAPED_BY } from "../../flavors/upstream/prometheusConfig";
import { progressTo } from "../../test/e2e/harness";
import { CLUSTERS, FlavorPods, startPodsWorld, stopPodsWorld } from "../../test/helpers/podsWorld";
import { toolsEnv } from "../../scripts/lib/toolsEnv";
import { rest } from "../lib/controller";

export interface FirstSampleRun {
    /** 1-minute load average when `pulumi up` started, and when central held everything. */
    load: number;
    loadEnd: number;
    intervalMs: number;
    /** All below: ms after `pulumi up` started. */
    converge: number;
    reached: number;
    podFirstCreated: number;
    podLastReady: number;
    /** Each sidecar identity's first API session. */
    sessions: Record<string, number>;
    /** Each service's first terminator. */
    terminators: Record<string, number>;
    firstScrape: Record<string, number>;
    firstFederation: Record<string, number>;
}

const CLUSTER_NAMES = CLUSTERS.filter((c) => c !== "central");
/**
 * The `up` series central must hold at 1 (the upstream flavor's dev stack, federate collection: tier flavor's pods.spec
 * asserts the same five targets), as `job|cluster|scraped by`: its own targets (itself; per cluster the federation of
 * its Prometheus and the exporter scraped over Ziti, which carries `scraped_by`: flavors/upstream/prometheusConfig.ts),
 * and per cluster that cluster's own targets as federated (its Prometheus and its exporter, labelled `cluster`).
 */
const WANT = [
    "prometheus||",
    ...CLUSTER_NAMES.flatMap((c) => [`${c}.federate|${c}|`, `${c}.exporter|${c}|*`, `prometheus|${c}|`, `${c}.exporter|${c}|`]),
];

/** Puts what `scripts/tools.sh <what>` exports into process.env (the tier's tools, as scripts/test.sh evals them). */
function useTools(what: string): void {
    Object.assign(process.env, toolsEnv(what));
}

/** What central is missing now, or [] when it holds `up == 1` for every target of every cluster. */
function missing(series: any[]): string[] {
    const key = (m: any) => `${m.job}|${m.cluster ?? ""}|${m[SCRAPED_BY] ? "*" : ""}`;
    const up = new Map(series.map((s) => [key(s.metric), s.value[1]]));
    return WANT.filter((k) => up.get(k) !== "1");
}

/** The timestamp (ms) of the first sample equal to 1 of a range query's series, if any. */
function firstOne(result: any[]): number {
    const ts = result.flatMap((s) => (s.values as [number, string][]).filter(([, v]) => v === "1").map(([t]) => t * 1000));
    return ts.length ? Math.min(...ts) : NaN;
}

async function oneRun(w: FlavorPods, i: number, log: (m: string) => void): Promise<FirstSampleRun> {
    const intervalMs = parseDuration(keyDefault("scrapeInterval"));
    const load = os.loadavg()[0];
    log(`first sample run ${i}: pulumi up of the dev stack from empty (load ${load.toFixed(1)})`);
    const t0 = Date.now();
    await w.up();
    const converge = Date.now() - t0;
    log(`first sample run ${i}: converged in ${(converge / 1000).toFixed(1)} s; polling central`);
    let reached = NaN;
    let last: string[] = [];
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
        try {
            last = missing(await w.query("central", "up"));
        } catch (e) {
            last = [`(central not readable: ${(e as Error).message.split("\n")[0]})`];
        }
        if (!last.length) {
            reached = Date.now() - t0;
            break;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    const loadEnd = os.loadavg()[0];
    if (!Number.isFinite(reached)) throw new Error(`bench: central did not hold every up == 1 within 5 min of the converge; missing: ${last.join(", ")}`);
    log(`first sample run ${i}: central holds every up == 1 at ${(reached / 1000).toFixed(1)} s`);

    // Pods (the API servers' whole-second timestamps).
    const pods = (await Promise.all(CLUSTERS.map((c) => w.pods(c)))).flat();
    const created = pods.map((p) => Date.parse(p.metadata.creationTimestamp));
    const ready = pods.map((p) => Date.parse(p.status.conditions.find((x: any) => x.type === "Ready")?.lastTransitionTime));
    // The controller's view: first API session per non-admin identity, first terminator per service.
    const r = await rest(w.ctl);
    const sessions: Record<string, number> = {};
    const terminators: Record<string, number> = {};
    try {
        const ids = new Map((await r.list("identities")).map((x: any) => [x.id, x]));
        for (const s of await r.list("api-sessions")) {
            const who = ids.get(s.identityId ?? s.identity?.id);
            if (!who || who.isAdmin || who.typeId === "Router") continue;
            const at = Date.parse(s.createdAt) - t0;
            sessions[who.name] = Math.min(sessions[who.name] ?? Infinity, at);
        }
        for (const t of await r.list("terminators")) {
            const svc = t.service?.name ?? t.serviceId;
            const at = Date.parse(t.createdAt) - t0;
            terminators[svc] = Math.min(terminators[svc] ?? Infinity, at);
        }
    } finally {
        await r.close();
    }
    const range = async (c: string, q: string) => (await w.promApi(c, `/api/v1/query?query=${encodeURIComponent(`${q}[15m]`)}`)).data.result as any[];
    const firstScrape: Record<string, number> = {};
    const firstFederation: Record<string, number> = {};
    for (const c of CLUSTER_NAMES) {
        firstScrape[c] = firstOne(await range(c, `up{job="${c}.exporter"}`)) - t0;
        firstFederation[c] = firstOne(await range("central", `up{job="${c}.federate"}`)) - t0;
    }
    const run: FirstSampleRun = {
        load, loadEnd, intervalMs, converge, reached,
        podFirstCreated: Math.min(...created) - t0,
        podLastReady: Math.max(...ready) - t0,
        sessions, terminators, firstScrape, firstFederation,
    };
    log(`first sample run ${i}: ${JSON.stringify(run)}`);
    return run;
}

/** `15s`, `1m`, `1m30s` -> ms (the durations config/schema.ts accepts for scrapeInterval). */
export function parseDuration(d: string): number {
    const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
    let total = 0;
    for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * unit[m[2]];
    return total;
}

/**
 * Starts the world once (root; the tier's tools: control plane, nodes, workloads) and makes `runs` runs, each from
 * an empty stack: `pulumi destroy` after each.
 */
export async function runFirstSample(runs: number, log: (m: string) => void): Promise<FirstSampleRun[]> {
    if (process.getuid?.() !== 0) throw new Error("bench: time to first sample needs root (real nodes), as tier flavor does");
    for (const what of ["control-plane", "node", "workloads"]) useTools(what);
    process.env.SCRAPE_ANYWHERE_NODE_BIN = "1";
    progressTo(process.stderr); // stdout is the report's
    log(`first sample: starting three clusters with real nodes and the Ziti network (load ${os.loadavg()[0].toFixed(1)})`);
    const w = await startPodsWorld();
    const out: FirstSampleRun[] = [];
    let failed = false;
    try {
        for (let i = 1; i <= runs; i++) {
            out.push(await oneRun(w, i, log));
            log(`first sample run ${i}: pulumi destroy`);
            await w.pulumi(["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
        }
    } catch (e) {
        failed = true;
        throw e;
    } finally {
        await stopPodsWorld(w, failed);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------

function median(xs: number[]): number {
    const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
    if (!s.length) return NaN;
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "-");
const loads = (rs: FirstSampleRun[]) => {
    const l = rs.flatMap((r) => [r.load, r.loadEnd]);
    return `${Math.min(...l).toFixed(1)}-${Math.max(...l).toFixed(1)}`;
};

/** The report's rows: what, median, runs, goal / check, load. */
export function firstSampleRows(rs: FirstSampleRun[]): string[][] {
    if (!rs.length) return [];
    const m = (f: (r: FirstSampleRun) => number) => median(rs.map(f));
    const each = (f: (r: FirstSampleRun) => number) => rs.map((r) => sec(f(r))).join(", ");
    const goal = (r: FirstSampleRun) => r.converge + 2 * r.intervalMs;
    const reached = m((r) => r.reached);
    const goalMs = m(goal);
    const pass = rs.filter((r) => r.reached <= goal(r)).length;
    const range = (rec: (r: FirstSampleRun) => Record<string, number>) => {
        const lo = m((r) => Math.min(...Object.values(rec(r))));
        const hi = m((r) => Math.max(...Object.values(rec(r))));
        return `${sec(lo)} .. ${sec(hi)}`;
    };
    const per = (rec: (r: FirstSampleRun) => Record<string, number>, keys: string[]) => keys.map((k) => `${k} ${sec(m((r) => rec(r)[k]))}`).join(" / ");
    const L = loads(rs);
    return [
        ["time to first sample: `pulumi up` start (fresh stack, nodes Ready) -> central holds up == 1 for every target of every cluster", sec(reached), each((r) => r.reached),
            `<= converge + 2 scrape intervals (${sec(goalMs)}, interval ${sec(rs[0].intervalMs)}): ${reached <= goalMs ? "PASS" : "FAIL"} (${pass} of ${rs.length} runs)`, L],
        ["  where the time goes: converge (`pulumi up` returns; it waits for the Deployments)", sec(m((r) => r.converge)), each((r) => r.converge), "", L],
        ["  pods: first created / last Ready (API server, whole seconds)", `${sec(m((r) => r.podFirstCreated))} / ${sec(m((r) => r.podLastReady))}`, each((r) => r.podLastReady), "", L],
        [`  tunnelers: first API session of each sidecar identity, first .. last (${Object.keys(rs[0].sessions).length} identities)`, range((r) => r.sessions), "", Object.keys(rs[0].sessions).sort().join(", "), L],
        [`  hosting: first terminator of each service, first .. last (${Object.keys(rs[0].terminators).length} services)`, range((r) => r.terminators), "", "", L],
        ["  first scrape: each cluster Prometheus' first up{job=\"<c>.exporter\"} == 1", per((r) => r.firstScrape, CLUSTER_NAMES), each((r) => Math.max(...Object.values(r.firstScrape))), "", L],
        ["  first federation: central's first up{job=\"<c>.federate\"} == 1", per((r) => r.firstFederation, CLUSTER_NAMES), each((r) => Math.max(...Object.values(r.firstFederation))), "", L],
        ["  after the converge: central holds everything (poll every 1 s)", sec(m((r) => r.reached - r.converge)), each((r) => r.reached - r.converge), "", L],
    ];
}
