// `npm run bench [-- options]`: converge cost of the Ziti topology against the hand-run CLI (one call per entity),
// `ziti ops import` (one call for all; both written from the program's plan), the engine's floor (an empty program)
// and the converge floor (the seed's graph over a no-op provider), no-op cost, the upstream flavor's data path, scale to many clusters
// in one stack and as one stack per cluster plus a central stack over StackReferences, and the controller's latency
// floor, on this machine against a local quickstart controller started here. See bench/README.md. Options (also as
// environment variables):
//   --quick              1 run each, scale 10 only, no stacks section, 5 floor repetitions (BENCH_QUICK=1)
//   --runs N             samples of converge / no-op / baselines / empty program (BENCH_RUNS, default 5)
//   --scales A,B         cluster counts of the one-stack scale section (BENCH_SCALES, default 10,100)
//   --scale-runs N       samples per scale (BENCH_SCALE_RUNS, default 1)
//   --scale-stacks A,B   one stack per cluster: make max(A,B) cluster stacks one after the other, and at each count
//                        a central stack over that many StackReferences (BENCH_SCALE_STACKS, default 10)
//   --floor-reps N       repetitions of each floor request (BENCH_FLOOR_REPS, default 20)
//   --only LIST          sections: floor,baseline,import,empty,seed,scale,stacks (BENCH_ONLY, default all)
//   --json FILE          also write every raw figure as JSON (BENCH_JSON)
//   --scale-checkpoints  MODE: "on" (engine default), "off" (PULUMI_SKIP_CHECKPOINTS=true), or "both"
//                        (BENCH_SCALE_CHECKPOINTS, default both; see bench/README.md)
//   --checkpoint-max N   largest scale run with engine checkpoints on (BENCH_CHECKPOINT_MAX, default 10): the file
//                        backend rewrites the whole checkpoint after every step, so that run grows quadratically
//   --data-path          only section 6, the upstream flavor's data path in network namespaces (BENCH_DATA_PATH=1;
//                        root; in the default sections when run as root)
//   --data-path-runs N   data path runs, each with its own namespace and controller (BENCH_DATA_PATH_RUNS, default 3)
//   --first-sample       only section 7, time to first sample in pods on real nodes (BENCH_FIRST_SAMPLE=1; root; in
//                        the default sections when run as root)
//   --first-sample-runs N  runs of section 7, each `pulumi up` of a fresh stack (BENCH_FIRST_SAMPLE_RUNS, default 3)
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startZitiQuickstart, ZitiQuickstart } from "../scripts/lib/zitiQuickstart";
import { created, Floor, measureFloor, measureLookup, reset, rest, Rest, snapshot, Snapshot } from "./lib/controller";
import { dataPathRows, runDataPath } from "./datapath/run";
import { FirstSampleRun, firstSampleRows, runFirstSample } from "./firstsample/run";
import type { DataPathResult } from "./datapath/inNamespace";
import { cliCalls } from "./lib/cliCalls";
import { floorGraph, FloorGraph } from "./lib/floorGraph";
import { importPlan } from "./lib/opsImport";
import { namesByCollection, PlainEntity, planEntities } from "../test/helpers/planEntities";
import { BenchProject, EMPTY_PROGRAM, FLOOR_PROGRAM, Measured, REPO, seedConfig, toolsEnv } from "./lib/pulumi";

const SECTIONS = ["floor", "baseline", "import", "empty", "seed", "graphfloor", "scale", "stacks", "datapath", "firstsample"];
/** Sections with their own controller and world (no bench controller needed when only they run). */
const OWN_WORLD = ["datapath", "firstsample"];

