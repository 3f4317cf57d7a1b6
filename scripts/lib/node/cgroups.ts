// The run's own cgroups under every cgroup v1 hierarchy (this machine: v1 "hybrid", no systemd, so the kubelet
// uses the cgroupfs driver under a cgroupRoot of ours). Everything a node runs (containerd, its shims, the pods,
// kubelet, kube-proxy, CoreDNS) is inside them, which is how teardown finds every process: kill what the cgroups
// hold, then remove them deepest first.
import * as fs from "fs";
import * as path from "path";

/**
 * Mount points of the v1 hierarchies (fstype `cgroup`), from /proc/self/mountinfo; with `withV2`, the cgroup2 mount
 * too (hybrid mode's `unified`, where runc also makes the containers' cgroups: teardown must look there).
 */
export function v1Hierarchies(withV2 = false): string[] {
    const out: string[] = [];
    for (const line of fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
        const [pre, post] = line.split(" - ");
        const type = post?.split(" ")[0];
        if (type === "cgroup" || (withV2 && type === "cgroup2")) out.push(pre.split(" ")[4]);
    }
    return out;
}

/** Makes `rel` (e.g. /scrape-anywhere-abc/kubeA/runtime) under every hierarchy; cpuset levels get their parent's cpus and mems. */
export function makeCgroup(rel: string): void {
    for (const h of v1Hierarchies()) {
        let dir = h;
        for (const part of rel.split("/").filter(Boolean)) {
            const parent = dir;
            dir = path.join(dir, part);
            if (!fs.existsSync(dir)) fs.mkdirSync(dir);
            // A new cpuset cgroup has empty cpus/mems and accepts no task until they are set.
            for (const f of ["cpuset.cpus", "cpuset.mems"]) {
                const mine = path.join(dir, f);
                if (fs.existsSync(mine) && fs.readFileSync(mine, "utf8").trim() === "") fs.writeFileSync(mine, fs.readFileSync(path.join(parent, f)));
            }
        }
    }
}

/** Every cgroup directory at or below `rel`, deepest first, in every hierarchy. */
function subtree(rel: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        let entries: fs.Dirent[] = [];
        try {
            entries = fs.readdirSync(d, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
        out.push(d);
    };
    for (const h of v1Hierarchies(true)) {
        const d = path.join(h, rel);
        if (fs.existsSync(d)) walk(d);
    }
    return out;
}

/** The pids in `rel`'s subtree (any hierarchy). */
export function cgroupPids(rel: string): number[] {
    const pids = new Set<number>();
    for (const d of subtree(rel)) {
        try {
            for (const l of fs.readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n")) if (l.trim()) pids.add(Number(l));
        } catch {
            /* removed meanwhile */
        }
    }
    return [...pids];
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * SIGKILLs everything in `rel`'s subtree until it is empty (or `ms` passed), then removes its cgroups deepest first.
 * Synchronous, so exit handlers can use it. Returns the cgroups that could not be removed.
 */
export function destroyCgroup(rel: string, ms = 10_000): string[] {
    const deadline = Date.now() + ms;
    for (;;) {
        const pids = cgroupPids(rel);
        if (!pids.length || Date.now() > deadline) break;
        for (const pid of pids) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                /* gone */
            }
        }
        pause(100);
    }
    const left: string[] = [];
    for (const d of subtree(rel)) {
        try {
            fs.rmdirSync(d);
        } catch {
            pause(50);
            try {
                fs.rmdirSync(d);
            } catch {
                left.push(d);
            }
        }
    }
    return left;
}

/** A shell line that moves the shell itself into `rel` in every hierarchy (then `exec` keeps the daemon there). */
export function joinCgroupShell(rel: string): string {
    return v1Hierarchies().map((h) => `echo $$ > ${JSON.stringify(path.join(h, rel, "cgroup.procs"))}`).join(" && ");
}
