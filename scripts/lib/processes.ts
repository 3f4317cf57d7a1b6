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

/** The exit status of a tied child that found its parent gone before it was tied (see tiedToThisProcess). */
export const UNTIED_EXIT = 70;

/**
 * The argv that runs `cmd args` so that the kernel SIGKILLs it when this process dies, however it dies (SIGKILL
 * included): setpriv(1) of util-linux sets PR_SET_PDEATHSIG (prctl(2)) and then execs `cmd`, which keeps it
 * (it is cleared only on a set-user-ID exec). This process could die between the fork and setpriv's prctl (a few
 * milliseconds), and the kernel would then have nobody to signal it for: so after the prctl a shell checks that its
 * parent is still this process (POSIX sh sets $PPID at start) and otherwise exits with UNTIED_EXIT instead of
 * running `cmd` on its own.
 */
export function tiedToThisProcess(cmd: string, args: string[]): [string, string[]] {
    const guard = `if [ "$PPID" = "$0" ]; then exec "$@"; fi; exit ${UNTIED_EXIT}`;
    return ["setpriv", ["--pdeathsig", "KILL", "--", "/bin/sh", "-c", guard, String(process.pid), cmd, ...args]];
}

/**
 * The argv that runs `cmd args` only once the caller has recorded the process: a shell waits for one line on its
 * stdin (a pipe from the caller) and then execs `cmd` with stdin from /dev/null (same pid, same start time). A
 * caller killed between its spawn and its record (a SIGKILLed `up` in the middle of starting daemons) closes the
 * pipe unwritten and the shell exits with UNTIED_EXIT, instead of leaving a detached daemon no record names and no
 * reaper would find. Spawn it with stdin "pipe" and call `release(child)` after the record is written.
 */
export function runsOnceRecorded(cmd: string, args: string[]): [string, string[]] {
    return ["/bin/sh", ["-c", `read -r _ || exit ${UNTIED_EXIT}; exec "$@" </dev/null`, "sh", cmd, ...args]];
}

/** Lets a child started with runsOnceRecorded run its command. */
export function release(child: { stdin: NodeJS.WritableStream | null }): void {
    child.stdin?.end("\n");
}