interface Options {
    quick: boolean;
    runs: number;
    scales: number[];
    scaleRuns: number;
    /** Cluster-stack counts of the stacks section (cumulative: one run up to the largest). */
    scaleStacks: number[];
    floorReps: number;
    only: Set<string>;
    json?: string;
    /** Engine checkpoint modes of the scale section: true = checkpoints skipped. */
    scaleSkip: boolean[];
    /** Largest scale run with checkpoints on. */
    checkpointMax: number;
    /** Runs of the data path section (each in a fresh namespace). */
    dataPathRuns: number;
    /** Runs of the first-sample section (each `pulumi up` of a fresh stack in the same world). */
    firstSampleRuns: number;
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
    const known = new Set(["--quick", "--data-path", "--first-sample", "--first-sample-runs", "--data-path-runs", "--runs", "--scales", "--scale-runs", "--scale-stacks", "--floor-reps", "--only", "--json", "--scale-checkpoints", "--checkpoint-max"]);
    for (let i = 0; i < argv.length; i++) {
        if (!known.has(argv[i])) throw new Error(`bench: unknown option ${argv[i]} (see the top of bench/run.ts or bench/README.md)`);
        if (!["--quick", "--data-path", "--first-sample"].includes(argv[i])) i++;
    }
    const list = (v: string, what: string) => v.split(",").map((x) => int(x.trim(), 0, what)).sort((a, b) => a - b);
    const scales = list(flag("--scales", "BENCH_SCALES") ?? (quick ? "10" : "10,100"), "--scales");
    const stacksFlag = flag("--scale-stacks", "BENCH_SCALE_STACKS");
    const scaleStacks = list(stacksFlag ?? "10", "--scale-stacks");
    // The data path needs root (network namespaces): in the default set only when the bench runs as root.
    const defaultOnly = SECTIONS.filter((x) => !(quick && x === "stacks" && stacksFlag === undefined) && !(OWN_WORLD.includes(x) && process.getuid?.() !== 0));
    const dataPathOnly = argv.includes("--data-path") || ["1", "true"].includes(process.env.BENCH_DATA_PATH ?? "");
    const firstSampleOnly = argv.includes("--first-sample") || ["1", "true"].includes(process.env.BENCH_FIRST_SAMPLE ?? "");
    const flagged = [...(dataPathOnly ? ["datapath"] : []), ...(firstSampleOnly ? ["firstsample"] : [])];
    const only = new Set((flag("--only", "BENCH_ONLY") ?? (flagged.length ? flagged.join(",") : defaultOnly.join(","))).split(",").map((s) => s.trim()));
    for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`bench: unknown section ${s} in --only (sections: ${SECTIONS.join(", ")})`);
    return {
        quick,
        runs: int(flag("--runs", "BENCH_RUNS"), quick ? 1 : 5, "--runs"),
        scales,
        scaleRuns: int(flag("--scale-runs", "BENCH_SCALE_RUNS"), 1, "--scale-runs"),
        scaleStacks,
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
        dataPathRuns: int(flag("--data-path-runs", "BENCH_DATA_PATH_RUNS"), quick ? 1 : 3, "--data-path-runs"),
        firstSampleRuns: int(flag("--first-sample-runs", "BENCH_FIRST_SAMPLE_RUNS"), quick ? 1 : 3, "--first-sample-runs"),
    };
}

const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function median(xs: number[]): number {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (!s.length) return NaN;
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(ms < 10_000 ? 2 : 1) + " s" : "-");
const mib = (m: number) => (Number.isFinite(m) && m > 0 ? `${Math.round(m)} MiB` : "-");
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : "-");
const check = (ok: boolean) => (ok ? "PASS" : "FAIL");

/** 1-minute load average now (the bench records it with every sample). */
function load1(): number {
    return os.loadavg()[0];
}
function loadNow(): string {
    const [l1, l5] = os.loadavg();
    return `load ${l1.toFixed(1)}/${l5.toFixed(1)} (1/5 min)`;
}
/** "1.2-3.4": the range of the loads recorded with a row's samples. */
function loadRange(ls: number[]): string {
    const f = ls.filter(Number.isFinite);
    if (!f.length) return "-";
    const lo = Math.min(...f).toFixed(1);
    const hi = Math.max(...f).toFixed(1);
    return lo === hi ? lo : `${lo}-${hi}`;
}

function memAvailableMiB(): number {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/meminfo", "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
}

function ensureOk(m: Measured): Measured {
    if (m.code !== 0) throw new Error(`bench: \`${m.command}\` exited with ${m.code}\n${m.tail}`);
    return m;
}

/** Names of the entities made since the snapshot, by collection, sorted: what "the same entity set" compares. */
async function entitySet(r: Rest, base: Snapshot): Promise<Record<string, string[]>> {
    const c = await created(r, base);
    return Object.fromEntries(Object.entries(c).map(([k, l]) => [k, l.map((e) => e.name as string).sort()]));
}
const countOf = (set: Record<string, string[]>) => Object.values(set).reduce((n, l) => n + l.length, 0);

/** What differs between two entity sets (empty when they are the same). */
function setDiff(a: Record<string, string[]>, b: Record<string, string[]>): string {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const x = new Set(a[k] ?? []);
        const y = new Set(b[k] ?? []);
        const onlyA = [...x].filter((n) => !y.has(n));
        const onlyB = [...y].filter((n) => !x.has(n));
        if (onlyA.length || onlyB.length) out.push(`${k}: only in first ${JSON.stringify(onlyA)}, only in second ${JSON.stringify(onlyB)}`);
    }
    return out.join("; ");
}

/** The environment of the hand-run scripts: the controller's settings as ZITI_* and the tools' PATH. */
function scriptEnv(ctl: ZitiQuickstart, tools: Record<string, string>): Record<string, string> {
    return {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ZITI_")) as [string, string][]),
        PATH: tools.PATH,
        ZITI_API_HOST: ctl.controllerUrl,
        ZITI_USERNAME: ctl.username,
        ZITI_PASSWORD: ctl.password,
        ZITI_CA_BUNDLE: ctl.caBundlePath,
        ZITI_BIN: ctl.zitiBin,
    };
}

function runScript(script: string, args: string[], env: Record<string, string>): Promise<{ wallMs: number; stdout: string }> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        execFile("bash", [path.join(REPO, "bench", script), ...args], { env, cwd: REPO, maxBuffer: 10 << 20 }, (err, stdout, stderr) => {
            const wallMs = performance.now() - t0;
            if (err) return reject(new Error(`bench: ${script} failed: ${stderr || err.message}`));
            resolve({ wallMs, stdout });
        });
    });
}

// ---------------------------------------------------------------------------------------------------------------

interface BaselineRun { wallMs: number; entities: number; calls: number; load: number; set: Record<string, string[]> }

