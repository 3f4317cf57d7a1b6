// A private Docker engine for tests: Debian's dockerd and containerd (package docker.io), each with its own
// state in one temp directory, listening only on a unix socket there, and changing nothing in the host's
// network setup (no bridge, no iptables rules, no IP forwarding or masquerading, no userland proxy).
//
//   const engine = await startDockerd();       // installs nothing: run scripts/ensure-docker-deps.sh first
//   ... engine.host ("unix:///tmp/sa-dockerd-XXXX/docker.sock"), await engine.docker(["ps"]) ...
//   await engine.stop();                       // stops both by pid, unmounts, removes the temp directory
//
// Our own containerd (not the one dockerd would supervise) so that its pid, config and state are ours too.
// What the two daemons create outside the temp directory whatever their flags say is recorded when it did
// not exist before and removed on stop: containerd's shim socket directory (/run/containerd/s, hard-coded in
// containerd 1.6's runtime/v2/shim), dockerd's plugin socket directory (/run/docker/plugins, the default of
// moby's pkg/plugins). Containers get the cgroup parent /<temp dir name> (dockerd --cgroup-parent), removed
// on stop. Each engine is recorded in the private run registry (runRegistry.ts, kind `dockerd`) with its owner
// and daemons (pid and start time): the next start reaps a run whose owner is gone (its daemons, the shims and
// processes of ours whose command line names its directory, its mounts, cgroups, and those of the fixed host
// paths above that it created). Nothing found in /tmp by name is trusted.
import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { alive, release, runsOnceRecorded } from "./processes";
import { currentProcess, isRecordedProcess, recordProcess, removeRunDir, RunEntry, RunRegistry } from "./runRegistry";

const PREFIX = "sa-dockerd-";
/** The host paths the daemons create whatever their flags say (see the header): the only ones ever removed, when empty. */
const HOST_PATHS = ["/run/containerd/s", "/run/containerd", "/run/docker/plugins", "/run/docker"];
const registry = () => new RunRegistry<{ createdHostPaths: string[] }>("dockerd");

export interface Dockerd {
    /** The temp directory holding everything of this engine. */
    dir: string;
    /** Its API socket. */
    socket: string;
    /** `unix://<socket>`: the Pulumi Docker provider's `host`, the CLI's `-H`. */
    host: string;
    /** Runs the docker CLI against this engine; resolves to stdout, rejects with stderr. */
    docker(args: string[], input?: string | Buffer): Promise<string>;
    /** Stops dockerd, then containerd, by pid; removes the temp directory and what the daemons left outside it. */
    stop(): Promise<void>;
}

export interface DockerdOptions {
    /** Give up waiting for the API after this many ms. Default 60000. */
    timeoutMs?: number;
    /**
     * Run both daemons in this network namespace (`ip netns add` name): the networks the engine makes (a user-defined
     * bridge) are then that namespace's, not the host's. Only the network namespace is entered (`nsenter --net`), so
     * the engine's mounts stay visible to stop() and the next run's reaping. Default: this process's namespace.
     */
    netns?: string;
}

/** Where the Debian packages put the binaries; PATH first. */
function which(cmd: string): string | undefined {
    for (const d of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
        const p = path.join(d, cmd);
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return p;
        } catch { /* next */ }
    }
    return undefined;
}

const ENSURE = "bash scripts/ensure-docker-deps.sh";

/** The binaries, or an error that says how to get them. */
export function dockerBinaries(): { dockerd: string; containerd: string; docker: string } {
    const dockerd = which("dockerd");
    const containerd = which("containerd");
    const docker = which("docker");
    if (!dockerd || !containerd || !docker) {
        const missing = [!dockerd && "dockerd", !containerd && "containerd", !docker && "docker"].filter(Boolean).join(", ");
        throw new Error(`${missing} not found: install Debian's docker.io with \`${ENSURE}\` (as root), ` +
            `or \`sudo apt-get install -y --no-install-recommends docker.io busybox-static\``);
    }
    return { dockerd, containerd, docker };
}

