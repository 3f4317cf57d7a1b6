// The private Docker engine on a shared host (issue 22 finding 5): another local user plants an engine dir in
// /tmp (the name earlier versions reaped by) whose owner is gone, listing a root-owned empty dir among the "host
// paths it created", and starts a process naming it. Starting and stopping an engine must touch none of it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startDockerd } from "../../scripts/lib/dockerd";
import { hostileUid, startVictim, Victim } from "../helpers/plantedRuns";

describe("docker: the engine harness trusts no engine dir another user planted", function () {
    this.timeout(180_000);
    let victim: Victim;
    let planted: string;

    before(function () {
        const uid = hostileUid();
        planted = path.join(os.tmpdir(), `sa-dockerd-${crypto.randomBytes(3).toString("hex")}`);
        fs.mkdirSync(planted, { mode: 0o700 });
        victim = startVictim("dockerd", [planted]);
        const deadPid = spawnSync("true").pid!;
        fs.writeFileSync(path.join(planted, "owner.pid"), String(deadPid));
        fs.writeFileSync(path.join(planted, "created-host-paths.json"), JSON.stringify([victim.emptyDir]));
        for (const f of ["", "owner.pid", "created-host-paths.json"]) fs.chownSync(path.join(planted, f), uid, uid);
    });
    after(() => {
        victim?.stop();
        fs.rmSync(planted, { recursive: true, force: true });
    });

    it("a start and stop remove no root dir, kill no process and leave the planted dir alone", async function () {
        const engine = await startDockerd();
        await engine.stop();
        victim.assertUntouched();
        assert.ok(fs.existsSync(path.join(planted, "owner.pid")), `the planted ${planted} is not the harness's to remove`);
    });
});
