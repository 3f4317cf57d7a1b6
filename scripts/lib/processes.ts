// The processes the local tools start: each daemon (controller, router, tunneler, API server, dockerd, ...) is
// spawned detached, as the leader of its own process group, so that a signal to the group reaches its children too.

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

/** Whether `pid` exists and may be signalled by us (signal 0: nothing is sent). A zombie still counts. */
export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/**
 * The argv that runs `cmd args` so that the kernel SIGKILLs it when this process dies, however it dies (SIGKILL
 * included): setpriv(1) of util-linux sets PR_SET_PDEATHSIG (prctl(2)) and then execs `cmd`, which keeps it
 * (it is cleared only on a set-user-ID exec). Left open: this process dying between the fork and setpriv's
 * prctl (a few milliseconds), after which the child is no longer ours to be told about.
 */
export function tiedToThisProcess(cmd: string, args: string[]): [string, string[]] {
    return ["setpriv", ["--pdeathsig", "KILL", "--", cmd, ...args]];
}
