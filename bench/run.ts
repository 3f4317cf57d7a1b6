// `npm run bench [-- options]`: converge cost of the Ziti topology against the hand-run CLI, no-op cost, scale to
// many clusters in one stack, and the controller's latency floor, on this machine against a local quickstart
// controller started here. See bench/README.md. Options (also as environment variables):
//   --quick              1 run each, scale 10 only, 5 floor repetitions (BENCH_QUICK=1)
//   --runs N             samples of converge / no-op / baseline (BENCH_RUNS, default 3)
//   --scales A,B         cluster counts of the scale section (BENCH_SCALES, default 10,100)
//   --scale-runs N       samples per scale (BENCH_SCALE_RUNS, default 1)
//   --floor-reps N       repetitions of each floor request (BENCH_FLOOR_REPS, default 20)
//   --only LIST          sections: floor,baseline,seed,scale (BENCH_ONLY, default all)
//   --json FILE          also write every raw figure as JSON (BENCH_JSON)
//   --scale-checkpoints  MODE: "on" (engine default), "off" (PULUMI_SKIP_CHECKPOINTS=true), or "both"
//                        (BENCH_SCALE_CHECKPOINTS, default both; see bench/README.md)
//   --checkpoint-max N   largest scale run with engine checkpoints on (BENCH_CHECKPOINT_MAX, default 10): the file
//                        backend rewrites the whole checkpoint after every step, so that run grows quadratically
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startZitiQuickstart, ZitiQuickstart } from "../scripts/lib/zitiQuickstart";
import { created, Floor, measureFloor, reset, rest, Rest, snapshot, Snapshot } from "./lib/controller";
import { BenchProject, Measured, REPO, seedConfig, toolsEnv } from "./lib/pulumi";

interface Options {
    quick: boolean;
    runs: number;
    scales: number[];
    scaleRuns: number;
    floorReps: number;
    only: Set<string>;
    json?: string;
    /** Engine checkpoint modes of the scale section: true = checkpoints skipped. */
    scaleSkip: boolean[];
    /** Largest scale run with checkpoints on. */
    checkpointMax: number;
}

function options(argv: string[]): Options {
    const flag = (name: string, envName: string): string | undefined => {
        const i = argv.indexOf(name);
        if (i >= 0) return argv[i + 1];
        return process.env[envName] || undefined;
    };
    const quick = argv.includes("--quick") || ["1", "true"].includes(process.env.BENCH_QUICK ?? "");
    const int = (v: string | undefined, d: number, what: string) => {
        if (v === undefined) return d;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error(`bench: ${what} must be a whole number >= 1, got ${v}`);
        return n;
    };
    const known = new Set(["--quick", "--runs", "--scales", "--scale-runs", "--floor-reps", "--only", "--json", "--scale-checkpoints", "--checkpoint-max"]);
    for (let i = 0; i < argv.length; i++) {
        if (!known.has(argv[i])) throw new Error(`bench: unknown option ${argv[i]} (see the top of bench/run.ts or bench/README.md)`);
        if (argv[i] !== "--quick") i++;
    }
    const scales = (flag("--scales", "BENCH_SCALES") ?? (quick ? "10" : "10,100")).split(",").map((s) => int(s.trim(), 0, "--scales"));
    const only = new Set((flag("--only", "BENCH_ONLY") ?? "floor,baseline,seed,scale").split(",").map((s) => s.trim()));
    for (const s of only) if (!["floor", "baseline", "seed", "scale"].includes(s)) throw new Error(`bench: unknown section ${s} in --only`);
    return {
        quick,
        runs: int(flag("--runs", "BENCH_RUNS"), quick ? 1 : 5, "--runs"),
        scales,
        scaleRuns: int(flag("--scale-runs", "BENCH_SCALE_RUNS"), 1, "--scale-runs"),
        floorReps: int(flag("--floor-reps", "BENCH_FLOOR_REPS"), quick ? 5 : 20, "--floor-reps"),
        only,
        json: flag("--json", "BENCH_JSON"),
        scaleSkip: (() => {
            const m = flag("--scale-checkpoints", "BENCH_SCALE_CHECKPOINTS") ?? "both";
            if (m === "on") return [false];
            if (m === "off") return [true];
            if (m === "both") return [false, true];
            throw new Error(`bench: --scale-checkpoints must be on, off or both, got ${m}`);
        })(),
        checkpointMax: int(flag("--checkpoint-max", "BENCH_CHECKPOINT_MAX"), 10, "--checkpoint-max"),
    };
}

