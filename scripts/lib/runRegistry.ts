// Where the local harnesses (control planes, Docker engines, network-namespace sandboxes, API tunnels) record
// their runs, so that the next start can reap what a killed run left, without trusting anything another user
// could have written. A run is one JSON entry in a private registry directory:
//
//   const reg = new RunRegistry("kube");
//   reg.write({ id, dir, removeDir: true, owner: currentProcess(), processes: [recordProcess("etcd", pid)] });
//   for (const run of reg.stale()) { killRecorded(run.processes, "SIGKILL"); removeRunDir(run); reg.remove(run.id); }
//
// What makes it safe on a shared host (tests run as root; /tmp is world-writable):
// - the registry lives under the invoking user's home from the password database (not $HOME, not /tmp), or
//   $XDG_RUNTIME_DIR; every directory from it up to / is checked with lstat: owned by this user or root,
//   writable by nobody else (a world-writable sticky dir only above a dir of ours);
// - an entry counts only when it is a regular file of this user's, writable by nobody else;
// - a run's dir is removed only when it is a real directory (not a link) of this user's with mode 0700, and
//   paths a run asks to remove are normalised and must lie inside that dir;
// - a process is signalled only when it is still the one recorded: same pid, same start time
//   (/proc/<pid>/stat field 22, proc(5)), owned by this user.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { killGroup } from "./processes";

export interface ProcessRecord {
    name: string;
    pid: number;
    /** Start time in clock ticks since boot (proc(5) /proc/<pid>/stat field 22): tells a reused pid apart. */
    startTime: string;
}

export interface RunEntry<T = unknown> {
    /** Unique within its kind: the entry's file name. Letters, digits, `.`, `_`, `-`. */
    id: string;
    /** The run's own directory: everything it made on disk. */
    dir: string;
    /** Remove `dir` when reaped. */
    removeDir: boolean;
    /** The process that owns the run; absent: a persistent run, never reaped as stale. */
    owner?: ProcessRecord;
    processes: ProcessRecord[];
    /** Whatever else the harness needs to undo its run (JSON only). */
    data?: T;
}

const uid = () => (process.getuid ? process.getuid() : -1);

/** Start time of `pid` (field 22 of /proc/<pid>/stat), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // "pid (comm) state ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
        return undefined;
    }
}

export function recordProcess(name: string, pid: number): ProcessRecord {
    const startTime = processStartTime(pid);
    if (startTime === undefined) throw new Error(`${name} (pid ${pid}) ended before it could be recorded`);
    return { name, pid, startTime };
}

export function currentProcess(): ProcessRecord {
    return recordProcess("owner", process.pid);
}

/** Whether the recorded process is still that process (same start time) and ours (same uid). */
export function isRecordedProcess(p: ProcessRecord): boolean {
    if (!Number.isInteger(p.pid) || p.pid <= 1 || p.pid === process.pid) return false;
    try {
        if (fs.lstatSync(`/proc/${p.pid}`).uid !== uid()) return false;
    } catch {
        return false;
    }
    return processStartTime(p.pid) === String(p.startTime);
}

/** Signals the process groups of those recorded processes that are still what was recorded; returns them. */
export function killRecorded(processes: ProcessRecord[], sig: NodeJS.Signals): ProcessRecord[] {
    const ours = processes.filter(isRecordedProcess);
    for (const p of ours) killGroup(p.pid, sig);
    return ours;
}

/** A real directory (not a link) owned by this user, that nobody else may enter or write. */
export function isPrivateDir(dir: string): boolean {
    try {
        const st = fs.lstatSync(dir);
        return st.isDirectory() && st.uid === uid() && (st.mode & 0o077) === 0;
    } catch {
        return false;
    }
}

/** A regular file (not a link) owned by this user that nobody else may write. */
export function isOwnFile(file: string): boolean {
    try {
        const st = fs.lstatSync(file);
        return st.isFile() && st.uid === uid() && (st.mode & 0o022) === 0;
    } catch {
        return false;
    }
}

/** JSON from a file of ours (isOwnFile), or undefined. */
export function readOwnJson<T>(file: string): T | undefined {
    if (!isOwnFile(file)) return undefined;
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as T;
    } catch {
        return undefined;
    }
}

/** Writes JSON 0600 through a temp file and a rename (a reader never sees half an entry). */
export function writeOwnJson(file: string, value: unknown): void {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true });
    fs.writeFileSync(tmp, JSON.stringify(value, null, 2), { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, file);
}