async function runCliBaseline(ctl: ZitiQuickstart, tools: Record<string, string>, planned: PlainEntity[], dir: string): Promise<Omit<BaselineRun, "set" | "entities">> {
    const file = path.join(dir, "calls.sh");
    fs.writeFileSync(file, cliCalls(planned));
    const load = load1();
    const { wallMs, stdout } = await runScript("baseline-cli.sh", ["--calls", file], scriptEnv(ctl, tools));
    const m = /baseline: (\d+) ziti calls/.exec(stdout);
    return { wallMs, calls: m ? Number(m[1]) : NaN, load };
}

async function runImportBaseline(ctl: ZitiQuickstart, tools: Record<string, string>, planned: PlainEntity[], dir: string): Promise<Omit<BaselineRun, "set" | "entities">> {
    const plan = importPlan(planned);
    const file = path.join(dir, "entities.json");
    fs.writeFileSync(file, JSON.stringify(plan.document, null, 1));
    const load = load1();
    const { wallMs, stdout } = await runScript("baseline-import.sh", ["--file", file, "--enroll", plan.enroll.join(" ")], scriptEnv(ctl, tools));
    const m = /baseline-import: (\d+) process calls/.exec(stdout);
    return { wallMs, calls: m ? Number(m[1]) : NaN, load };
}

interface PulumiRun extends Measured { load: number }

async function measured(p: BenchProject, args: string[], stack?: string, env?: Record<string, string>): Promise<PulumiRun> {
    const load = load1();
    return { ...ensureOk(await p.run(args, stack, env)), load };
}
const UP = ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"];

interface SeedRun {
    up: PulumiRun;
    noop: PulumiRun;
    /** Another no-op with the engine's PULUMI_PARALLEL_DIFF=true (diffs off the engine's one registration loop). */
    noopParallelDiff: PulumiRun;
    entities: number;
    set: Record<string, string[]>;
    state: ReturnType<BenchProject["stateSize"]>;
}

interface ScaleRun {
    clusters: number;
    /** PULUMI_SKIP_CHECKPOINTS=true for this run. */
    skipCheckpoints: boolean;
    preview: PulumiRun;
    up: PulumiRun;
    entities: number;
    state: ReturnType<BenchProject["stateSize"]>;
}

/** One cluster stack of the stacks section: its `pulumi up` from empty, and what the controller held before. */
interface ClusterStackRun { index: number; up: PulumiRun; entitiesBefore: number }
/** A central stack over `refs` StackReferences. */
interface CentralRun { refs: number; up: PulumiRun; noop: PulumiRun; entitiesBefore: number; lookupMs: number }

interface Results {
    floor?: Floor;
    /** The entity set the program's plan makes for the seed (names by collection): what every way must leave. */
    planned: Record<string, string[]>;
    /** `pulumi up` of bench/floor/index.js over the seed's resource graph (no-op provider), one per seed run. */
    graphFloor: PulumiRun[];
    graph?: FloorGraph;
    baseline: BaselineRun[];
    importRuns: BaselineRun[];
    empty: PulumiRun[];
    seed: SeedRun[];
    scale: ScaleRun[];
    clusterStacks: ClusterStackRun[];
    centrals: CentralRun[];
    /** Median `GET ?filter=name=...` round trip when the controller held this many entities (stacks section). */
    lookups: { entities: number; ms: number }[];
    skipped: string[];
    loads: string[];
    startLoad: string;
    dataPath: DataPathResult[];
    firstSample: FirstSampleRun[];
}

const clusterStackName = (i: number) => `st${String(i).padStart(3, "0")}`;

