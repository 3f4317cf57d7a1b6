// `npm run down` stops the local network by the pid in `<ziti home>/quickstart.pid` (scripts/localNetwork.ts). On a
// shared host that pid may by then be another user's process (pid reuse) whose command line happens to name
// `quickstart` and the home, the only thing the stop checked before (issue 22 finding 5, "audit every other
// reaper"): run as root, it signalled that process's whole group. Now only a process of the invoking user counts.
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostileUid } from "../helpers/plantedRuns";
import { running as alive } from "../helpers/running";

const repoRoot = path.resolve(__dirname, "..", "..");


describe("faults: npm run down's network stop signals no other user's process", function () {
    this.timeout(120_000);
    let home: string;
    let victim: number | undefined;

    after(() => {
        if (victim) { try { process.kill(victim, "SIGKILL"); } catch { /* gone */ } }
        if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    it("a quickstart.pid naming another user's process with `quickstart` and the home in its command line leaves it running", async function () {
        if (process.getuid!() !== 0) throw new Error("this test runs a process as another user: run the faults tier as root");
        home = fs.mkdtempSync(path.join(os.tmpdir(), "sa-network-home-"));
        const uid = hostileUid();
        // Another user's process, in a group of its own, whose command line holds what the stop looks for.
        const child = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)", "quickstart", home], { uid, gid: uid, detached: true, stdio: "ignore" });
        child.unref();
        victim = child.pid!;
        for (let i = 0; i < 50 && !fs.readFileSync(`/proc/${victim}/cmdline`, "utf8").includes(home); i++) await new Promise((r) => setTimeout(r, 100));
        fs.writeFileSync(path.join(home, "quickstart.pid"), `${victim}\n`, { mode: 0o600 });
        const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/localNetwork.ts", "down"], {
            cwd: repoRoot, env: { ...process.env, SCRAPE_ANYWHERE_ZITI_HOME: home }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
        });
        await new Promise((r) => setTimeout(r, 500));
        assert.ok(alive(victim), `the other user's process ${victim} was signalled by the network's stop (${out.trim()})`);
    });
});
