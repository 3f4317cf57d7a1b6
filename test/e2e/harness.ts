// The e2e tier's harness: the real `pulumi` CLI (from scripts/tools.sh) on a temporary file:// backend,
// against the real quickstart controller of this mocha run (test/helpers/zitiController).
//
// Each program runs from a temporary workspace made of symlinks to the repository's program files
// (Pulumi.yaml, main.js, index.ts, package.json, tsconfig.json, node_modules), plus *copies* of its
// Pulumi.<stack>.yaml without any ziti:* settings. So the stacks keep their names (dev, clusterA, ...)
// but nothing the tests write lands in the work tree: not the stack settings (`pulumi config set` and the
// passphrase salt write Pulumi.<stack>.yaml), not rendered/<stack>/ (relative to the program's folder),
// and the user's `npm start` state in .state/ is never touched.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { toolsEnv } from "../helpers/toolsEnv";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const PASSPHRASE = "e2e-throwaway-passphrase";

const t0 = Date.now();
let progressOut: NodeJS.WritableStream = process.stdout;
/** Progress on stdout, with the time since the tier started. */
export function progress(msg: string): void {
    progressOut.write(`      [e2e +${((Date.now() - t0) / 1000).toFixed(0)}s] ${msg}\n`);
}
/** Where progress goes (the bench keeps stdout for its table and sends progress to stderr). */
export function progressTo(out: NodeJS.WritableStream): void {
    progressOut = out;
}

/** PATH, PULUMI_HOME and the offline settings of scripts/tools.sh, unless the caller already evaluated them. */
function toolsEnvUnlessSet(): Record<string, string> {
    if (process.env.PULUMI_HOME && process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION) return {};
    return toolsEnv();
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout + stderr as captured. */
    output: string;
}

export class PulumiRunError extends Error {}

export interface RunOptions {
    /** Resolve with a non-zero exit instead of rejecting. */
    allowFailure?: boolean;
    /** Text on stdin (secrets go here, never on the command line). */
    input?: string;
    /** Keep this run's output out of the captured engine output (e.g. `stack output --show-secrets`). */
    private?: boolean;
    /** Extra environment for this run (e.g. SCRAPE_ANYWHERE_ZITI_CODE). */
    env?: Record<string, string>;
}

/** A temporary backend + one workspace per program, sharing one controller. */
export class E2E {
    readonly dir: string;
    readonly backendDir: string;
    readonly logFile: string;
    /** Everything the engine printed in this run (except `private` runs): scanned for secrets at the end. */
    readonly captured: string[] = [];
    /** Every pulumi run: workspace, arguments, exit code and output (private runs without output). */
    readonly runs: { ws: string; args: string[]; code: number; output: string }[] = [];
    private readonly env: Record<string, string>;
    private readonly workspaces = new Map<string, string>();