async function main(): Promise<void> {
    const opts = options(process.argv.slice(2));
    const started = new Date();
    const startLoad = loadNow();
    log(`${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${startLoad}; options ${JSON.stringify({ ...opts, only: [...opts.only] })}`);
    const tools = toolsEnv();
    process.env.PATH = tools.PATH;
    // The data path first (its own controller, in its own namespace): alone, the converge sections need nothing of it.
    const dataPath = opts.only.has("datapath") ? await runDataPath(opts.dataPathRuns, {}, log) : [];
    // Then the time to first sample (its own world: real-node clusters and a Ziti network the pods reach).
    const firstSample = opts.only.has("firstsample") ? await runFirstSample(opts.firstSampleRuns, log) : [];
    if ([...opts.only].every((x) => OWN_WORLD.includes(x))) {
        const empty: Results = { baseline: [], importRuns: [], empty: [], seed: [], scale: [], clusterStacks: [], centrals: [], lookups: [], skipped: [], loads: [], startLoad, planned: {}, graphFloor: [], dataPath, firstSample };
        if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ started, finished: new Date(), cores: os.cpus().length, opts: { ...opts, only: [...opts.only] }, results: empty }, null, 1));
        process.stdout.write(report(opts, empty, started, new Date()));
        return;
    }
    // Wait for the router: it registers its own identity and policies, which the snapshot must hold.
    const ctl = await startZitiQuickstart({ waitForRouter: true });
    const r = await rest(ctl);
    const base = await snapshot(r);
    const seed = seedConfig();
    const planned = await planEntities(seed);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "sa-bench-work-"));
    const res: Results = {
        baseline: [], importRuns: [], empty: [], seed: [], scale: [], clusterStacks: [], centrals: [], lookups: [], skipped: [], loads: [], startLoad,
        planned: namesByCollection(planned), graphFloor: [], dataPath, firstSample,
    };
    const cleanup = async () => {
        fs.rmSync(work, { recursive: true, force: true });
        await r.close().catch(() => undefined);
        await ctl.stop();
    };
    process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));
    try {
        if (opts.only.has("floor")) {
            log(`floor: ${opts.floorReps} repetitions of each request`);
            res.floor = await measureFloor(r, ctl, opts.floorReps);
        }
        // The two hand-run baselines and the empty program, interleaved run by run with the seed `up` below would be
        // fairer still; in sequence, each row's loads show what the machine was doing.
        for (let i = 0; i < opts.runs; i++) {
            if (opts.only.has("baseline")) {
                log(`baseline-cli.sh run ${i + 1}/${opts.runs} (${loadNow()})`);
                const b = await runCliBaseline(ctl, tools, planned, work);
                const set = await entitySet(r, base);
                res.baseline.push({ ...b, set, entities: countOf(set) });
                res.loads.push(`baseline-cli ${i + 1}: ${loadNow()}`);
                await reset(r, base);
            }
            if (opts.only.has("import")) {
                log(`baseline-import.sh (ziti ops import) run ${i + 1}/${opts.runs} (${loadNow()})`);
                const b = await runImportBaseline(ctl, tools, planned, work);
                const set = await entitySet(r, base);
                res.importRuns.push({ ...b, set, entities: countOf(set) });
                res.loads.push(`ops import ${i + 1}: ${loadNow()}`);
                await reset(r, base);
            }
            if (opts.only.has("empty")) {
                const p = new BenchProject(tools, "empty", {}, ctl, {}, EMPTY_PROGRAM);
                try {
                    log(`empty program run ${i + 1}/${opts.runs}: pulumi up (${loadNow()})`);
                    res.empty.push(await measured(p, UP));
                    res.loads.push(`empty ${i + 1}: ${loadNow()}`);
                } finally {
                    p.dispose();
                }
            }
        }
        if (opts.only.has("seed")) {
            for (let i = 0; i < opts.runs; i++) {
                const p = new BenchProject(tools, "dev", seed, ctl);
                try {
                    log(`seed run ${i + 1}/${opts.runs}: pulumi up from empty (${loadNow()})`);
                    const up = await measured(p, UP);
                    const set = await entitySet(r, base);
                    log(`seed run ${i + 1}/${opts.runs}: no-op pulumi up`);
                    const noop = await measured(p, UP);
                    log(`seed run ${i + 1}/${opts.runs}: no-op pulumi up with PULUMI_PARALLEL_DIFF=true`);
                    const noopParallelDiff = await measured(p, UP, undefined, { PULUMI_PARALLEL_DIFF: "true" });
                    res.seed.push({ up, noop, noopParallelDiff, set, entities: countOf(set), state: p.stateSize() });
                    res.loads.push(`seed ${i + 1}: ${loadNow()}`);
                    res.graph ??= floorGraph(p.checkpointFile());
                } finally {
                    p.dispose();
                    await reset(r, base);
                }
                // The converge floor right after each seed run (same load): the seed's graph over a no-op provider.
                if (opts.only.has("graphfloor") && res.graph) {
                    const f = new BenchProject(tools, "dev", {}, ctl, {}, FLOOR_PROGRAM);
                    try {
                        fs.writeFileSync(path.join(f.dir, "graph.json"), JSON.stringify(res.graph));
                        log(`floor program run ${i + 1}/${opts.runs}: pulumi up (${res.graph.resources.length} resources, depth ${res.graph.depth}, ${loadNow()})`);
                        res.graphFloor.push(await measured(f, UP));
                        res.loads.push(`floor program ${i + 1}: ${loadNow()}`);
                    } finally {
                        f.dispose();
                    }
                }
            }
        }
        if (opts.only.has("scale")) await scaleSection(opts, tools, ctl, r, base, res);
        if (opts.only.has("stacks")) await stacksSection(opts, tools, ctl, r, base, res);
    } finally {
        await cleanup();
    }
    const finished = new Date();
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ started, finished, cores: os.cpus().length, opts: { ...opts, only: [...opts.only] }, results: res }, null, 1));
    process.stdout.write(report(opts, res, started, finished));
}