const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function median(xs: number[]): number {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (!s.length) return NaN;
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) + " s" : "-");
const mib = (m: number) => (Number.isFinite(m) && m > 0 ? `${Math.round(m)} MiB` : "-");

function loadNow(): string {
    const [l1, l5] = os.loadavg();
    return `load ${l1.toFixed(1)}/${l5.toFixed(1)} (1/5 min)`;
}

function memAvailableMiB(): number {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/meminfo", "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
}

function ensureOk(m: Measured): Measured {
    if (m.code !== 0) throw new Error(`bench: \`${m.command}\` exited with ${m.code}\n${m.tail}`);
    return m;
}

async function countEntities(r: Rest, base: Snapshot): Promise<number> {
    return Object.values(await created(r, base)).reduce((n, l) => n + l.length, 0);
}

// ---------------------------------------------------------------------------------------------------------------

interface BaselineRun { wallMs: number; entities: number; calls: number }

function runBaseline(ctl: ZitiQuickstart, tools: Record<string, string>, seed: Record<string, any>): Promise<BaselineRun> {
    const clusters = (seed.clusters ?? []).map((c: any) => `${c.name}:${c.kind ?? "hybrid"}`).join(" ");
    const central = seed.central?.name ?? "central";
    const clients = (seed.clientIdentities ?? []).join(" ");
    const env: Record<string, string> = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ZITI_")) as [string, string][]),
        PATH: tools.PATH,
        ZITI_API_HOST: ctl.controllerUrl,
        ZITI_USERNAME: ctl.username,
        ZITI_PASSWORD: ctl.password,
        ZITI_CA_BUNDLE: ctl.caBundlePath,
        ZITI_BIN: ctl.zitiBin,
    };
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        execFile("bash", [path.join(REPO, "bench", "baseline-cli.sh"), "--clusters", clusters, "--central", central, "--clients", clients],
            { env, cwd: REPO, maxBuffer: 10 << 20 }, (err, stdout, stderr) => {
                const wallMs = performance.now() - t0;
                if (err) return reject(new Error(`bench: baseline-cli.sh failed: ${stderr || err.message}`));
                const m = /baseline: (\d+) ziti calls, (\d+) entities/.exec(stdout);
                resolve({ wallMs, calls: m ? Number(m[1]) : NaN, entities: m ? Number(m[2]) : NaN });
            });
    });
}

interface SeedRun {
    up: Measured;
    noop: Measured;
    entities: number;
    state: ReturnType<BenchProject["stateSize"]>;
}

interface ScaleRun {
    clusters: number;
    /** PULUMI_SKIP_CHECKPOINTS=true for this run. */
    skipCheckpoints: boolean;
    preview: Measured;
    up: Measured;
    entities: number;
    state: ReturnType<BenchProject["stateSize"]>;
}

