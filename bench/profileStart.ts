// Where the seconds before the Ziti provider's first request go (issue 24): one seed `pulumi up` from empty against
// a local quickstart, with every Node.js process of the command CPU-profiled (bench/lib/cpuProfile.js preloaded by
// NODE_OPTIONS: V8's own sampling profiler). Prints the command's timeline (program and provider processes seen,
// the first and last sample of each phase, the provider's first request) and, per Node.js process, CPU by where
// the code comes from (the SDK, grpc/protobuf, TypeScript, our code, Node.js itself, ...) and the heaviest functions.
//
//   npx ts-node bench/profileStart.ts [--keep]        (BENCH_PROGRAM_DIR / BENCH_PATH_PREFIX as for the bench)
import * as fs from "fs";
import * as path from "path";
import { startZitiQuickstart } from "../scripts/lib/zitiQuickstart";
import { BenchProject, seedConfig, toolsEnv } from "./lib/pulumi";

interface Node { id: number; callFrame: { url: string; functionName: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** Where a script comes from, for grouping. */
function origin(url: string): string {
    if (!url) return "(V8: GC, program, idle)";
    if (url.startsWith("node:")) return "Node.js internals (module loading, fs)";
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) {
        if (m[1] === "@pulumi/pulumi") {
            const sub = /@pulumi\/pulumi\/([^/]+(?:\/[^/]+)?)/.exec(url)?.[1] ?? "";
            if (sub.startsWith("runtime/closure")) return "@pulumi/pulumi closure serialization";
            if (sub.startsWith("cmd/dynamic-provider")) return "@pulumi/pulumi dynamic-provider host";
            if (sub.startsWith("proto")) return "@pulumi/pulumi generated protobuf";
            return "@pulumi/pulumi (other)";
        }
        return m[1];
    }
    if (/\/(boot|provider|components|config|plan|flavors)\//.test(url) || /\/index\.ts$|\/main\.js$/.test(url)) return "scrape-anywhere (ours)";
    return url.replace(/^file:\/\//, "");
}

interface Phase { firstMs: number; lastMs: number; cpuMs: number }
interface Summary { cpuMs: number; argv: string[]; startMs: number; endMs: number; byOrigin: [string, number][]; top: [string, number][]; phases: Record<string, Phase> }

/** Markers whose inclusive time (anywhere on the stack) makes a phase: by origin, or by function name. */
const PHASES: Record<string, (n: Node) => boolean> = {
    "require() of modules": n => n.callFrame.functionName === "Module._load",
    "closure serialization (SDK)": n => origin(n.callFrame.url) === "@pulumi/pulumi closure serialization",
    "TypeScript compiler": n => origin(n.callFrame.url) === "typescript",
    "gRPC (@grpc/grpc-js)": n => origin(n.callFrame.url) === "@grpc/grpc-js",
    "dynamic-provider host (SDK)": n => origin(n.callFrame.url) === "@pulumi/pulumi dynamic-provider host",
    "scrape-anywhere code": n => origin(n.callFrame.url) === "scrape-anywhere (ours)",
};

/** One process's profile; times in ms since `t0` (epoch ms). */
function summarize(file: string, t0: number): Summary {
    const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
    const meta = JSON.parse(fs.readFileSync(file.replace(/\.cpuprofile$/, ".json"), "utf8")) as { argv: string[]; epochMs: number; monoUs: number };
    const toMs = (us: number) => meta.epochMs + (us - meta.monoUs) / 1000 - t0;
    const byId = new Map(p.nodes.map(n => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const onStack = new Map<number, Set<string>>();
    const phasesOf = (id: number): Set<string> => {
        let s = onStack.get(id);
        if (s) return s;
        const n = byId.get(id)!;
        const up = parent.has(id) ? phasesOf(parent.get(id)!) : new Set<string>();
        s = new Set(up);
        for (const [k, f] of Object.entries(PHASES)) if (f(n)) s.add(k);
        onStack.set(id, s);
        return s;
    };
    const phases: Record<string, Phase> = {};
    const byOrigin = new Map<string, number>();
    const byFn = new Map<string, number>();
    let cpu = 0;
    let t = p.startTime;
    p.samples.forEach((id, i) => {
        const dt = p.timeDeltas[i] ?? 0;
        t += dt;
        const n = byId.get(id)!;
        const fn = n.callFrame.functionName;
        if (fn === "(idle)" || fn === "(program)") return;
        cpu += dt;
        const o = fn === "(garbage collector)" ? "V8 garbage collector" : origin(n.callFrame.url);
        byOrigin.set(o, (byOrigin.get(o) ?? 0) + dt);
        const key = `${fn || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(?=[^/]+\/[^/]+$)/, "")}:${n.callFrame.lineNumber}`;
        byFn.set(key, (byFn.get(key) ?? 0) + dt);
        for (const k of phasesOf(id)) {
            const ph = (phases[k] ??= { firstMs: toMs(t), lastMs: toMs(t), cpuMs: 0 });
            ph.lastMs = toMs(t);
            ph.cpuMs += dt / 1000;
        }
    });
    const sorted = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([a, b]) => [a, b / 1000] as [string, number]);
    return { cpuMs: cpu / 1000, argv: meta.argv, startMs: toMs(p.startTime), endMs: toMs(p.endTime), byOrigin: sorted(byOrigin, 12), top: sorted(byFn, 12), phases };
}

async function main(): Promise<void> {
    const tools = toolsEnv();
    process.env.PATH = tools.PATH;
    const ctl = await startZitiQuickstart({ waitForRouter: true });
    const prof = fs.mkdtempSync("/tmp/sa-profile-");
    const p = new BenchProject(tools, "dev", seedConfig(), ctl, {
        NODE_OPTIONS: `--require=${path.join(__dirname, "lib", "cpuProfile.js")}`, SA_CPU_PROFILE_DIR: prof,
    });
    try {
        const t0 = Date.now();
        const m = await p.run(["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]);
        if (m.code !== 0) throw new Error(`pulumi up failed:\n${m.tail}`);
        const at = (ms: number) => `${((ms - t0) / 1000).toFixed(2)} s`;
        console.log(`seed up: ${(m.wallMs / 1000).toFixed(2)} s; program seen ${((m.peaks.firstSeenMs.program ?? NaN) / 1000).toFixed(2)} s, ` +
            `Ziti provider seen ${((m.peaks.firstSeenMs.zitiProvider ?? NaN) / 1000).toFixed(2)} s, first request ${at(m.requests.firstAt)}, last ${at(m.requests.lastAt)}`);
        const files = fs.readdirSync(prof).filter(f => f.endsWith(".cpuprofile"));
        const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
        for (const f of files) {
            const s = summarize(path.join(prof, f), t0);
            const what = s.argv.some(a => a.includes("dynamic-provider")) ? "Ziti provider (dynamic-provider host)" : s.argv.some(a => a.includes("run-plugin") || a.includes("policy")) ? s.argv.join(" ") : "program";
            console.log(`\n${what} (pid ${f.replace(".cpuprofile", "")}): profiled ${sec(s.startMs)} .. ${sec(s.endMs)}, ${s.cpuMs.toFixed(0)} ms CPU`);
            for (const [k, ph] of Object.entries(s.phases)) console.log(`  phase ${k}: ${sec(ph.firstMs)} .. ${sec(ph.lastMs)}, ${ph.cpuMs.toFixed(0)} ms CPU`);
            console.log("  CPU by origin (self time):");
            for (const [o, ms] of s.byOrigin) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${o}`);
            console.log("  heaviest functions (self time):");
            for (const [fn, ms] of s.top) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${fn}`);
        }
        console.log(`\nprofiles in ${prof}${process.argv.includes("--keep") ? "" : " (removed; --keep keeps them)"}`);
    } finally {
        p.dispose();
        if (!process.argv.includes("--keep")) fs.rmSync(prof, { recursive: true, force: true });
        await ctl.stop();
    }
}

main().catch(e => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
});
