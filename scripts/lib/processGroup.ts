// Stopping what the local tools started: each daemon (controller, router, tunneler, API server, ...) is spawned
// detached, as the leader of its own process group, so that a signal to the group reaches its children too.

/** Sends `sig` to the process group led by `pid`, or to `pid` alone when it leads none; a process already gone is not an error. */
export function killGroup(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(-pid, sig);
    } catch {
        try {
            process.kill(pid, sig);
        } catch {
            /* already gone */
        }
    }
}
