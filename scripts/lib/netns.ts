// Network-namespace and process helpers for the overlay test tier.
//
// Everything made here is recorded in a Sandbox and undone by `sandbox.cleanup()`: processes are
// started in their own process group (detached) and the whole group is killed; namespaces are
// deleted after their processes are gone. A synchronous cleanup also runs on SIGINT/SIGTERM and at
// process exit, so an interrupted run leaves no namespace, process or temp dir behind. A SIGKILLed run cannot
// run those: its sandbox is also recorded in the private run registry (kind `sandbox`), for
// reapStaleSandboxes() (staleSandboxes.ts) in the next run.
import { ChildProcess, execFile, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { killGroup, release, runsOnceRecorded } from "./processes";
import { currentProcess, recordProcess, RunEntry, RunRegistry } from "./runRegistry";

export const sandboxRegistry = () => new RunRegistry<{ namespaces: string[] }>("sandbox");

export class PrereqError extends Error {}

/** Throws a PrereqError that says what is missing and how to get it, when this process cannot make namespaces. */
export function checkNetnsPrereqs(commands: string[] = []): void {
    if (process.platform !== "linux") {
        throw new PrereqError(`the overlay test needs Linux network namespaces; this is ${process.platform}`);
    }
    if (typeof process.getuid === "function" && process.getuid() !== 0) {
        throw new PrereqError(
            "the overlay test needs root (it runs `ip netns add` and veth pairs); run it as root, e.g. `sudo npm run test:overlay`",
        );
    }
    for (const cmd of ["ip", ...commands]) {
        if (!which(cmd)) {
            throw new PrereqError(`the overlay test needs \`${cmd}\` on PATH; install it with \`bash scripts/ensure-overlay-deps.sh\``);
        }
    }
    // Make and remove a probe namespace: a container without CAP_SYS_ADMIN fails here, not halfway.
    const probe = `saprobe${process.pid}`;
    const add = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
    if (add.status !== 0) {
        throw new PrereqError(`\`ip netns add\` does not work here (${(add.stderr || "").trim()}); the overlay test needs CAP_SYS_ADMIN and CAP_NET_ADMIN`);
    }
    spawnSync("ip", ["netns", "del", probe]);
}

export function which(cmd: string): string | undefined {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
        const p = path.join(dir, cmd);
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return p;
        } catch {
            /* next */
        }
    }
    return undefined;
}

export interface ManagedProcess {
    name: string;
    child: ChildProcess;
    logFile: string;
    /** Resolves with the exit code (or signal name) once the process has ended. */
    exited: Promise<number | string>;
    isRunning(): boolean;
    log(): string;
}

export interface SpawnOptions {
    /** Network namespace to run in (through `ip netns exec`); root namespace when absent. */
    netns?: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
}

/** What a test made (namespaces, processes, a temp dir), and how to take it all down again. */
export class Sandbox {
    readonly dir: string;
    private readonly namespaces: string[] = [];
    private readonly processes: ManagedProcess[] = [];
    private readonly cleanups: (() => Promise<void> | void)[] = [];
    private done = false;
    private readonly onSignal = (sig: NodeJS.Signals) => {
        this.cleanupSync();
        process.exit(sig === "SIGINT" ? 130 : 143);
    };
    private readonly onExit = () => this.cleanupSync();
    private readonly entry: RunEntry<{ namespaces: string[] }>;

