// Reaps the network-namespace sandboxes (netns.ts) of runs that were killed outright (SIGKILL: no exit hooks),
// from the private run registry only: their recorded processes (while still the same processes), processes of
// ours still using their dir, their recorded namespaces, and their dir when it is still a private dir of ours.
// Nothing is found by name in /tmp, which any local user can write.
import * as fs from "fs";
import { processesReferring, sandboxRegistry, tryRun } from "./netns";
import { killRecorded, removeRunDir } from "./runRegistry";

/** Undoes every stale sandbox; returns one note per thing removed. */
export function reapStaleSandboxes(): string[] {
    const notes: string[] = [];
    const registry = sandboxRegistry();
    for (const run of registry.stale()) {
        killRecorded(run.processes, "SIGKILL");
        for (const pid of processesReferring(run.dir)) {
            try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
        }
        for (const ns of run.data?.namespaces ?? []) {
            // Names come from our own registry; a namespace can only be made by root (/run/netns).
            if (typeof ns !== "string" || !/^[A-Za-z0-9_.-]+$/.test(ns) || !fs.existsSync(`/run/netns/${ns}`)) continue;
            for (const pid of tryRun("ip", ["netns", "pids", ns]).stdout.split(/\s+/).filter(Boolean)) {
                try { process.kill(Number(pid), "SIGKILL"); } catch { /* gone */ }
            }
            if (tryRun("ip", ["netns", "del", ns]).status === 0) notes.push(`removed namespace ${ns} left by a killed run`);
        }
        if (removeRunDir(run)) {
            registry.remove(run.id);
            notes.push(`removed ${run.dir} left by a killed run`);
        }
    }
    return notes;
}