function cmdline(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
        return "";
    }
}

/**
 * Pids of processes of ours (same uid) with an argument that is `dir` or a path inside it, also after `=` or
 * `unix://` (dockerd, containerd, its shims): a longer name that merely starts with `dir` does not count.
 */
function processesOf(dir: string): number[] {
    const names = (a: string) => [a, a.replace(/^[^=]*=/, ""), a.replace(/^unix:\/\//, "")].some((p) => p === dir || p.startsWith(dir + "/"));
    const uid = process.getuid ? process.getuid() : -1;
    return fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
        if (pid === process.pid) return false;
        try {
            return fs.lstatSync(`/proc/${pid}`).uid === uid && cmdline(pid).split(" ").some(names);
        } catch {
            return false;
        }
    });
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
    const lines = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n");
    return lines.map((l) => l.split(" ")[4]).filter((m) => m && (m === dir || m.startsWith(dir + "/")))
        .map((m) => m.replace(/\\040/g, " ")).sort((a, b) => b.length - a.length);
}

/** The container cgroups of an engine: /sys/fs/cgroup/<controller>/<name> (v1) or /sys/fs/cgroup/<name> (v2). */
function cgroupDirs(name: string): string[] {
    const root = "/sys/fs/cgroup";
    const out: string[] = [];
    if (fs.existsSync(path.join(root, name))) out.push(path.join(root, name));
    for (const c of fs.existsSync(root) ? fs.readdirSync(root) : []) {
        const d = path.join(root, c, name);
        if (fs.existsSync(d)) out.push(d);
    }
    return out;
}

function rmdirTree(d: string): void {
    // cgroup directories are removed with rmdir, children first (their files are not real files).
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(path.join(d, e.name));
    fs.rmdirSync(d);
}

async function sleep(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
}

async function waitGone(pids: number[], ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (pids.some(alive) && Date.now() < until) await sleep(100);
}

/** Pids in the engine's container cgroups (the containers' processes, which name nothing of `dir`). */
function cgroupProcesses(name: string): number[] {
    const out = new Set<number>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            if (e.isDirectory()) walk(path.join(d, e.name));
            else if (e.name === "cgroup.procs") {
                for (const l of fs.readFileSync(path.join(d, e.name), "utf8").split("\n")) if (/^\d+$/.test(l)) out.add(Number(l));
            }
        }
    };
    for (const d of cgroupDirs(name)) { try { walk(d); } catch { /* removed meanwhile */ } }
    return [...out];
}

/** Everything an engine left: its containers and processes, mounts, cgroups, the fixed host paths it created, its directory. */
async function reap(engine: RunEntry<{ createdHostPaths: string[] }>, docker?: string): Promise<void> {
    const dir = engine.dir;
    const socket = path.join(dir, "docker.sock");
    if (docker && fs.existsSync(socket)) {
        // A dockerd that outlived its run still knows its containers: let it remove them (and their shims).
        try {
            const ids = (await run(docker, ["-H", `unix://${socket}`, "ps", "-aq"], undefined, 20_000)).split("\n").filter(Boolean);
            if (ids.length) await run(docker, ["-H", `unix://${socket}`, "rm", "-f", "-v", ...ids], undefined, 60_000);
        } catch { /* not answering: the processes are killed below */ }
    }
    // The recorded daemons (if still the same processes), then whatever of ours still names the directory.
    let pids = [...engine.processes.filter(isRecordedProcess).map((p) => p.pid), ...processesOf(dir)];
    for (const p of pids) { try { process.kill(p, "SIGTERM"); } catch { /* gone */ } }
    await waitGone(pids, 10_000);
    pids = processesOf(dir);
    for (const p of pids) { try { process.kill(p, "SIGKILL"); } catch { /* gone */ } }
    await waitGone(pids, 5_000);
    // Container processes whose shim is gone keep running in their cgroups.
    pids = cgroupProcesses(path.basename(dir));
    for (const p of pids) { try { process.kill(p, "SIGKILL"); } catch { /* gone */ } }
    await waitGone(pids, 5_000);
    for (const m of mountsUnder(dir)) {
        try { execFileSync("umount", ["-l", m], { stdio: "ignore" }); } catch { /* already gone */ }
    }
    for (const d of cgroupDirs(path.basename(dir))) {
        try { rmdirTree(d); } catch { /* a process still in it: left for the next reap */ }
    }
    // Deepest first; only the fixed candidates, only while empty (another engine may be using them by now).
    const created = (engine.data?.createdHostPaths ?? []).filter((p) => HOST_PATHS.includes(p));
    for (const p of created.sort((a, b) => b.length - a.length)) {
        try { fs.rmdirSync(p); } catch { /* not empty or gone */ }
    }
    if (removeRunDir(engine)) registry().remove(engine.id);
}