    constructor(readonly prefix: string) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
        fs.chmodSync(this.dir, 0o700);
        this.entry = { id: path.basename(this.dir), dir: this.dir, removeDir: true, owner: currentProcess(), processes: [], data: { namespaces: this.namespaces } };
        sandboxRegistry().write(this.entry);
        process.once("SIGINT", this.onSignal);
        process.once("SIGTERM", this.onSignal);
        process.once("exit", this.onExit);
    }

    /** `ip netns add`, with loopback up. The name is recorded for cleanup before it is made. */
    addNamespace(name: string): string {
        this.namespaces.push(name);
        sandboxRegistry().write(this.entry);
        run("ip", ["netns", "add", name]);
        run("ip", ["-n", name, "link", "set", "lo", "up"]);
        return name;
    }

    /**
     * A veth pair between two namespaces made by this sandbox, with one address each (a /30 or
     * similar prefix inside the namespaces only). Nothing is added to the root namespace.
     */
    link(a: { ns: string; ifname: string; cidr: string }, b: { ns: string; ifname: string; cidr: string }): void {
        run("ip", ["-n", a.ns, "link", "add", a.ifname, "type", "veth", "peer", "name", b.ifname, "netns", b.ns]);
        for (const end of [a, b]) {
            run("ip", ["-n", end.ns, "addr", "add", end.cidr, "dev", end.ifname]);
            run("ip", ["-n", end.ns, "link", "set", end.ifname, "up"]);
        }
    }

    /** Starts a long-running process in its own process group, output to a log file in the sandbox dir. */
    spawn(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): ManagedProcess {
        const logFile = path.join(this.dir, `${name}.log`);
        const fd = fs.openSync(logFile, "a", 0o600);
        const [file, argv] = opts.netns ? runsOnceRecorded("ip", ["netns", "exec", opts.netns, cmd, ...args]) : runsOnceRecorded(cmd, args);
        const child = spawn(file, argv, {
            detached: true,
            stdio: ["pipe", fd, fd],
            env: opts.env ?? process.env,
            cwd: opts.cwd,
        });
        fs.closeSync(fd);
        if (child.pid !== undefined) {
            this.entry.processes.push(recordProcess(name, child.pid));
            sandboxRegistry().write(this.entry);
            release(child);
        }
        let running = true;
        const exited = new Promise<number | string>((resolve) => {
            child.once("exit", (code, signal) => {
                running = false;
                resolve(code ?? signal ?? "unknown");
            });
            child.once("error", (err) => {
                running = false;
                fs.appendFileSync(logFile, `\nspawn error: ${err.message}\n`);
                resolve("spawn-error");
            });
        });
        const proc: ManagedProcess = {
            name,
            child,
            logFile,
            exited,
            isRunning: () => running,
            log: () => readTail(logFile),
        };
        this.processes.push(proc);
        return proc;
    }

    /** Stops one process (its whole group): SIGTERM, then SIGKILL after a grace period. */
    async stop(proc: ManagedProcess, graceMs = 5000): Promise<void> {
        if (!proc.isRunning() || proc.child.pid === undefined) return;
        killGroup(proc.child.pid, "SIGTERM");
        const t = new Promise((r) => setTimeout(r, graceMs).unref());
        await Promise.race([proc.exited, t]);
        if (proc.isRunning()) {
            killGroup(proc.child.pid, "SIGKILL");
            await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
        }
    }

    /** Registers extra teardown (servers, controller), run first and in reverse order. */
    defer(fn: () => Promise<void> | void): void {
        this.cleanups.push(fn);
    }

    /**
     * Takes down everything this sandbox made; safe to call twice. Order: the processes it started
     * (so nothing reconnects or holds a relay open), then the deferred steps in reverse order, then
     * any process still referring to the sandbox dir (e.g. a controller forked by a harness), then
     * the namespaces and the dir. Returns what could not be undone.
     */
    async cleanup(): Promise<string[]> {
        if (this.done) return [];
        const problems: string[] = [];
        await Promise.all(this.processes.map((p) => this.stop(p)));
        for (const fn of this.cleanups.splice(0).reverse()) {
            try {
                await fn();
            } catch (e) {
                problems.push(`cleanup step failed: ${(e as Error).message}`);
            }
        }
        for (const p of this.processes) {
            if (p.isRunning()) problems.push(`process ${p.name} (pid ${p.child.pid}) did not stop`);
        }
        const strays = processesReferring(this.dir);
        for (const pid of strays) killPid(pid, "SIGKILL");
        if (strays.length) problems.push(`processes still using ${this.dir} had to be killed: ${strays.join(", ")}`);
        problems.push(...this.removeNamespacesAndDir());
        this.done = true;
        process.removeListener("SIGINT", this.onSignal);
        process.removeListener("SIGTERM", this.onSignal);
        process.removeListener("exit", this.onExit);
        return problems;
    }

    /** Last-resort teardown for signals and process exit: no awaiting, SIGKILL straight away. */
    cleanupSync(): void {
        if (this.done) return;
        this.done = true;
        for (const p of this.processes) {
            if (p.isRunning() && p.child.pid !== undefined) killGroup(p.child.pid, "SIGKILL");
        }
        for (const pid of processesReferring(this.dir)) killPid(pid, "SIGKILL");
        this.removeNamespacesAndDir();
    }

    private removeNamespacesAndDir(): string[] {
        const problems: string[] = [];
        for (const ns of this.namespaces.splice(0).reverse()) {
            // Anything still inside (a process this sandbox did not start, e.g. a grandchild that
            // changed its group) would keep the namespace alive: kill it first.
            const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" });
            for (const pid of (pids.stdout || "").split(/\s+/).filter(Boolean)) killPid(Number(pid), "SIGKILL");
            const del = spawnSync("ip", ["netns", "del", ns], { encoding: "utf8" });
            if (del.status !== 0 && fs.existsSync(`/run/netns/${ns}`)) {
                problems.push(`could not delete namespace ${ns}: ${(del.stderr || "").trim()}`);
            }
        }
        try {
            fs.rmSync(this.dir, { recursive: true, force: true });
            sandboxRegistry().remove(this.entry.id);
        } catch (e) {
            problems.push(`could not remove ${this.dir}: ${(e as Error).message}`);
        }
        return problems;
    }
}

