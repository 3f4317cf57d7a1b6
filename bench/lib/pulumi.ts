// A throwaway copy of the program (symlinks to the repo's index.ts, components/, node_modules), its own file
// backend and stack, configured like `npm start` does (ziti:* stack config, password as a secret), and measured
// `pulumi` commands: wall time, exit code, peak RSS per process class, and the Ziti requests of that command.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { stackFileConfig } from "../../test/helpers/planEntities";
import { ProcPeaks, sampleTree } from "./procTree";

export const REPO = path.resolve(__dirname, "..", "..");
/** The program measured: this checkout, or another one named by BENCH_PROGRAM_DIR (node_modules stay this repo's). */
export const PROGRAM = path.resolve(process.env.BENCH_PROGRAM_DIR || REPO);
const LINKED = ["main.js", "index.ts", "boot", "config", "plan", "flavors", "components", "provider", "package.json", "tsconfig.json", "tsconfig.pulumi.json", "Pulumi.yaml"];

/** PATH, PULUMI_HOME and the offline settings from `scripts/tools.sh env` (builds the tools if needed). */
export function toolsEnv(): Record<string, string> {
    const out = execFileSync("bash", [path.join(REPO, "scripts", "tools.sh"), "env"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
        const m = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, "");
    }
    if (!env.PATH) throw new Error("bench: scripts/tools.sh env printed no PATH");
    // For before/after runs with other tool builds (e.g. another dynamic-provider wrapper): searched first.
    if (process.env.BENCH_PATH_PREFIX) env.PATH = `${process.env.BENCH_PATH_PREFIX}:${env.PATH}`;
    return env;
}

/** Per-process request counts written by provider/client.ts when SCRAPE_ANYWHERE_ZITI_STATS is set. */
export interface ProcessStats {
    pid: number;
    auth: number;
    read: number;
    write: number;
    retries: number;
    connections: number;
    httpMs: number;
    startedAt: number;
    firstRequestAt: number;
    lastRequestAt: number;
    routes: Record<string, number>;
}

export interface Requests {
    auth: number;
    read: number;
    write: number;
    total: number;
    retries: number;
    connections: number;
    /** Processes that made requests, and the most auths any one of them made. */
    processes: number;
    maxAuthPerProcess: number;
    /** Sum of the HTTP round trips (they overlap when the engine runs resources in parallel). */
    httpMs: number;
    /** From the first to the last request of the command. */
    requestSpanMs: number;
    /** Epoch ms of the first and last request (0 without requests). */
    firstAt: number;
    lastAt: number;
    routes: Record<string, number>;
}

export function sumStats(all: ProcessStats[]): Requests {
    const r: Requests = {
        auth: 0, read: 0, write: 0, total: 0, retries: 0, connections: 0, processes: all.length, maxAuthPerProcess: 0,
        httpMs: 0, requestSpanMs: 0, firstAt: 0, lastAt: 0, routes: {},
    };
    let first = Infinity;
    let last = 0;
    for (const s of all) {
        r.auth += s.auth;
        r.read += s.read;
        r.write += s.write;
        r.retries += s.retries;
        r.connections += s.connections;
        r.httpMs += s.httpMs;
        r.maxAuthPerProcess = Math.max(r.maxAuthPerProcess, s.auth);
        if (s.firstRequestAt) first = Math.min(first, s.firstRequestAt);
        last = Math.max(last, s.lastRequestAt);
        for (const [k, v] of Object.entries(s.routes)) r.routes[k] = (r.routes[k] ?? 0) + v;
    }
    r.total = r.auth + r.read + r.write;
    r.requestSpanMs = first === Infinity ? 0 : last - first;
    r.firstAt = first === Infinity ? 0 : first;
    r.lastAt = last;
    return r;
}

export interface Measured {
    command: string;
    code: number;
    wallMs: number;
    /** Epoch ms when the command was started. */
    startedAt: number;
    peaks: ProcPeaks;
    requests: Requests;
    /** The engine's output (last lines), for failures. */
    tail: string;
}

/** The engine's floor: a Node.js program that registers nothing (only the engine's own Stack resource). */
export const EMPTY_PROGRAM = "empty";
/** The converge floor: bench/floor/index.js, the seed's resource graph over a provider that does nothing (graph.json, written by the caller). */
export const FLOOR_PROGRAM = "floor";

export class BenchProject {
    readonly dir: string;
    readonly env: Record<string, string>;
    /** The stack `run` uses unless told another one. */
    stack: string;
    private n = 0;

