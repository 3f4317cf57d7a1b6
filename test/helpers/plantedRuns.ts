// What a planted run record aims at, for the shared-host tests of the harnesses (issue 22 finding 5): a
// root-owned directory with a file in it and a root-owned process whose command line names that directory
// (the only test the old reapers made before killing), plus the uid of an unprivileged local user.
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The uid of `nobody` (present on Debian), the other local user that plants records. */
export function hostileUid(): number {
    return Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
}

export interface Victim {
    dir: string;
    /** An empty root-owned dir (a `rmdir` target). */
    emptyDir: string;
    pid: number;
    assertUntouched(): void;
    stop(): void;
}

/** A victim; `argv` are more arguments of its command line (e.g. a planted dir, which old reapers matched on). */
export function startVictim(label: string, argv: string[] = []): Victim {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sa-victim-${label}-`));
    fs.writeFileSync(path.join(dir, "precious"), "root's data\n");
    const emptyDir = path.join(dir, "empty");
    fs.mkdirSync(emptyDir);
    // detached: its own process group, as the harnesses' processes are, so a group kill would reach it too.
    const child = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)", dir, emptyDir, ...argv], { detached: true, stdio: "ignore" });
    child.unref();
    const pid = child.pid!;
    const alive = () => {
        try {
            return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
        } catch {
            return false;
        }
    };
    return {
        dir, emptyDir, pid,
        assertUntouched() {
            assert.ok(fs.existsSync(path.join(dir, "precious")), `the root-owned ${dir} was removed`);
            assert.ok(fs.existsSync(emptyDir), `the root-owned empty dir ${emptyDir} was removed`);
            assert.ok(alive(), `the root process ${pid} was killed`);
        },
        stop() {
            try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