async function main(): Promise<void> {
    const opts = options(process.argv.slice(2));
    const started = new Date();
    log(`${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${loadNow()}; options ${JSON.stringify({ ...opts, only: [...opts.only] })}`);
    const tools = toolsEnv();
    process.env.PATH = tools.PATH;
    // Wait for the router: it registers its own identity and policies, which the snapshot must hold.
    const ctl = await startZitiQuickstart({ waitForRouter: true });
    const r = await rest(ctl);
    const base = await snapshot(r);
    const seed = seedConfig();
    const results: {
        floor?: Floor; baseline: BaselineRun[]; seed: SeedRun[]; scale: ScaleRun[]; skipped: string[]; loads: string[];
    } = { baseline: [], seed: [], scale: [], skipped: [], loads: [] };
    const cleanup = async () => {
        await r.close().catch(() => undefined);
        await ctl.stop();
    };
    process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));
    try {
        if (opts.only.has("floor")) {
            log(`floor: ${opts.floorReps} repetitions of each request`);
            results.floor = await measureFloor(r, ctl, opts.floorReps);
        }
        if (opts.only.has("baseline")) {
            for (let i = 0; i < opts.runs; i++) {
                log(`baseline-cli.sh run ${i + 1}/${opts.runs} (${loadNow()})`);
                const b = await runBaseline(ctl, tools, seed);
                b.entities = await countEntities(r, base);
                results.baseline.push(b);
                results.loads.push(`baseline ${i + 1}: ${loadNow()}`);
                await reset(r, base);
            }
        }
        if (opts.only.has("seed")) {
            for (let i = 0; i < opts.runs; i++) {
                const p = new BenchProject(tools, "dev", seed, ctl);
                try {
                    log(`seed run ${i + 1}/${opts.runs}: pulumi up from empty (${loadNow()})`);
                    const up = ensureOk(await p.run(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]));
                    const entities = await countEntities(r, base);
                    log(`seed run ${i + 1}/${opts.runs}: no-op pulumi up`);
                    const noop = ensureOk(await p.run(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]));
                    results.seed.push({ up, noop, entities, state: p.stateSize() });
                    results.loads.push(`seed ${i + 1}: ${loadNow()}`);
                } finally {
                    p.dispose();
                    await reset(r, base);
                }
            }
        }
        if (opts.only.has("scale")) {
            let k8sPeakMiB = 0;
            for (const skip of opts.scaleSkip) {
                for (const n of opts.scales) {
                    if (!skip && n > opts.checkpointMax) {
                        const why = `scale ${n} with engine checkpoints on: not run (above --checkpoint-max ${opts.checkpointMax}; it grows quadratically, see bench/RESULTS.md)`;
                        log(why);
                        results.skipped.push(why);
                        continue;
                    }
                    for (let i = 0; i < opts.scaleRuns; i++) {
                        // One Kubernetes plugin process per cluster (one explicit provider each): refuse a run the memory
                        // of this machine cannot hold, and say so, rather than push the machine into the OOM killer.
                        // Private memory counts (the plugins share their 300 MB binary's pages).
                        const need = (k8sPeakMiB || 60) * (n + 1) + 2000;
                        const avail = memAvailableMiB();
                        if (need > avail) {
                            const why = `scale ${n}: skipped, needs about ${Math.round(need)} MiB (${n + 1} Kubernetes plugins of ~${Math.round(k8sPeakMiB || 60)} MiB private + 2 GiB), ${Math.round(avail)} MiB available`;
                            log(why);
                            results.skipped.push(why);
                            break;
                        }
                        const p = new BenchProject(tools, `scale${n}`, {
                            role: "dev", clusterCount: n, central: { name: "central", placement: "kubernetes" },
                        }, ctl, skip ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {});
                        const tag = `scale ${n}${skip ? " (checkpoints skipped)" : ""} run ${i + 1}/${opts.scaleRuns}`;
                        try {
                            log(`${tag}: preview (${loadNow()})`);
                            const preview = ensureOk(await p.run(["preview", "--non-interactive", "--color", "never"]));
                            log(`${tag}: up`);
                            const up = ensureOk(await p.run(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]));
                            k8sPeakMiB = Math.max(k8sPeakMiB, up.peaks.maxAnonMiB.kubernetes);
                            results.scale.push({ clusters: n, skipCheckpoints: skip, preview, up, entities: await countEntities(r, base), state: p.stateSize() });
                            results.loads.push(`${tag}: ${loadNow()}`);
                        } finally {
                            p.dispose();
                            await reset(r, base);
                        }
                    }
                }
            }
        }
    } finally {
        await cleanup();
    }
    const finished = new Date();
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ started, finished, cores: os.cpus().length, opts: { ...opts, only: [...opts.only] }, results }, null, 1));
    process.stdout.write(report(opts, results, started, finished));
}

// ---------------------------------------------------------------------------------------------------------------

