// Looking into a real node's running containers from the host, as an operator would with /proc: the container's
// first process (from its cgroup), its /proc status, and the sockets listening in its network namespace.
import * as fs from "fs";
import * as path from "path";
import { cgroupPids } from "./cgroups";

/** The pid of the first process of container `containerID` (`containerd://<id>` or the id) of pod `podUid` under `cgroupRoot`. */
export function containerPid(cgroupRoot: string, podUid: string, containerID: string): number | undefined {
    const id = containerID.replace(/^containerd:\/\//, "");
    for (const qos of ["", "besteffort", "burstable"]) {
        const rel = path.join(cgroupRoot, "kubepods", qos, `pod${podUid}`, id);
        if (fs.existsSync(path.join("/sys/fs/cgroup/pids", rel))) return cgroupPids(rel).sort((a, b) => a - b)[0];
    }
    return undefined;
}

/** Fields of /proc/<pid>/status (Uid, Gid, Seccomp, NoNewPrivs, CapEff, ...). */
export function procStatus(pid: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
        const i = line.indexOf(":");
        if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return out;
}

/** "a.b.c.d" from /proc/net/tcp's little-endian hex, or an IPv6 text from tcp6's 32 hex digits. */
function hexAddress(hex: string): string {
    if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
    const words = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join(""));
    return words.join("").match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, "")).join(":");
}

/** Sockets listening (TCP LISTEN, or any bound UDP) in the network namespace of `pid`: "<proto> <address>:<port>". */
export function listeners(pid: number): string[] {
    const out: string[] = [];
    for (const proto of ["tcp", "tcp6", "udp", "udp6"]) {
        let text = "";
        try {
            text = fs.readFileSync(`/proc/${pid}/net/${proto}`, "utf8");
        } catch {
            continue;
        }
        for (const line of text.split("\n").slice(1)) {
            const f = line.trim().split(/\s+/);
            if (f.length < 4) continue;
            const [addr, port] = f[1].split(":");
            if (proto.startsWith("tcp") && f[3] !== "0A") continue; // 0A = TCP_LISTEN (include/net/tcp_states.h)
            out.push(`${proto} ${hexAddress(addr)}:${parseInt(port, 16)}`);
        }
    }
    return out;
}

/**
 * The TCP sockets process `pid` itself listens on (its fds' socket inodes, matched in /proc/<pid>/net/tcp and tcp6):
 * "<proto> <address>:<port>". For a process of a namespace others share (the root one), where listeners() lists all.
 */
export function processListeners(pid: number): string[] {
    const inodes = new Set<string>();
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
            const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
            if (m) inodes.add(m[1]);
        } catch {
            // closed meanwhile
        }
    }
    const out: string[] = [];
    for (const proto of ["tcp", "tcp6"]) {
        for (const line of fs.readFileSync(`/proc/${pid}/net/${proto}`, "utf8").split("\n").slice(1)) {
            const f = line.trim().split(/\s+/);
            if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9])) continue;
            const [addr, port] = f[1].split(":");
            out.push(`${proto} ${hexAddress(addr)}:${parseInt(port, 16)}`);
        }
    }
    return out;
}

/** Resident memory (bytes) of what a node runs, by part: its daemons, containerd with its shims, and the pods (by cgroup). */
export function nodeMemory(cgroupRoot: string): { daemons: number; runtime: number; pods: number } {
    const rss = (pids: number[]) => pids.reduce((sum, pid) => {
        try {
            return sum + Number(/^Rss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0) * 1024;
        } catch {
            return sum;
        }
    }, 0);
    return { daemons: rss(cgroupPids(`${cgroupRoot}/node`)), runtime: rss(cgroupPids(`${cgroupRoot}/runtime`)), pods: rss(cgroupPids(`${cgroupRoot}/kubepods`)) };
}
