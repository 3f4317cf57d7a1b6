// Listening TCP sockets of the network namespace of process `pid` (/proc/<pid>/net/tcp, state 0A), as `a.b.c.d:port`.
import * as fs from "fs";

export function listeners(pid: number): string[] {
    return fs.readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1).map(l => l.trim().split(/\s+/)).filter(f => f[3] === "0A").map(f => {
        const [hex, port] = f[1].split(":");
        return `${[3, 2, 1, 0].map(i => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".")}:${parseInt(port, 16)}`;
    });
}