async function scaleSection(opts: Options, tools: Record<string, string>, ctl: ZitiQuickstart, r: Rest, base: Snapshot, res: Results): Promise<void> {
    let k8sPeakMiB = 0;
    for (const skip of opts.scaleSkip) {
        for (const n of opts.scales) {
            if (!skip && n > opts.checkpointMax) {
                const why = `one stack, ${n} clusters, engine checkpoints on: not run (above --checkpoint-max ${opts.checkpointMax}; it grows quadratically, see bench/RESULTS.md)`;
                log(why);
                res.skipped.push(why);
                continue;
            }
            for (let i = 0; i < opts.scaleRuns; i++) {
                // One Kubernetes plugin process per cluster (one explicit provider each): refuse a run the memory
                // of this machine cannot hold, and say so, rather than push the machine into the OOM killer.
                // Private memory counts (the plugins share their 300 MB binary's pages).
                const need = (k8sPeakMiB || 60) * (n + 1) + 2000;
                const avail = memAvailableMiB();
                if (need > avail) {
                    const why = `one stack, ${n} clusters: skipped, needs about ${Math.round(need)} MiB (${n + 1} Kubernetes plugins of ~${Math.round(k8sPeakMiB || 60)} MiB private + 2 GiB), ${Math.round(avail)} MiB available`;
                    log(why);
                    res.skipped.push(why);
                    break;
                }
                const p = new BenchProject(tools, `scale${n}`, {
                    role: "dev", clusterCount: n, central: { name: "central", placement: "kubernetes" },
                }, ctl, skip ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {});
                const tag = `scale ${n}${skip ? " (checkpoints skipped)" : ""} run ${i + 1}/${opts.scaleRuns}`;
                try {
                    log(`${tag}: preview (${loadNow()})`);
                    const preview = await measured(p, ["preview", "--non-interactive", "--color", "never"]);
                    log(`${tag}: up`);
                    const up = await measured(p, UP);
                    k8sPeakMiB = Math.max(k8sPeakMiB, up.peaks.maxAnonMiB.kubernetes);
                    res.scale.push({ clusters: n, skipCheckpoints: skip, preview, up, entities: countOf(await entitySet(r, base)), state: p.stateSize() });
                    res.loads.push(`${tag}: ${loadNow()}`);
                } finally {
                    p.dispose();
                    await reset(r, base);
                }
            }
        }
    }
}

/**
 * The multi-stack layout: cluster stacks st001..stN (one cluster each, alternating hybrid/dark) made one after the
 * other in one project and backend against one controller, which so holds more clusters' entities with every stack;
 * at each count of --scale-stacks, a central stack (its own central name) over that many StackReferences: `up`
 * from empty and a no-op `up`.
 */
async function stacksSection(opts: Options, tools: Record<string, string>, ctl: ZitiQuickstart, r: Rest, base: Snapshot, res: Results): Promise<void> {
    const max = Math.max(...opts.scaleStacks);
    const p = new BenchProject(tools, clusterStackName(1), { role: "cluster", clusters: [{ name: clusterStackName(1), kind: "hybrid" }] }, ctl);
    try {
        let entities = countOf(await entitySet(r, base));
        for (let i = 1; i <= max; i++) {
            const name = clusterStackName(i);
            if (i > 1) p.addStack(name, { role: "cluster", clusters: [{ name, kind: i % 2 ? "hybrid" : "dark" }] });
            log(`stacks: cluster stack ${i}/${max} ${name}: pulumi up (${entities} entities on the controller, ${loadNow()})`);
            const up = await measured(p, UP, name);
            res.clusterStacks.push({ index: i, up, entitiesBefore: entities });
            entities = countOf(await entitySet(r, base));
            if (opts.scaleStacks.includes(i)) {
                res.lookups.push({ entities, ms: await measureLookup(r, `${name}.prometheus.id`, opts.floorReps) });
                const central = `central${i}`;
                p.addStack(central, {
                    role: "central",
                    central: { name: central, placement: "kubernetes" },
                    stackReferences: Array.from({ length: i }, (_, k) => `organization/scrape-anywhere/${clusterStackName(k + 1)}`),
                });
                log(`stacks: central stack over ${i} StackReferences: pulumi up (${loadNow()})`);
                const cup = await measured(p, UP, central);
                log(`stacks: central stack over ${i} StackReferences: no-op pulumi up`);
                const noop = await measured(p, UP, central);
                res.centrals.push({ refs: i, up: cup, noop, entitiesBefore: entities, lookupMs: res.lookups[res.lookups.length - 1].ms });
                entities = countOf(await entitySet(r, base));
                res.loads.push(`stacks ${i}: ${loadNow()}`);
            }
        }
    } finally {
        p.dispose();
        await reset(r, base);
    }
}

// ---------------------------------------------------------------------------------------------------------------

/** What each process class is, for the memory/CPU rows. */
const CLASS_TEXT: Record<string, string> = {
    engine: "engine (`pulumi`): plans, diffs, checkpoints",
    languageHost: "language host (`pulumi-language-nodejs`, Go): starts the program",
    program: "program (node: the SDK runner, index.ts, components)",
    zitiProvider: "Ziti dynamic provider (node: the SDK's dynamic-provider host, provider)",
    kubernetes: "Kubernetes plugin (one per explicit provider: one per cluster, render mode)",
    other: "other (the plugin wrapper shell, `node -e` of the SDK's wrapper)",
};

