// A daemon the local harnesses start runs only once its pid is recorded (runsOnceRecorded): a harness SIGKILLed
// between its spawn and its record must not leave a detached daemon that no record names (the faults tier
// once found a kube-apiserver of a killed `localClusters.ts up` alive after the next start and `down`).
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { release, runsOnceRecorded, UNTIED_EXIT } from "../../scripts/lib/processes";
import { running } from "../helpers/running";

function exitOf(child: ReturnType<typeof spawn>): Promise<number | string> {
    return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
}

describe("a recorded daemon runs only after its record", function () {
    this.timeout(20_000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-recorded-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs the command, with the same pid, once released", async function () {
        const marker = path.join(dir, "ran");
        const child = spawn(...runsOnceRecorded("/bin/sh", ["-c", 'echo $$ > "$0"', marker]), { stdio: ["pipe", "ignore", "inherit"] });
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(!fs.existsSync(marker), "nothing runs before the release");
        release(child);
        assert.strictEqual(await exitOf(child), 0);
        assert.strictEqual(fs.readFileSync(marker, "utf8").trim(), String(child.pid), "the command is the recorded pid (exec, no extra process)");
    });

    it("exits without running the command when the starter dies before releasing it", async function () {
        const marker = path.join(dir, "ran");
        // The starter: spawns through runsOnceRecorded, prints the child's pid, and is SIGKILLed before any release.
        const script = `const { spawn } = require("child_process");` +
            `const c = spawn(...${JSON.stringify(runsOnceRecorded("touch", [marker]))}, { detached: true, stdio: ["pipe", "ignore", "ignore"] });` +
            `c.unref(); process.stdout.write(c.pid + "\\n"); setInterval(() => undefined, 1000);`;
        const starter = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
        const pid = await new Promise<number>((resolve) => starter.stdout!.on("data", (d) => resolve(Number(String(d).trim()))));
        starter.kill("SIGKILL");
        await exitOf(starter);
        const t0 = Date.now();
        while (running(pid) && Date.now() - t0 < 5000) {
            await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(!fs.existsSync(marker), "the unrecorded child ran its command");
        assert.ok(!running(pid), `the unrecorded child ${pid} is gone`);
    });

    it("exits with UNTIED_EXIT when its stdin closes unwritten", async function () {
        const child = spawn(...runsOnceRecorded("sleep", ["30"]), { stdio: ["pipe", "ignore", "inherit"] });
        child.stdin!.end();
        assert.strictEqual(await exitOf(child), UNTIED_EXIT);
    });
});