/** The engines of runs whose owner process is gone (a killed test run), from the private run registry. */
async function reapStale(docker: string): Promise<void> {
    for (const run of registry().stale()) {
        process.stderr.write(`dockerd: removing the engine of a run that did not stop it: ${run.dir}\n`);
        await reap(run, docker);
    }
}

function run(cmd: string, args: string[], input?: string | Buffer, timeout = 0): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, encoding: "buffer", timeout }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${path.basename(cmd)} ${args.join(" ")} failed: ${stderr.toString().trim() || err.message}`));
            else resolve(stdout.toString());
        });
        child.stdin?.on("error", () => { /* the command exited before reading: its error says why */ });
        child.stdin?.end(input ?? "");
    });
}

/** Starts a private engine; see the header. Needs root (dockerd does); says how otherwise. */
export async function startDockerd(opts: DockerdOptions = {}): Promise<Dockerd> {
    const bins = dockerBinaries();
    if (process.getuid && process.getuid() !== 0) {
        throw new Error(`the private Docker engine needs root (dockerd and containerd run as root): run the docker tier as root, ` +
            `e.g. \`sudo -E npm run test:docker\``);
    }
    await reapStale(bins.docker);
    // Short: unix socket paths (also the shims' under the state directory) are limited to 108 bytes.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
    const entry: RunEntry<{ createdHostPaths: string[] }> = {
        id: path.basename(dir), dir, removeDir: true, owner: currentProcess(), processes: [],
        data: { createdHostPaths: HOST_PATHS.filter((p) => !fs.existsSync(p)) },
    };
    registry().write(entry);

    const socket = path.join(dir, "docker.sock");
    const ctrSocket = path.join(dir, "containerd.sock");
    // containerd's config: state, root and every socket in the temp dir; no CRI plugin (nothing of Kubernetes'),
    // no debug or metrics listener; the opt plugin's directory (default /opt/containerd) in the temp dir.
    fs.writeFileSync(path.join(dir, "containerd.toml"), [
        "version = 2",
        `root = ${JSON.stringify(path.join(dir, "containerd", "root"))}`,
        `state = ${JSON.stringify(path.join(dir, "containerd", "state"))}`,
        `disabled_plugins = ["io.containerd.grpc.v1.cri"]`,
        "[grpc]", `  address = ${JSON.stringify(ctrSocket)}`,
        "[ttrpc]", `  address = ${JSON.stringify(ctrSocket + ".ttrpc")}`,
        "[debug]", `  address = ""`,
        "[metrics]", `  address = ""`,
        `[plugins."io.containerd.internal.v1.opt"]`, `  path = ${JSON.stringify(path.join(dir, "containerd", "opt"))}`,
        "",
    ].join("\n"));
    // dockerd reads /etc/docker/daemon.json unless told another file: ours. Its one setting keeps the trust
    // key out of /etc/docker/key.json (moby daemon/config: TrustKeyPath, json "deprecated-key-path", 20.10).
    fs.writeFileSync(path.join(dir, "daemon.json"), JSON.stringify({ "deprecated-key-path": path.join(dir, "key.json") }) + "\n");

    const children: ChildProcess[] = [];
    const logOf = (name: string) => fs.openSync(path.join(dir, `${name}.log`), "a");
    // `ip netns exec` would also give the daemons a mount namespace of their own (it remounts /sys), hiding their
    // container mounts from this process: nsenter enters the network namespace only.
    const inNetns = (bin: string, args: string[]): [string, string[]] =>
        opts.netns ? ["nsenter", [`--net=/run/netns/${opts.netns}`, "--", bin, ...args]] : [bin, args];
    const start = (name: string, bin: string, args: string[]) => {
        const child = spawn(...runsOnceRecorded(...inNetns(bin, args)), { cwd: dir, stdio: ["pipe", logOf(name), logOf(name)] });
        children.push(child);
        if (child.pid !== undefined) {
            entry.processes.push(recordProcess(name, child.pid));
            registry().write(entry);
            release(child);
        }
        return child;
    };
    const stop = async () => {
        // dockerd first (it stops its containers), then containerd; then whatever is left of this directory.
        for (const child of children.reverse()) {
            if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
            child.kill("SIGTERM");
            await waitGone([child.pid], 20_000);
            if (alive(child.pid)) child.kill("SIGKILL");
        }
        process.removeListener("exit", onExit);
        await reap(entry, bins.docker);
    };
    // A test process that exits without calling stop() still takes the daemons with it.
    const onExit = () => { for (const c of children) if (c.pid && alive(c.pid)) c.kill("SIGKILL"); };
    process.on("exit", onExit);

    try {
        const ctr = start("containerd", bins.containerd, ["--config", path.join(dir, "containerd.toml")]);
        await waitFor(() => fs.existsSync(ctrSocket), opts.timeoutMs ?? 60_000, "containerd's socket", dir, ctr, "containerd");
        const dockerd = start("dockerd", bins.dockerd, [
            "--config-file", path.join(dir, "daemon.json"),
            "--data-root", path.join(dir, "data"),
            "--exec-root", path.join(dir, "exec"),
            "--pidfile", path.join(dir, "dockerd.pid"),
            "--host", `unix://${socket}`,
            "--containerd", ctrSocket,
            "--cgroup-parent", `/${path.basename(dir)}`,
            // The host's network setup stays as it is.
            "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false",
            "--userland-proxy=false",
        ]);
        await waitFor(async () => {
            try {
                await run(bins.docker, ["-H", `unix://${socket}`, "version", "--format", "{{.Server.Version}}"]);
                return true;
            } catch {
                return false;
            }
        }, opts.timeoutMs ?? 60_000, "the Docker API", dir, dockerd, "dockerd");
    } catch (e) {
        await stop();
        throw e;
    }

    return {
        dir,
        socket,
        host: `unix://${socket}`,
        docker: (args, input) => run(bins.docker, ["-H", `unix://${socket}`, ...args], input),
        stop,
    };
}

async function waitFor(ok: () => boolean | Promise<boolean>, ms: number, what: string, dir: string, child: ChildProcess, log: string): Promise<void> {
    const until = Date.now() + ms;
    while (!(await ok())) {
        const exited = child.exitCode !== null || child.signalCode !== null;
        if (exited || Date.now() > until) {
            const tail = fs.readFileSync(path.join(dir, `${log}.log`), "utf8").trimEnd().split("\n").slice(-15).join("\n");
            throw new Error(`dockerd: ${what} did not come up ${exited ? `(${log} exited: ${child.exitCode ?? child.signalCode})` : `within ${ms} ms`}; ` +
                `last lines of ${log}.log:\n${tail}`);
        }
        await sleep(250);
    }
}