    constructor(readonly ctl: ZitiQuickstart) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "scrape-anywhere-e2e-"));
        this.backendDir = path.join(this.dir, "backend");
        fs.mkdirSync(this.backendDir, { mode: 0o700 });
        this.logFile = path.join(this.dir, "pulumi.log");
        this.env = {
            ...(process.env as Record<string, string>),
            ...toolsEnvUnlessSet(),
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        // The provider must be configured by the stack settings under test, not by the caller's environment.
        for (const k of ["ZITI_API_HOST", "ZITI_USERNAME", "ZITI_PASSWORD", "ZITI_CA_BUNDLE", "ZITI_IDENTITY_FILE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) {
            delete this.env[k];
        }
        progress(`temp dir ${this.dir} (backend, workspaces, pulumi.log)`);
    }

    /**
     * A workspace for the program in `programDir`, with copies of the named stacks' settings (ziti:* and the
     * secrets salt dropped, so a local `npm start` of the user does not leak in), plus `config` in each (e.g.
     * `{"scrape-anywhere:flavor": "article"}` for a test that asserts the article flavor's objects).
     */
    workspace(name: string, programDir: string, stacks: string[], extra: Record<string, unknown> = {}): string {
        const ws = path.join(this.dir, name);
        fs.mkdirSync(ws, { recursive: true });
        for (const f of ["Pulumi.yaml", "main.js", "index.ts", "package.json"]) {
            if (fs.existsSync(path.join(programDir, f))) fs.symlinkSync(path.join(programDir, f), path.join(ws, f));
        }
        // tsconfig*.json (Pulumi.yaml may name one): not symlinks, a relative `extends` would resolve from the workspace.
        for (const f of fs.readdirSync(programDir).filter((f) => /^tsconfig.*\.json$/.test(f))) {
            fs.writeFileSync(path.join(ws, f), JSON.stringify({ extends: path.join(programDir, f) }));
        }
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(ws, "node_modules"));
        for (const s of stacks) {
            const src = path.join(programDir, `Pulumi.${s}.yaml`);
            const doc = fs.existsSync(src) ? YAML.parse(fs.readFileSync(src, "utf8")) ?? {} : {};
            const config = { ...Object.fromEntries(Object.entries(doc.config ?? {}).filter(([k]) => !k.startsWith("ziti:"))), ...extra };
            fs.writeFileSync(path.join(ws, `Pulumi.${s}.yaml`), YAML.stringify({ config }));
        }
        this.workspaces.set(name, ws);
        return ws;
    }

    ws(name: string): string {
        const ws = this.workspaces.get(name);
        if (!ws) throw new Error(`no workspace ${name}`);
        return ws;
    }

    /** Runs `pulumi <args>` in a workspace with umask 077 (as `npm start` does); rejects on failure with the output's tail. */
    async pulumi(wsName: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
        const cwd = this.ws(wsName);
        const label = `pulumi ${args.join(" ")}`;
        const started = Date.now();
        progress(`${label} ...`);
        const res = await new Promise<RunResult>((resolve, reject) => {
            const child = spawn("sh", ["-c", 'umask 077 && exec pulumi "$@"', "pulumi", ...args, "--non-interactive", "--color", "never"],
                { cwd, env: { ...this.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }));
            child.stdin.end(opts.input ?? "");
        });
        const secs = ((Date.now() - started) / 1000).toFixed(0);
        this.runs.push({ ws: wsName, args, code: res.code, output: opts.private ? "" : res.output });
        if (!opts.private) {
            this.captured.push(res.output);
            fs.appendFileSync(this.logFile, `\n===== [${wsName}] ${label} (exit ${res.code}, ${secs}s)\n${res.output}`);
        }
        progress(`${label}: exit ${res.code} in ${secs}s`);
        if (res.code !== 0 && !opts.allowFailure) {
            const errors = [...new Set(res.output.split("\n").filter((l) => /error|panic/i.test(l)).map((l) => l.trim()))].slice(0, 15);
            throw new PulumiRunError(`${label} failed (exit ${res.code}) in ${cwd}\n--- error lines:\n${errors.join("\n")}\n--- last lines of its output:\n${tail(res.output, 40)}`);
        }
        return res;
    }

    /** Points a stack at the test controller the way a user would: ziti:* stack settings, the password as a secret. */
    async configureZiti(wsName: string, stack: string): Promise<void> {
        await this.pulumi(wsName, ["stack", "init", stack]);
        await this.pulumi(wsName, ["config", "set-all", "--stack", stack,
            "--plaintext", `ziti:controllerUrl=${this.ctl.controllerUrl}`,
            "--plaintext", `ziti:username=${this.ctl.username}`,
            "--plaintext", `ziti:caBundle=${this.ctl.caBundlePath}`]);
        await this.pulumi(wsName, ["config", "set", "--stack", stack, "--secret", "ziti:password"], { input: this.ctl.password });
    }

    /**
     * Runs a user's command (e.g. `npm run -s verify -- ...`) with this run's backend and tools and nothing of the
     * caller's Ziti settings, in the repository; resolves with its exit code and output (never rejects on exit codes).
     */
    command(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
        progress(`${file} ${args.join(" ")} ...`);
        return new Promise((resolve, reject) => {
            const child = spawn(file, args, { cwd: repoRoot, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        });
    }

    /** Outputs of a stack (secrets shown; kept out of the captured output). */
    async outputs(wsName: string, stack: string, showSecrets = false): Promise<Record<string, any>> {
        const res = await this.pulumi(wsName, ["stack", "output", "--json", "--stack", stack, ...(showSecrets ? ["--show-secrets"] : [])], { private: showSecrets });
        return JSON.parse(res.stdout);
    }

    /** Every file under the backend and the workspaces' stack settings, for the secrets scan. */
    stateFiles(): string[] {
        const out: string[] = [];
        const walk = (d: string) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) walk(p);
                else if (e.isFile()) out.push(p);
            }
        };
        walk(this.backendDir);
        for (const ws of this.workspaces.values()) {
            for (const f of fs.readdirSync(ws)) if (/^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml") out.push(path.join(ws, f));
        }
        return out;
    }

    dispose(keep: boolean): void {
        if (keep) {
            progress(`kept ${this.dir} for inspection (a test failed)`);
            return;
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export function tail(s: string, lines: number): string {
    return s.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The `Resources:` summary counts of an up/refresh/destroy output, e.g. {created: 73} or {unchanged: 73}. */
export function resourceCounts(output: string): Record<string, number> {
    const i = output.lastIndexOf("Resources:");
    if (i < 0) return {};
    const counts: Record<string, number> = {};
    for (const line of output.slice(i).split("\n").slice(1)) {
        const m = /^\s*(?:[-+~]+\s*)?(\d+) (created|updated|deleted|unchanged|replaced|to create|to update|to delete|to replace|changes)/.exec(line);
        if (m) counts[m[2]] = Number(m[1]);
        else if (line.trim() === "" && Object.keys(counts).length) break;
    }
    return counts;
}

/** All YAML documents of every file under `dir` (parsed with `yaml`), with their file names. */
export function readManifests(dir: string): { file: string; doc: any }[] {
    const out: { file: string; doc: any }[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else {
                for (const doc of YAML.parseAllDocuments(fs.readFileSync(p, "utf8"))) {
                    if (doc.errors.length) throw new Error(`${p}: ${doc.errors.map((x) => x.message).join("; ")}`);
                    const js = doc.toJS();
                    if (js) out.push({ file: p, doc: js });
                }
            }
        }
    };
    walk(dir);
    return out;
}

/** Value of a Secret's key, from `stringData` or base64 `data`. */
export function secretValue(secret: any, key: string): string | undefined {
    if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
    if (secret.data?.[key] !== undefined) return Buffer.from(secret.data[key], "base64").toString("utf8");
    return undefined;
}

/** The Prometheus config (prometheus.yml) of a rendered ConfigMap, parsed. */
export function prometheusConfig(configMap: any): any {
    return YAML.parse(configMap.data["prometheus.yml"]);
}