function report(opts: Options, res: Results, started: Date, finished: Date): string {
    const lines: string[] = [];
    const row = (cells: string[]) => lines.push(`| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
    lines.push(`### scrape-anywhere bench: ${started.toISOString()} .. ${finished.toISOString()}`);
    lines.push(`${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${res.startLoad} at the start, ${loadNow()} at the end; ` +
        `medians of ${opts.runs} run(s) (scale: ${opts.scaleRuns} run(s) each${res.dataPath.length ? `; data path: ${res.dataPath.length} run(s)` : ""}${res.firstSample.length ? `; first sample: ${res.firstSample.length} run(s)` : ""}); the load column is the 1-minute load average when each sample started. ` +
        "The machine is shared with other engineers' jobs: compare figures only with the load beside them.");
    lines.push("");
    row(["section", "what", "median", "runs", "goal / check", "load"]);
    row(["---", "---", "---", "---", "---", "---"]);
    const runs = (xs: number[]) => xs.map(sec).join(", ");
    const { floor, seed, baseline, importRuns, empty } = res;

    // 1. Converge from empty, and the baselines of the same entity set.
    const upMs = median(seed.map((s) => s.up.wallMs));
    const cliMs = median(baseline.map((b) => b.wallMs));
    const impMs = median(importRuns.map((b) => b.wallMs));
    const emptyMs = median(empty.map((e) => e.wallMs));
    const floorMs = median(res.graphFloor.map((e) => e.wallMs));
    const S = "1. converge";
    // The three ways are compared only when they made the same entities as the plan: a ratio over different work is
    // no ratio (issue 24).
    const ways = [...seed.map((x) => ["pulumi up", x.set] as const), ...baseline.map((b) => ["baseline-cli.sh", b.set] as const), ...importRuns.map((b) => ["ops import", b.set] as const)];
    const drift = ways.map(([what, set]) => [what, setDiff(res.planned, set)] as const).filter(([, d]) => d);
    const same = drift.length === 0;
    const refuse = "NOT PRINTED: the entity sets differ (row below)";
    if (baseline.length) row([S, `baseline-cli.sh: ziti login + 1 CLI call per entity + enrolls (${baseline[0].calls} calls, ${baseline[0].entities} entities)`, sec(cliMs), runs(baseline.map((b) => b.wallMs)), "", loadRange(baseline.map((b) => b.load))]);
    if (importRuns.length) row([S, `baseline-import.sh: login + 1 \`ziti ops import\` + 1 list + enrolls (${importRuns[0].calls} process calls, ${importRuns[0].entities} entities)`, sec(impMs), runs(importRuns.map((b) => b.wallMs)), "", loadRange(importRuns.map((b) => b.load))]);
    if (empty.length) row([S, "engine floor: `pulumi up` of an empty program (nodejs, same backend)", sec(emptyMs), runs(empty.map((e) => e.wallMs)), "", loadRange(empty.map((e) => e.load))]);
    if (seed.length) {
        const s0 = seed[0];
        row([S, `\`pulumi up\` from empty, seed topology (${s0.entities} Ziti entities, ${s0.state.resources} resources)`, sec(upMs), runs(seed.map((s) => s.up.wallMs)), "", loadRange(seed.map((s) => s.up.load))]);
        if (res.graphFloor.length && res.graph) {
            row([S, `converge floor: \`pulumi up\` of the seed's graph over a no-op dynamic provider (${res.graph.custom} custom + ${res.graph.components} component resources, depth ${res.graph.depth})`,
                sec(floorMs), runs(res.graphFloor.map((e) => e.wallMs)), "", loadRange(res.graphFloor.map((e) => e.load))]);
            row([S, "ratio up / converge floor", ratio(upMs, floorMs), "", `<= 1.2x: ${check(upMs <= 1.2 * floorMs)}`, ""]);
        }
        if (baseline.length) row([S, "ratio up / baseline-cli.sh", same ? ratio(upMs, cliMs) : "-", "", same ? `<= 1.0x: ${check(upMs <= cliMs)}` : refuse, ""]);
        if (importRuns.length) row([S, "ratio up / ziti ops import", same ? ratio(upMs, impMs) : "-", "", same ? `<= 3x: ${check(upMs <= 3 * impMs)}` : refuse, ""]);
        if (empty.length) row([S, "ratio up / empty program", ratio(upMs, emptyMs), "", "", ""]);
        row([S, `same entity set as the plan (${countOf(res.planned)} entities, names by collection) after up${baseline.length ? ", baseline-cli.sh" : ""}${importRuns.length ? ", ops import" : ""}`, "", "",
            same ? "PASS" : `FAIL: ${drift.map(([w, d]) => `${w}: ${d}`).join("; ")}`, ""]);
        const q = (f: (m: Measured) => number) => median(seed.map((x) => f(x.up)));
        row([S, "provider requests auth / read / write = total", `${q((m) => m.requests.auth)} / ${q((m) => m.requests.read)} / ${q((m) => m.requests.write)} = ${q((m) => m.requests.total)}`, "",
            `${s0.up.requests.processes} provider process(es), ${s0.up.requests.connections} TLS connections, ${s0.up.requests.retries} retries, ${(q((m) => m.requests.total) / s0.entities).toFixed(1)} requests/entity`, ""]);
        row([S, "timeline: program seen / Ziti provider seen / first request / last request / done",
            [q((m) => m.peaks.firstSeenMs.program ?? NaN), q((m) => m.peaks.firstSeenMs.zitiProvider ?? NaN), q((m) => m.requests.firstAt - m.startedAt), q((m) => m.requests.lastAt - m.startedAt), upMs].map(sec).join(" / "),
            "", "processes sampled every 100 ms", ""]);
        row([S, "HTTP time summed over the request span", `${sec(q((m) => m.requests.httpMs))} over ${sec(q((m) => m.requests.requestSpanMs))}`, "", "", ""]);
        row([S, "checkpoint size (of it: serialized providers)", `${(s0.state.checkpointBytes / 1e6).toFixed(2)} MB (${(s0.state.providerBytes / 1e6).toFixed(2)} MB)`, "", `${s0.state.zitiResources} Ziti resources`, ""]);
        for (const c of ["engine", "languageHost", "program", "zitiProvider", "kubernetes", "other"] as const) {
            const count = s0.up.peaks.count[c];
            if (!count) continue;
            row([S, `peak RSS (private) and CPU: ${CLASS_TEXT[c]}`,
                `${mib(q((m) => m.peaks.maxEachMiB[c]))} (${mib(q((m) => m.peaks.maxAnonMiB[c]))}) x${count}, ${q((m) => m.peaks.cpuSec[c]).toFixed(1)} CPU-s`, "", "", ""]);
        }
        row([S, "peak RSS of the whole process tree (private)", `${mib(q((m) => m.peaks.treeMiB))} (${mib(q((m) => m.peaks.treeAnonMiB))})`, "", "shared binary pages counted per process; private = anonymous memory", ""]);

        // 2. No-op.
        const N = "2. no-op";
        const n = seed.map((x) => x.noop);
        const noopMs = median(n.map((m) => m.wallMs));
        const writes = Math.max(...n.map((m) => m.requests.write));
        const auths = Math.max(...n.map((m) => m.requests.maxAuthPerProcess));
        row([N, "no-op `pulumi up` right after the converge", sec(noopMs), runs(n.map((m) => m.wallMs)), "", loadRange(n.map((m) => m.load))]);
        if (empty.length) row([N, "ratio no-op / empty program", ratio(noopMs, emptyMs), "", `<= 1.5x: ${check(noopMs <= 1.5 * emptyMs)}`, ""]);
        const pd = seed.map((x) => x.noopParallelDiff);
        const pdMs = median(pd.map((m) => m.wallMs));
        row([N, "no-op `pulumi up` with the engine's PULUMI_PARALLEL_DIFF=true", sec(pdMs), runs(pd.map((m) => m.wallMs)), empty.length ? `${ratio(pdMs, emptyMs)} the empty program` : "", loadRange(pd.map((m) => m.load))]);
        row([N, "CPU engine / program / Ziti provider / k8s plugins", ["engine", "program", "zitiProvider", "kubernetes"].map((c) => `${median(n.map((m) => (m.peaks.cpuSec as any)[c])).toFixed(1)} s`).join(" / "), "", "", ""]);
        if (empty.length) row([N, "CPU of the empty program: engine / program", ["engine", "program"].map((c) => `${median(empty.map((m) => (m.peaks.cpuSec as any)[c])).toFixed(1)} s`).join(" / "), "", "", ""]);
        row([N, "requests auth / read / write", `${median(n.map((m) => m.requests.auth))} / ${median(n.map((m) => m.requests.read))} / ${median(n.map((m) => m.requests.write))}`, "", `writes = 0: ${check(writes === 0)}; <= 1 auth per provider process: ${check(auths <= 1)}`, ""]);
    }

    // 3. One stack, many clusters.
    const scale = res.scale;
    for (const skip of [false, true]) {
        const mine = scale.filter((x) => x.skipCheckpoints === skip);
        if (!mine.length) continue;
        const by = new Map<number, ScaleRun[]>();
        for (const s of mine) by.set(s.clusters, [...(by.get(s.clusters) ?? []), s]);
        const perEntity = new Map<number, number>();
        const T = `3. one stack${skip ? " (PULUMI_SKIP_CHECKPOINTS)" : " (engine defaults)"}`;
        for (const [n, rs] of by) {
            const e = rs[0].entities;
            const up = median(rs.map((x) => x.up.wallMs));
            perEntity.set(n, up / e);
            const m = (f: (x: ScaleRun) => number) => median(rs.map(f));
            row([T, `${n} clusters + central, ${e} Ziti entities: preview / up / up per entity`, `${sec(m((x) => x.preview.wallMs))} / ${sec(up)} / ${(up / e).toFixed(0)} ms`, runs(rs.map((x) => x.up.wallMs)),
                `${(m((x) => x.up.requests.total) / e).toFixed(2)} requests/entity; engine ${m((x) => x.up.peaks.cpuSec.engine).toFixed(1)} CPU-s, peak RSS ${mib(m((x) => x.up.peaks.maxEachMiB.engine))}; ` +
                `k8s plugins ${mib(m((x) => x.up.peaks.maxEachMiB.kubernetes))} (${mib(m((x) => x.up.peaks.maxAnonMiB.kubernetes))} private) x${rs[0].up.peaks.count.kubernetes}; ` +
                `tree ${mib(m((x) => x.up.peaks.treeMiB))} (${mib(m((x) => x.up.peaks.treeAnonMiB))} private); checkpoint ${(rs[0].state.checkpointBytes / 1e6).toFixed(1)} MB`,
                loadRange(rs.map((x) => x.up.load))]);
        }
        const ns = [...perEntity.keys()].sort((a, b) => a - b);
        if (ns.length >= 2) {
            const lo = perEntity.get(ns[0])!;
            const hi = perEntity.get(ns[ns.length - 1])!;
            row([T, `cost per entity at ${ns[ns.length - 1]} / at ${ns[0]} clusters`, ratio(hi, lo), "", `<= 1.3x: ${check(hi <= 1.3 * lo)}`, ""]);
        } else {
            row([T, "cost per entity check (<= 1.3x)", "", "", `NOT RUN (needs two scales, ran ${ns.join(", ") || "none"})`, ""]);
        }
    }
    for (const s of res.skipped) row(["3. one stack", s, "", "", "NOT RUN", ""]);

    // 4. One stack per cluster, and a central stack over StackReferences.
    const cs = res.clusterStacks;
    if (cs.length) {
        const T = "4. stack per cluster";
        const window = (lo: number, hi: number) => cs.filter((c) => c.index >= lo && c.index <= hi);
        const counts = opts.scaleStacks.filter((k) => k <= cs.length);
        const perStack = new Map<number, number>();
        for (const k of counts) {
            const w = window(Math.max(1, k - 9), k);
            const ms = median(w.map((c) => c.up.wallMs));
            perStack.set(k, ms);
            const q = (f: (c: ClusterStackRun) => number) => median(w.map(f));
            row([T, `cluster stacks ${w[0].index}-${k} (controller held ${w[0].entitiesBefore}-${w[w.length - 1].entitiesBefore} entities): \`up\` per stack`, sec(ms), runs(w.map((c) => c.up.wallMs)),
                `${q((c) => c.up.requests.read)} reads / ${q((c) => c.up.requests.write)} writes per stack; GET by name ${res.lookups.find((l) => l.entities >= w[w.length - 1].entitiesBefore)?.ms.toFixed(1) ?? "-"} ms`,
                loadRange(w.map((c) => c.up.load))]);
        }
        if (counts.length >= 2) {
            const lo = perStack.get(counts[0])!;
            const hi = perStack.get(counts[counts.length - 1])!;
            row([T, `cost per cluster stack at ${counts[counts.length - 1]} / at ${counts[0]} (last 10 stacks of each)`, ratio(hi, lo), "", `<= 1.3x: ${check(hi <= 1.3 * lo)}`, ""]);
        } else {
            row([T, "cost per cluster stack at 100 / at 10", "", "", "NOT RUN (needs --scale-stacks 10,100 or more)", ""]);
        }
        row([T, `all ${cs.length} cluster stacks, one after the other: total / mean`, `${sec(cs.reduce((a, c) => a + c.up.wallMs, 0))} / ${sec(cs.reduce((a, c) => a + c.up.wallMs, 0) / cs.length)}`, "", "", loadRange(cs.map((c) => c.up.load))]);
        for (const c of res.centrals) {
            row([T, `central stack over ${c.refs} StackReferences: \`up\` from empty / per referenced cluster`, `${sec(c.up.wallMs)} / ${sec(c.up.wallMs / c.refs)}`, "",
                `${c.up.requests.total} requests; program ${c.up.peaks.cpuSec.program.toFixed(1)} CPU-s, engine ${c.up.peaks.cpuSec.engine.toFixed(1)} CPU-s`, loadRange([c.up.load])]);
            row([T, `central stack over ${c.refs} StackReferences: no-op \`up\``, sec(c.noop.wallMs), "", `writes ${c.noop.requests.write}`, loadRange([c.noop.load])]);
        }
        if (res.centrals.length >= 2) {
            const a = res.centrals[0];
            const b = res.centrals[res.centrals.length - 1];
            const pa = a.up.wallMs / a.refs;
            const pb = b.up.wallMs / b.refs;
            row([T, `central \`up\` per referenced cluster at ${b.refs} / at ${a.refs}`, ratio(pb, pa), "", `<= 1.3x: ${check(pb <= 1.3 * pa)}`, ""]);
            row([T, `central \`up\`: marginal cost of one more reference (${a.refs} -> ${b.refs})`, sec((b.up.wallMs - a.up.wallMs) / (b.refs - a.refs)), "", "", ""]);
        }
    }

    // 5. The floor.
    if (floor) {
        const F = "5. floor";
        row([F, "direct HTTP, one keep-alive session: authenticate / GET one / POST identity / config / service / service policy",
            [floor.authMs, floor.getMs, floor.createIdentityMs, floor.createConfigMs, floor.createServiceMs, floor.createPolicyMs].map((x) => `${x.toFixed(1)} ms`).join(" / "), "", "", ""]);
        row([F, "floor = max(identity, config) + service + policy (one write per dependency level)", `${floor.floorMs.toFixed(1)} ms`, "", seed.length ? `up / floor = ${(upMs / floor.floorMs).toFixed(0)}x` : "", ""]);
    }
    // 6. The data path of the upstream flavor (its own namespace and controller).
    for (const r of dataPathRows(res.dataPath)) row(["6. data path", ...r]);
    // 7. Time to first sample in pods on real nodes.
    for (const r of firstSampleRows(res.firstSample)) row(["7. first sample", ...r]);
    lines.push("");
    lines.push("Loads during the runs: " + [...res.loads, ...res.dataPath.flatMap((d, i) => d.loads.map((l) => `data path ${i + 1} ${l}`))].join("; "));
    return lines.join("\n") + "\n";
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
});