/** `p` normalised, when it lies strictly inside `dir`; undefined otherwise (`..`, another tree, a relative path). */
export function insideDir(dir: string, p: string): string | undefined {
    if (typeof p !== "string" || !path.isAbsolute(p)) return undefined;
    const rel = path.relative(path.resolve(dir), path.resolve(p));
    return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? path.resolve(p) : undefined;
}

/**
 * Whether only this user (and root) can change what `dir` holds or where it points: it is a private dir, and
 * every directory above it is owned by this user or root and writable by nobody else, except a sticky one
 * (like /tmp) directly holding a directory of ours, which others cannot rename or remove.
 */
export function isSecurePath(dir: string): boolean {
    let real: string;
    try {
        real = fs.realpathSync(dir);
    } catch {
        return false;
    }
    if (!isPrivateDir(real)) return false;
    let child = real;
    for (let p = path.dirname(real); ; p = path.dirname(p)) {
        const st = fs.lstatSync(p);
        if (st.uid !== uid() && st.uid !== 0) return false;
        if (st.mode & 0o022) {
            const sticky = (st.mode & 0o1000) !== 0;
            if (!sticky || fs.lstatSync(child).uid !== uid()) return false;
        }
        if (p === path.dirname(p)) return true;
        child = p;
    }
}

/** The registry's root: $SCRAPE_ANYWHERE_RUNS, else $XDG_RUNTIME_DIR/scrape-anywhere-runs, else ~/.cache/scrape-anywhere/runs (home from passwd). */
export function registryRoot(): string {
    if (process.env.SCRAPE_ANYWHERE_RUNS) return path.resolve(process.env.SCRAPE_ANYWHERE_RUNS);
    const xdg = process.env.XDG_RUNTIME_DIR;
    if (xdg && path.isAbsolute(xdg) && isSecurePath(xdg)) return path.join(xdg, "scrape-anywhere-runs");
    return path.join(os.userInfo().homedir, ".cache", "scrape-anywhere", "runs");
}

/** The runs of one kind of harness (`kube`, `dockerd`, `sandbox`, ...), each an entry file in a private directory. */
export class RunRegistry<T = unknown> {
    readonly dir: string;

    constructor(readonly kind: string, root: string = registryRoot()) {
        if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new Error(`RunRegistry: bad kind "${kind}"`);
        this.dir = path.join(root, kind);
    }

    /** Makes the directory (0700) and checks it; throws naming the fix when another user could write to it. */
    private ensure(): string {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        if (!isSecurePath(this.dir)) {
            throw new Error(`the run registry ${this.dir} (or a directory above it) can be written by another user: ` +
                `make it ${os.userInfo().username}'s with mode 0700, or point SCRAPE_ANYWHERE_RUNS at a private directory`);
        }
        return this.dir;
    }

    private file(id: string): string {
        if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith(".")) throw new Error(`RunRegistry: bad run id "${id}"`);
        return path.join(this.dir, `${id}.json`);
    }

    write(entry: RunEntry<T>): void {
        this.ensure();
        writeOwnJson(this.file(entry.id), entry);
    }

    remove(id: string): void {
        fs.rmSync(this.file(id), { force: true });
    }

    /** Every entry that is ours and well formed; nothing at all when the registry itself is not private. */
    list(): RunEntry<T>[] {
        if (!fs.existsSync(this.dir) || !isSecurePath(this.dir)) return [];
        const out: RunEntry<T>[] = [];
        for (const f of fs.readdirSync(this.dir)) {
            if (!f.endsWith(".json")) continue;
            const e = readOwnJson<RunEntry<T>>(path.join(this.dir, f));
            if (e && `${e.id}.json` === f && typeof e.dir === "string" && path.isAbsolute(e.dir) && Array.isArray(e.processes)) {
                out.push({ ...e, dir: path.resolve(e.dir) });
            }
        }
        return out;
    }

    /** Entries whose owner process is gone (a killed run). Persistent entries (no owner) are never stale. */
    stale(): RunEntry<T>[] {
        return this.list().filter((e) => e.owner && processStartTime(e.owner.pid) !== String(e.owner.startTime));
    }
}

/** Removes a run's dir when it asked for that and the dir is still a private dir of ours; true when it is gone. */
export function removeRunDir(entry: { dir: string; removeDir: boolean }): boolean {
    if (!entry.removeDir) return true;
    if (!fs.existsSync(entry.dir)) return true;
    if (!isPrivateDir(entry.dir)) return false;
    fs.rmSync(entry.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    return !fs.existsSync(entry.dir);
}
