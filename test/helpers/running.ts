// Whether a process runs: it exists and is not a zombie (a killed child not yet reaped by its parent still has a
// /proc entry; signal 0 would call it alive).
import * as fs from "fs";

export function running(pid: number): boolean {
    try {
        return !"ZX".includes(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "X");
    } catch {
        return false;
    }
}
