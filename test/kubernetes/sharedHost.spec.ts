// The control-plane harness on a shared host (issue 22 finding 5): another local user plants run records
// (in the old fixed /tmp registry, in the private registry, in a run dir) that name a root-owned victim dir
// and a victim process. Reaping and stopping must touch neither: only the invoking user's own records count.
// A run record of real nodes (even the user's own, damaged) names namespaces and cgroups to remove: only those the
// run's own id names are touched, never another run's namespace or a cgroup with other processes in it.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { reapStaleRuns, stopLocalClusters } from "../../scripts/lib/localKubernetes";
import { v1Hierarchies } from "../../scripts/lib/node/cgroups";
import { currentProcess, processStartTime, RunRegistry } from "../../scripts/lib/runRegistry";
import { hostileUid, startVictim, Victim } from "../helpers/plantedRuns";

describe("kubernetes: the harness trusts no run record another user could write", function () {
    let victim: Victim;
    let deadPid: number;
    const planted: string[] = [];
    const uid = hostileUid();

    before(function () {
        if (process.getuid!() !== 0) throw new Error("this test plants records as another user: run the kubernetes tier as root");
        victim = startVictim("kube");
        deadPid = spawnSync("true").pid!; // ended: an owner that is gone
    });
    after(() => {
        victim.stop();
        for (const p of planted.reverse()) fs.rmSync(p, { recursive: true, force: true });
    });

    /** A dir owned by the hostile user holding a run.json that points at the victim. */
    function plantRunDir(): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-planted-"));
        planted.push(dir);
        const marker = {
            id: "x", owner: { pid: deadPid, startTime: "1" }, dir: victim.dir, removeDir: true,
            processes: [{ name: "etcd", pid: victim.pid, startTime: processStartTime(victim.pid) }],
        };
        fs.writeFileSync(path.join(dir, "run.json"), JSON.stringify(marker));
        fs.chownSync(path.join(dir, "run.json"), uid, uid);
        fs.chmodSync(dir, 0o700);
        fs.chownSync(dir, uid, uid);
        return dir;
    }

    it("a planted entry in /tmp or in the registry neither removes a root dir nor kills a root process (reapStaleRuns)", async function () {
        // The registry of earlier versions: a fixed name in world-writable /tmp, which anyone could create first.
        const oldRegistry = path.join(os.tmpdir(), "scrape-anywhere-kube");
        if (!fs.existsSync(oldRegistry)) {
            fs.mkdirSync(oldRegistry, { mode: 0o700 });
            fs.chownSync(oldRegistry, uid, uid);
            planted.push(oldRegistry);
        }
        const runDir = plantRunDir();
        const oldEntry = path.join(oldRegistry, `planted-${process.pid}.json`);
        fs.writeFileSync(oldEntry, JSON.stringify({ dir: runDir, removeDir: true, processes: [] }));
        fs.chownSync(oldEntry, uid, uid);
        planted.push(oldEntry);
        // The private registry: an entry of another user's (as if it could write there) is ignored as well.
        const reg = new RunRegistry("kube");
        fs.mkdirSync(reg.dir, { recursive: true, mode: 0o700 });
        const entry = path.join(reg.dir, `planted${process.pid}.json`);
        fs.writeFileSync(entry, JSON.stringify({
            id: `planted${process.pid}`, dir: victim.dir, removeDir: true, owner: { pid: deadPid, startTime: "1" },
            processes: [{ name: "etcd", pid: victim.pid, startTime: processStartTime(victim.pid) }],
        }));
        fs.chownSync(entry, uid, uid);
        planted.push(entry);

        await reapStaleRuns(() => undefined);
        victim.assertUntouched();
    });

    it("a real-node record naming a foreign namespace and cgroup (or `/`) removes neither, nor kills what the cgroup holds", async function () {
        // Another run's namespace and a cgroup holding the victim process, as a damaged record of our own could name them.
        const ns = `sak-foreign${process.pid % 100000}`;
        execFileSync("ip", ["netns", "add", ns]);
        const cg = `/sa-foreign-${process.pid}`;
        const hierarchy = v1Hierarchies().find((h) => h.endsWith("/pids")) ?? v1Hierarchies()[0];
        fs.mkdirSync(path.join(hierarchy, cg));
        fs.writeFileSync(path.join(hierarchy, cg, "cgroup.procs"), String(victim.pid));
        try {
            for (const cgroup of [cg, "/", ""]) {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-own-nodes-"));
                new RunRegistry("kube").write({
                    id: `foreignnodes${process.pid}`, dir, removeDir: true, owner: { ...currentProcess(), pid: deadPid, startTime: "1" }, processes: [],
                    data: { hostNetns: ns, ownHostNetns: true, netns: [ns], cgroup, madeRunContainerd: false },
                });
                await reapStaleRuns(() => undefined);
                assert.ok(!fs.existsSync(dir), "the record's own dir is removed");
                assert.ok(fs.existsSync(`/run/netns/${ns}`), `another run's namespace ${ns} survives a record naming it (cgroup ${JSON.stringify(cgroup)})`);
                victim.assertUntouched();
                assert.ok(fs.existsSync(path.join(hierarchy, cg)), "the foreign cgroup survives");
            }
        } finally {
            fs.writeFileSync(path.join(hierarchy, "cgroup.procs"), String(victim.pid));
            fs.rmdirSync(path.join(hierarchy, cg));
            execFileSync("ip", ["netns", "del", ns]);
        }
    });

    it("stopLocalClusters(dir) believes no run.json it did not write, nor the dir a run.json names", async function () {
        assert.strictEqual(await stopLocalClusters(plantRunDir(), () => undefined), false, "another user's run dir is not ours to stop");
        victim.assertUntouched();
        // A private dir of ours whose run.json names the victim dir and a pid with another start time.
        const own = fs.mkdtempSync(path.join(os.tmpdir(), "sa-own-"));
        planted.push(own);
        fs.writeFileSync(path.join(own, "run.json"), JSON.stringify({
            dir: victim.dir, removeDir: true, processes: [{ name: "etcd", pid: victim.pid, startTime: "1" }],
        }), { mode: 0o600 });
        await stopLocalClusters(own, () => undefined);
        victim.assertUntouched();
    });
});