    /**
     * A throwaway project dir with its own file backend, and its first stack.
     * @param config `scrape-anywhere:*` keys of that stack (plain values; lists and objects as YAML would give them).
     * @param program `EMPTY_PROGRAM` for the engine's floor; else the program's directory (default PROGRAM).
     */
    constructor(tools: Record<string, string>, stack: string, config: Record<string, unknown>, private readonly ctl: ZitiQuickstart,
        extraEnv: Record<string, string> = {}, readonly program: string = PROGRAM) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-bench-"));
        if (program === EMPTY_PROGRAM) {
            // Same runtime as the real program (nodejs, no ts-node): what is left is engine, language host, node and the SDK.
            fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), "name: scrape-anywhere\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n");
            fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name: "scrape-anywhere-empty", main: "index.js" }));
            fs.writeFileSync(path.join(this.dir, "index.js"), "// registers nothing: the engine's floor\n");
        } else if (program === FLOOR_PROGRAM) {
            fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), "name: scrape-anywhere\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n");
            fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name: "scrape-anywhere-floor", main: "index.js" }));
            fs.copyFileSync(path.join(REPO, "bench", "floor", "index.js"), path.join(this.dir, "index.js"));
            fs.symlinkSync(path.join(PROGRAM, "boot"), path.join(this.dir, "boot"));
        } else {
            for (const f of LINKED) if (fs.existsSync(path.join(program, f))) fs.symlinkSync(path.join(program, f), path.join(this.dir, f));
        }
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.dir, "node_modules"));
        fs.mkdirSync(path.join(this.dir, "state"), { mode: 0o700 });
        const base: Record<string, string> = {};
        // Nothing of the caller's Ziti or Pulumi environment leaks in: the provider reads the stack config.
        for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(ZITI_|PULUMI_|SCRAPE_ANYWHERE_)/.test(k)) base[k] = v;
        this.env = {
            ...base,
            ...tools,
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "scrape-anywhere-bench-throwaway",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            ...extraEnv,
        };
        this.stack = stack;
        this.addStack(stack, config);
    }

    /** Another stack in the same project and backend (StackReferences between them resolve). */
    addStack(stack: string, config: Record<string, unknown>): void {
        const yaml = require("yaml") as typeof import("yaml");
        const cfg: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(config)) cfg[`scrape-anywhere:${k}`] = v;
        fs.writeFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), yaml.stringify({ config: cfg }));
        this.cli(["stack", "init", stack, "--non-interactive"]);
        // The empty program gets the same settings: decrypting the secret among them is part of the engine's floor.
        this.cli([
            "config", "set-all", "--stack", stack,
            "--plaintext", `ziti:controllerUrl=${this.ctl.controllerUrl}`,
            "--plaintext", `ziti:username=${this.ctl.username}`,
            "--plaintext", `ziti:caBundle=${this.ctl.caBundlePath}`,
        ]);
        // The password on stdin, never in a process's arguments (any local user can read those).
        this.cli(["config", "set", "--stack", stack, "--secret", "ziti:password"], this.ctl.password);
    }

    /** An unmeasured CLI call (setup); `input` goes to its stdin. */
    cli(args: string[], input?: string): string {
        return execFileSync("pulumi", args, {
            cwd: this.dir, env: this.env, encoding: "utf8", input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        });
    }

    /** A measured `pulumi <args>` on `stack` (default: the project's current one). */
    run(args: string[], stack = this.stack, extraEnv: Record<string, string> = {}): Promise<Measured> {
        args = [...args, "--stack", stack];
        const statsDir = path.join(this.dir, `stats-${++this.n}`);
        fs.mkdirSync(statsDir);
        const env = { ...this.env, ...extraEnv, SCRAPE_ANYWHERE_ZITI_STATS: statsDir };
        return new Promise((resolve, reject) => {
            const t0 = performance.now();
            const startedAt = Date.now();
            const child = spawn("pulumi", args, { cwd: this.dir, env, stdio: ["ignore", "pipe", "pipe"] });
            const sampler = sampleTree(child.pid!);
            let out = "";
            const keep = (b: Buffer) => {
                out += b.toString();
                if (out.length > 200_000) out = out.slice(-100_000);
            };
            child.stdout.on("data", keep);
            child.stderr.on("data", keep);
            child.on("error", reject);
            child.on("close", (code) => {
                const wallMs = performance.now() - t0;
                const peaks = sampler.stop();
                const stats: ProcessStats[] = fs.readdirSync(statsDir).map((f) => JSON.parse(fs.readFileSync(path.join(statsDir, f), "utf8")));
                resolve({
                    command: `pulumi ${args.join(" ")}`,
                    code: code ?? -1,
                    wallMs,
                    startedAt,
                    peaks,
                    requests: sumStats(stats),
                    tail: out.trimEnd().split("\n").slice(-40).join("\n"),
                });
            });
        });
    }

    /** The file backend's checkpoint of `stack`. */
    checkpointFile(stack = this.stack): string {
        return path.join(this.dir, "state", ".pulumi", "stacks", "scrape-anywhere", `${stack}.json`);
    }

    /** Bytes of the stack's checkpoint, and of the serialized providers (`__provider`) in it. */
    stateSize(stack = this.stack): { checkpointBytes: number; providerBytes: number; resources: number; zitiResources: number } {
        const file = this.checkpointFile(stack);
        const text = fs.readFileSync(file, "utf8");
        const doc = JSON.parse(text);
        const res: any[] = doc.checkpoint?.latest?.resources ?? [];
        let providerBytes = 0;
        for (const r of res) {
            for (const bag of [r.inputs, r.outputs]) if (typeof bag?.__provider === "string") providerBytes += bag.__provider.length;
        }
        return {
            checkpointBytes: text.length,
            providerBytes,
            resources: res.length,
            zitiResources: res.filter((r) => String(r.type).startsWith("pulumi-nodejs:dynamic/ziti:")).length,
        };
    }

    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The `scrape-anywhere:*` keys of the program's Pulumi.dev.yaml (the seed topology), without anything else in it. */
export function seedConfig(): Record<string, unknown> {
    return stackFileConfig("dev", PROGRAM);
}