/** Runs a short command to completion; throws with its stderr when it fails. */
export function run(cmd: string, args: string[], opts: { netns?: string; input?: string; timeoutMs?: number } = {}): string {
    const [file, argv] = opts.netns ? ["ip", ["netns", "exec", opts.netns, cmd, ...args]] : [cmd, args];
    try {
        return execFileSync(file, argv, {
            encoding: "utf8",
            input: opts.input,
            timeout: opts.timeoutMs ?? 30000,
            stdio: ["pipe", "pipe", "pipe"],
        });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`\`${[file, ...argv].join(" ")}\` failed: ${(err.stderr || err.message).trim()}`);
    }
}

/** Like `run`, but never throws: status and both streams, for commands that are expected to fail. */
export function tryRun(
    cmd: string,
    args: string[],
    opts: { netns?: string; timeoutMs?: number; cwd?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
    const [file, argv] = opts.netns ? ["ip", ["netns", "exec", opts.netns, cmd, ...args]] : [cmd, args];
    const r = spawnSync(file, argv, { encoding: "utf8", timeout: opts.timeoutMs ?? 30000, cwd: opts.cwd });
    return { status: r.status, stdout: r.stdout || "", stderr: r.stderr || (r.error ? r.error.message : "") };
}

/**
 * Pids of processes of ours (same uid: another user's process that names the path is not ours to kill)
 * whose command line, working directory or environment points inside `dir` (a
 * unique temp dir of one sandbox): what this sandbox started through a helper that does not hand out
 * its pid (a controller forked by a harness, an engine started by the Automation API with its state
 * and home in the sandbox).
 */
export function processesReferring(dir: string): number[] {
    const out: number[] = [];
    let entries: string[] = [];
    try {
        entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
    } catch {
        return out;
    }
    for (const e of entries) {
        const pid = Number(e);
        if (pid === process.pid) continue;
        try {
            if (fs.lstatSync(`/proc/${e}`).uid !== (process.getuid ? process.getuid() : -1)) continue;
            const cmdline = fs.readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
            let cwd = "";
            try {
                cwd = fs.readlinkSync(`/proc/${e}/cwd`);
            } catch {
                /* no access or gone */
            }
            let environ: string[] = [];
            try {
                environ = fs.readFileSync(`/proc/${e}/environ`, "utf8").split("\0");
            } catch {
                /* no access or gone */
            }
            const inside = (p: string) => p === dir || p.startsWith(dir + path.sep) || p.includes(`=${dir}${path.sep}`) || p.includes(`://${dir}${path.sep}`);
            if (cmdline.some(inside) || inside(cwd) || environ.some(inside)) out.push(pid);
        } catch {
            /* gone */
        }
    }
    return out;
}

/**
 * `tryRun` without blocking the event loop (in-process servers, e.g. relays, keep serving while it
 * runs): status and both streams, never throws.
 */
export function tryRunAsync(
    cmd: string,
    args: string[],
    opts: { netns?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const [file, argv] = opts.netns ? ["ip", ["netns", "exec", opts.netns, cmd, ...args]] : [cmd, args];
    return new Promise((resolve) => {
        execFile(file, argv, { encoding: "utf8", timeout: opts.timeoutMs ?? 30000, cwd: opts.cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            const status = err ? (typeof (err as any).code === "number" ? (err as any).code : null) : 0;
            resolve({ status, stdout: stdout || "", stderr: stderr || (err && status === null ? err.message : "") });
        });
    });
}

function killPid(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(pid, sig);
    } catch {
        /* already gone */
    }
}

function readTail(file: string, max = 4000): string {
    try {
        const s = fs.readFileSync(file, "utf8");
        return s.length > max ? "…" + s.slice(-max) : s;
    } catch {
        return "";
    }
}
