// Peak memory of a process tree, sampled from /proc: `pulumi` (the engine) and the plugins it starts as its
// children (language host, the program, the dynamic provider that runs the Ziti kinds, the Kubernetes plugins).
// VmHWM is the kernel's own per-process peak RSS, so a sample only has to see each process once before it exits.
import * as fs from "fs";

export type ProcClass = "engine" | "languageHost" | "program" | "zitiProvider" | "kubernetes" | "other";

export interface ProcPeaks {
    /** Highest VmHWM of one process of the class, in MiB. */
    maxEachMiB: Record<ProcClass, number>;
    /** Processes of the class seen. */
    count: Record<ProcClass, number>;
    /** Highest sum of current RSS over the whole tree seen in one sample, in MiB (shared file pages counted per process). */
    treeMiB: number;
    /** Highest sum of private (anonymous) RSS over the tree in one sample, in MiB: what the tree really holds. */
    treeAnonMiB: number;
    /** Highest private (anonymous) RSS of one process of the class, in MiB. */
    maxAnonMiB: Record<ProcClass, number>;
    /** CPU seconds (user + system) used by the processes of the class (last sample before each exited). */
    cpuSec: Record<ProcClass, number>;
    /** First time (ms after start) a process of the class was seen. */
    firstSeenMs: Partial<Record<ProcClass, number>>;
}

function classify(cmdline: string): ProcClass {
    // The SDK's plugin wrapper asks `node -e "...require.resolve('@pulumi/pulumi/cmd/dynamic-provider')"` first.
    if (/\0-e\0/.test(cmdline)) return "other";
    if (/pulumi-resource-kubernetes/.test(cmdline)) return "kubernetes";
    if (/cmd\/dynamic-provider/.test(cmdline)) return "zitiProvider";
    if (/pulumi-language-nodejs/.test(cmdline)) return "languageHost";
    if (/@pulumi\/pulumi\/cmd\/run\b/.test(cmdline)) return "program";
    if (/(^|\/)pulumi\0/.test(cmdline)) return "engine";
    return "other";
}

function read(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

function kib(status: string, field: string): number {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return m ? Number(m[1]) : 0;
}

/** Samples the tree under `rootPid` every `intervalMs` until `stop()`. */
export function sampleTree(rootPid: number, intervalMs = 100): { stop(): ProcPeaks } {
    const t0 = Date.now();
    const classes: ProcClass[] = ["engine", "languageHost", "program", "zitiProvider", "kubernetes", "other"];
    const peaks: ProcPeaks = {
        maxEachMiB: Object.fromEntries(classes.map((c) => [c, 0])) as Record<ProcClass, number>,
        count: Object.fromEntries(classes.map((c) => [c, 0])) as Record<ProcClass, number>,
        treeMiB: 0,
        treeAnonMiB: 0,
        maxAnonMiB: Object.fromEntries(classes.map((c) => [c, 0])) as Record<ProcClass, number>,
        cpuSec: Object.fromEntries(classes.map((c) => [c, 0])) as Record<ProcClass, number>,
        firstSeenMs: {},
    };
    const seen = new Map<number, ProcClass>();
    const cpu = new Map<number, number>();
    const ticks = 100; // USER_HZ on Linux
    const tick = () => {
        const parent = new Map<number, number>();
        const cpuNow = new Map<number, number>();
        for (const d of fs.readdirSync("/proc")) {
            if (!/^\d+$/.test(d)) continue;
            const stat = read(`/proc/${d}/stat`);
            if (!stat) continue;
            // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
            const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            parent.set(Number(d), Number(f[1]));
            // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the state field.
            cpuNow.set(Number(d), (Number(f[11]) + Number(f[12])) / ticks);
        }
        const inTree = (pid: number): boolean => {
            for (let p = pid, i = 0; p > 1 && i < 50; p = parent.get(p) ?? 0, i++) if (p === rootPid) return true;
            return false;
        };
        let total = 0;
        let anon = 0;
        for (const pid of parent.keys()) {
            if (!inTree(pid)) continue;
            const status = read(`/proc/${pid}/status`);
            if (!status) continue;
            let cls = seen.get(pid);
            if (!cls) {
                cls = classify(read(`/proc/${pid}/cmdline`) ?? "");
                seen.set(pid, cls);
                peaks.count[cls]++;
                if (peaks.firstSeenMs[cls] === undefined) peaks.firstSeenMs[cls] = Date.now() - t0;
            }
            peaks.maxEachMiB[cls] = Math.max(peaks.maxEachMiB[cls], kib(status, "VmHWM") / 1024);
            const a = kib(status, "RssAnon") / 1024;
            peaks.maxAnonMiB[cls] = Math.max(peaks.maxAnonMiB[cls], a);
            total += kib(status, "VmRSS") / 1024;
            anon += a;
            const c = cpuNow.get(pid) ?? 0;
            peaks.cpuSec[cls] += c - (cpu.get(pid) ?? 0);
            cpu.set(pid, c);
        }
        peaks.treeMiB = Math.max(peaks.treeMiB, total);
        peaks.treeAnonMiB = Math.max(peaks.treeAnonMiB, anon);
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    return {
        stop() {
            clearInterval(timer);
            return peaks;
        },
    };
}