function report(opts: Options, res: any, started: Date, finished: Date): string {
    const lines: string[] = [];
    const row = (cells: string[]) => lines.push(`| ${cells.join(" | ")} |`);
    const head = (cells: string[]) => {
        row(cells);
        row(cells.map(() => "---"));
    };
    lines.push(`# scrape-anywhere bench: ${started.toISOString()} .. ${finished.toISOString()}`);
    lines.push(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; medians of ${opts.runs} run(s), scale ${opts.scaleRuns} run(s) each; ${loadNow()} at the end`);
    lines.push("");
    const floor: Floor | undefined = res.floor;
    const seed: SeedRun[] = res.seed;
    const base: BaselineRun[] = res.baseline;

    const upMs = median(seed.map((s) => s.up.wallMs));
    const baseMs = median(base.map((b) => b.wallMs));
    lines.push("## 1. Converge from empty: seed topology (dev stack: kubeA hybrid, kubeB dark, central, dev.client)");
    head(["what", "median", "runs", "notes"]);
    if (base.length) row(["baseline-cli.sh (ziti login + 1 CLI call per entity, enrolls)", sec(baseMs), base.map((b) => sec(b.wallMs)).join(", "), `${base[0].calls} ziti calls, ${base[0].entities} entities`]);
    if (seed.length) {
        row(["`pulumi up` from empty", sec(upMs), seed.map((s) => sec(s.up.wallMs)).join(", "), `${seed[0].entities} Ziti entities, ${seed[0].state.resources} resources`]);
        if (base.length) row(["ratio up / baseline", (upMs / baseMs).toFixed(2) + "x", "", ""]);
        const q = seed[0].up.requests;
        row(["provider requests (auth / read / write = total)", `${median(seed.map((s) => s.up.requests.auth))} / ${median(seed.map((s) => s.up.requests.read))} / ${median(seed.map((s) => s.up.requests.write))} = ${median(seed.map((s) => s.up.requests.total))}`, "", `${q.processes} provider process(es), ${q.connections} TLS connection(s), ${q.retries} retries, ${(q.total / seed[0].entities).toFixed(1)} requests/entity`]);
        row(["peak RSS engine / program / Ziti provider / k8s plugin (each, count)", `${mib(median(seed.map((s) => s.up.peaks.maxEachMiB.engine)))} / ${mib(median(seed.map((s) => s.up.peaks.maxEachMiB.program)))} / ${mib(median(seed.map((s) => s.up.peaks.maxEachMiB.zitiProvider)))} / ${mib(median(seed.map((s) => s.up.peaks.maxEachMiB.kubernetes)))} x${seed[0].up.peaks.count.kubernetes}`, "", `whole tree ${mib(median(seed.map((s) => s.up.peaks.treeMiB)))}`]);
        row(["checkpoint size (of it: serialized providers)", `${(seed[0].state.checkpointBytes / 1e6).toFixed(2)} MB (${(seed[0].state.providerBytes / 1e6).toFixed(2)} MB)`, "", `${seed[0].state.zitiResources} Ziti resources`]);
        const at = (f: (s: SeedRun) => number) => sec(median(seed.map(f)));
        row(["timeline: program started / Ziti provider started / first request / last request / done",
            `${at((s) => s.up.peaks.firstSeenMs.program ?? NaN)} / ${at((s) => s.up.peaks.firstSeenMs.zitiProvider ?? NaN)} / ` +
            `${at((s) => s.up.requests.firstAt - s.up.startedAt)} / ${at((s) => s.up.requests.lastAt - s.up.startedAt)} / ${sec(upMs)}`,
            "", "processes sampled every 100 ms"]);
        row(["CPU engine / program / Ziti provider / k8s plugins",
            ["engine", "program", "zitiProvider", "kubernetes"].map((c) => `${median(seed.map((s) => (s.up.peaks.cpuSec as any)[c])).toFixed(1)} s`).join(" / "),
            "", `HTTP time summed ${sec(median(seed.map((s) => s.up.requests.httpMs)))} over ${sec(median(seed.map((s) => s.up.requests.requestSpanMs)))}`]);
        row(["auths per provider process (max)", String(Math.max(...seed.map((s) => s.up.requests.maxAuthPerProcess))), "", `${(seed[0].state.providerBytes / (2 * seed[0].state.zitiResources) / 1000).toFixed(1)} kB serialized provider per Ziti resource (inputs and outputs each)`]);
    }
    lines.push("");
    if (seed.length) {
        lines.push("## 2. No-op `pulumi up` (unchanged stack)");
        head(["what", "median", "runs", "check"]);
        const n = seed.map((s) => s.noop);
        const writes = Math.max(...n.map((m) => m.requests.write));
        const auths = Math.max(...n.map((m) => m.requests.maxAuthPerProcess));
        row(["wall time", sec(median(n.map((m) => m.wallMs))), n.map((m) => sec(m.wallMs)).join(", "), ""]);
        row(["CPU engine / program / Ziti provider / k8s plugins",
            ["engine", "program", "zitiProvider", "kubernetes"].map((c) => `${median(n.map((m) => (m.peaks.cpuSec as any)[c])).toFixed(1)} s`).join(" / "), "", ""]);
        row(["requests auth / read / write", `${median(n.map((m) => m.requests.auth))} / ${median(n.map((m) => m.requests.read))} / ${median(n.map((m) => m.requests.write))}`, "", `writes = 0: ${writes === 0 ? "PASS" : `FAIL (${writes})`}`]);
        row(["auths per provider process (max)", String(auths), `${n[0].requests.processes} process(es)`, `<= 1: ${auths <= 1 ? "PASS" : "FAIL"}`]);
        lines.push("");
    }
    const scale: ScaleRun[] = res.scale;
    const checks: string[] = [];
    if (scale.length || res.skipped.length) {
        lines.push("## 3. Scale: generated clusters (alternating hybrid/dark) + central in one stack");
        head(["clusters", "Ziti entities", "preview", "up", "up per entity", "requests/entity", "engine CPU", "peak RSS engine", "Ziti provider", "k8s plugins (each x count, private)", "tree (private)", "checkpoint"]);
        for (const skip of [false, true]) {
            const mine = scale.filter((x) => x.skipCheckpoints === skip);
            if (!mine.length) continue;
            const by = new Map<number, ScaleRun[]>();
            for (const s of mine) by.set(s.clusters, [...(by.get(s.clusters) ?? []), s]);
            const perEntity = new Map<number, number>();
            for (const [n, runs] of by) {
                const e = runs[0].entities;
                const up = median(runs.map((x) => x.up.wallMs));
                perEntity.set(n, up / e);
                row([
                    `${n}${skip ? " (no checkpoints)" : ""}`, String(e), sec(median(runs.map((x) => x.preview.wallMs))), sec(up), `${(up / e).toFixed(0)} ms`,
                    (median(runs.map((x) => x.up.requests.total)) / e).toFixed(2),
                    sec(1000 * median(runs.map((x) => x.up.peaks.cpuSec.engine))),
                    mib(median(runs.map((x) => x.up.peaks.maxEachMiB.engine))), mib(median(runs.map((x) => x.up.peaks.maxEachMiB.zitiProvider))),
                    `${mib(median(runs.map((x) => x.up.peaks.maxEachMiB.kubernetes)))} x${runs[0].up.peaks.count.kubernetes} (${mib(median(runs.map((x) => x.up.peaks.maxAnonMiB.kubernetes)))})`,
                    `${mib(median(runs.map((x) => x.up.peaks.treeMiB)))} (${mib(median(runs.map((x) => x.up.peaks.treeAnonMiB)))})`, `${(runs[0].state.checkpointBytes / 1e6).toFixed(1)} MB`,
                ]);
            }
            const ns = [...perEntity.keys()].sort((a, b) => a - b);
            const mode = skip ? "engine checkpoints skipped (PULUMI_SKIP_CHECKPOINTS=true)" : "engine defaults (checkpoint after every step)";
            if (ns.length >= 2) {
                const lo = perEntity.get(ns[0])!;
                const hi = perEntity.get(ns[ns.length - 1])!;
                checks.push(`cost per entity at ${ns[ns.length - 1]} / at ${ns[0]}, ${mode}: ${(hi / lo).toFixed(2)}x (limit 1.3x): ${hi <= 1.3 * lo ? "PASS" : "FAIL"}`);
            } else {
                checks.push(`cost per entity check (<= 1.3x), ${mode}: NOT RUN (needs two scales, ran ${ns.join(", ") || "none"})`);
            }
        }
        for (const s of res.skipped) lines.push(`\n${s}`);
        lines.push("");
        for (const c of checks) lines.push(c, "");
    }
    if (floor) {
        lines.push("## 4. The floor: direct HTTP (undici keep-alive, one session), medians");
        head(["request", "round trip"]);
        row(["authenticate (password)", `${floor.authMs.toFixed(1)} ms`]);
        row(["GET one entity", `${floor.getMs.toFixed(1)} ms`]);
        row(["POST identity / config", `${floor.createIdentityMs.toFixed(1)} ms / ${floor.createConfigMs.toFixed(1)} ms`]);
        row(["POST service", `${floor.createServiceMs.toFixed(1)} ms`]);
        row(["POST service policy", `${floor.createPolicyMs.toFixed(1)} ms`]);
        row(["floor = max(identity, config) + service + policy", `${floor.floorMs.toFixed(1)} ms`]);
        if (seed.length) row(["`pulumi up` from empty / floor", `${(upMs / floor.floorMs).toFixed(0)}x`]);
        lines.push("");
    }
    lines.push("Loads during the runs: " + res.loads.join("; "));
    return lines.join("\n") + "\n";
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
});
