// The network-namespace sandbox on a shared host (issue 22 finding 5): another local user's process that names
// a sandbox's dir is not the sandbox's to kill, and a dir or registry entry another user planted is not its to
// remove. (Earlier versions swept /tmp/sa-overlay-<pid>x<hex>-* by name and killed any process naming the dir.)
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Sandbox, sandboxRegistry } from "../../scripts/lib/netns";
import { processStartTime } from "../../scripts/lib/runRegistry";
import { reapStaleSandboxes } from "../../scripts/lib/staleSandboxes";
import { hostileUid, startVictim, Victim } from "../helpers/plantedRuns";

function aliveProcess(pid: number): boolean {
    try {
        return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
    } catch {
        return false;
    }
}

describe("overlay: the sandbox harness leaves other users' processes and files alone", function () {
    const uid = hostileUid();
    const cleanups: (() => void)[] = [];
    after(() => { for (const c of cleanups.reverse()) c(); });

    it("cleanup() kills no process of another user that names the sandbox's dir", async function () {
        const sandbox = new Sandbox(`sa-shared-${process.pid.toString(36)}`);
        // Another user's process, started with the sandbox's path in its command line (anyone can do that).
        const other = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)", path.join(sandbox.dir, "x")], { uid, gid: uid, stdio: "ignore", detached: true });
        other.unref();
        cleanups.push(() => { try { process.kill(other.pid!, "SIGKILL"); } catch { /* gone */ } });
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(aliveProcess(other.pid!), "the other user's process runs");
        await sandbox.cleanup();
        assert.ok(aliveProcess(other.pid!), `the other user's process ${other.pid} was killed by cleanup()`);
    });

    it("reapStaleSandboxes() removes no planted dir and follows no planted registry entry", function () {
        const victim: Victim = startVictim("sandbox");
        cleanups.push(() => victim.stop());
        const deadPid = spawnSync("true").pid!;
        // A dir named as a killed overlay run's would be, made by another user.
        const planted = fs.mkdtempSync(path.join(os.tmpdir(), `sa-overlay-${deadPid.toString(36)}x0000-`));
        fs.writeFileSync(path.join(planted, "theirs"), "another user's file\n");
        fs.chownSync(path.join(planted, "theirs"), uid, uid);
        fs.chownSync(planted, uid, uid);
        cleanups.push(() => fs.rmSync(planted, { recursive: true, force: true }));
        // An entry in the registry that is not ours (as if another user could write there), naming the victim.
        const reg = sandboxRegistry();
        fs.mkdirSync(reg.dir, { recursive: true, mode: 0o700 });
        const entry = path.join(reg.dir, `planted${process.pid}.json`);
        fs.writeFileSync(entry, JSON.stringify({
            id: `planted${process.pid}`, dir: victim.dir, removeDir: true, owner: { pid: deadPid, startTime: "1" },
            processes: [{ name: "x", pid: victim.pid, startTime: processStartTime(victim.pid) }], data: { namespaces: [] },
        }));
        fs.chownSync(entry, uid, uid);
        cleanups.push(() => fs.rmSync(entry, { force: true }));

        reapStaleSandboxes();
        assert.ok(fs.existsSync(path.join(planted, "theirs")), `${planted} (another user's) was removed`);
        victim.assertUntouched();
    });
});
