// Killed local-cluster runs (issue 22 finding 12, with the run registry of finding 5): the local control planes (real
// etcd, kube-apiserver, controllers; kwok or a real node) outlive an owner killed with SIGKILL, and the next start
// reaps exactly what that run recorded, and nothing else:
//   1. a test's run (scripts/lib/localKubernetes.ts, owned by a process) with a real node: the next start ends its
//      recorded processes, removes its namespaces, cgroups, directory and registry entry; a live run beside it keeps
//      answering; a process of ours that took a recorded pid (same pid, another start time) lives on, though its
//      command line names the run's dir; a record another user planted in the registry is not followed;
//   2. `npm start -- --clusters local`'s control planes (scripts/localClusters.ts up, persistent, no owner) killed while
//      they start: the next `localClusters.ts up` stops what the marker records (the pid-reusing process again spared)
//      and starts afresh; `down` then leaves nothing;
//   3. a `pulumi up` of the dev stack into those control planes, SIGKILLed once a Deployment exists on an API server
//      but not in the state: the next `npm start -- --clusters local` recovers (recoverStack.ts) and converges, every
//      object on the API servers being the one the state records; `npm run down` leaves nothing.
// The registry is a private one of this test (SCRAPE_ANYWHERE_RUNS), so runs of other people on this machine neither
// take part nor get in the way.
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeClient } from "../../scripts/lib/kubeClient";
import { LocalClusters, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { v1Hierarchies } from "../../scripts/lib/node/cgroups";
import { nodePlan, runId } from "../../scripts/lib/node/plan";
import { processStartTime, ProcessRecord, RunEntry } from "../../scripts/lib/runRegistry";
import { startThenKill } from "../helpers/killedRun";
import { hostileUid, startVictim, Victim } from "../helpers/plantedRuns";
import { STACK } from "./fixtures/invariants";
import { ownerIdOf, restOf, taggedWith } from "./fixtures/owners";
import { alive, killTree } from "./fixtures/procTree";
import { progress, repoRoot, Workspace } from "./fixtures/workspace";

/** Our processes whose command line names `dir`, other than `except`. */
function processesNaming(dir: string, except: number[] = []): string[] {
    return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n")
        .map((l) => l.trim()).filter((l) => l.includes(dir) && !except.includes(Number(l.split(" ")[0])));
}

/** A process of ours that took a pid a run recorded (same pid, another start time): its command line names the run's dir. */
function startPidReuser(dir: string): { child: ChildProcess; record: (name: string) => ProcessRecord; stop(): void } {
    // detached: its own group, as the harness's processes are, so a group kill by a reaper would reach it.
    const child = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)", path.join(dir, "logs", "etcd.log")], { detached: true, stdio: "ignore" });
    child.unref();
    return {
        child,
        // The start time of the process that once had this pid: not this one's.
        record: (name) => ({ name, pid: child.pid!, startTime: String(Number(processStartTime(child.pid!)) - 1) }),
        stop: () => { try { process.kill(child.pid!, "SIGKILL"); } catch { /* gone */ } },
    };
}

/** The kinds the program makes on a cluster (besides namespaces), as API list paths. */
const KINDS: Record<string, string> = {
    "kubernetes:apps/v1:Deployment": "/apis/apps/v1/deployments",
    "kubernetes:core/v1:Service": "/api/v1/services",
    "kubernetes:core/v1:ConfigMap": "/api/v1/configmaps",
    "kubernetes:core/v1:Secret": "/api/v1/secrets",
    "kubernetes:core/v1:ServiceAccount": "/api/v1/serviceaccounts",
};

/**
 * Objects of KINDS on the clusters, in the namespaces `namespaces` names, keyed `<kind> <cluster>/<ns>/<name>` with
 * their uid. What a namespace holds by itself (the root CA ConfigMap, the default service account) is left out.
 */
type RunCluster = { name: string; kubeconfigPath: string; loopbackKubeconfigPath?: string };
/** The kubeconfig this process (outside the clusters' network namespaces) reaches an API server with: real nodes put it on a netns address. */
const fromHere = (c: RunCluster) => c.loopbackKubeconfigPath ?? c.kubeconfigPath;

async function objectsOn(clusters: RunCluster[], namespaces: Set<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const c of clusters) {
        const api = KubeClient.fromKubeconfig(fromHere(c));
        for (const [kind, list] of Object.entries(KINDS)) {
            for (const o of await api.list<any>(list)) {
                const m = o.metadata;
                if (!namespaces.has(m.namespace) || (kind.endsWith("ConfigMap") && m.name === "kube-root-ca.crt") || (kind.endsWith("ServiceAccount") && m.name === "default")) continue;
                out.set(`${kind.split(":").pop()} ${c.name}/${m.namespace}/${m.name}`, m.uid);
            }
        }
    }
    return out;
}

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

/** Whether `pid` runs its own command, past runsOnceRecorded's `sh -c 'read -r _ ...'` gate. */
function pastTheGate(pid: number): boolean {
    try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return !(argv[0] === "/bin/sh" && (argv[2] ?? "").startsWith("read -r _"));
    } catch {
        return false;
    }
}

describe("faults: a killed local-clusters run is reaped by the next start, and nothing else", function () {
    this.timeout(900_000);
    let registryRoot: string;
    const saved = process.env.SCRAPE_ANYWHERE_RUNS;
    const cleanups: (() => unknown)[] = [];
    /** The registry entry of the run in `dir` (its file name is the harness's own hash of the dir). */
    const entryFile = (dir: string) => {
        const kube = path.join(registryRoot, "kube");
        const f = fs.readdirSync(kube).find((x) => x.endsWith(".json") && x !== "planted.json" && readJson<RunEntry>(path.join(kube, x)).dir === dir);
        return path.join(kube, f ?? `no entry for ${path.basename(dir)}`);
    };

    before(function () {
        if (process.getuid!() !== 0) throw new Error("this test makes network namespaces and plants records as another user: run the faults tier as root");
        registryRoot = fs.mkdtempSync(path.join(os.tmpdir(), "sa-faults-runs-"));
        process.env.SCRAPE_ANYWHERE_RUNS = registryRoot;
    });

    after(async function () {
        for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => undefined);
        if (saved === undefined) delete process.env.SCRAPE_ANYWHERE_RUNS;
        else process.env.SCRAPE_ANYWHERE_RUNS = saved;
        fs.rmSync(registryRoot, { recursive: true, force: true });
    });

    it("a test's run with a real node, its owner SIGKILLed: the next start ends its processes, namespaces, cgroups, dir and entry, and nothing else", async function () {
        // A live run beside it, owned by this (live) process.
        const live: LocalClusters = await startLocalClusters({ names: ["alive"], log: () => undefined });
        cleanups.push(() => live.stop());
        const livePids = readJson<RunEntry>(entryFile(live.dir)).processes.map((p) => p.pid);

        const script = `require(${JSON.stringify(path.join(repoRoot, "scripts", "lib", "localKubernetes"))}).startLocalClusters({ names: ["killed"], nodes: true })` +
            `.then((l) => process.stdout.write(JSON.stringify({ dir: l.dir }) + "\\n"))`;
        const killed = await startThenKill<{ dir: string }>(script, repoRoot);
        const id = runId(killed.dir);
        const entry = readJson<RunEntry>(entryFile(killed.dir));
        const recorded = entry.processes.map((p) => p.pid);
        const namespaces = [`sak-${id}`, nodePlan(id, killed.dir, "killed", 0).netns];
        const cgroups = () => v1Hierarchies(true).filter((h) => fs.existsSync(path.join(h, `scrape-anywhere-${id}`)));
        progress(`killed run ${killed.dir}: ${recorded.length} recorded processes alive ${recorded.filter(alive).length}, namespaces ${namespaces.join(" ")}, ${cgroups().length} cgroup dirs`);
        assert.ok(recorded.length >= 6 && recorded.every(alive), `the control plane and node outlived their owner (${recorded.filter(alive).length}/${recorded.length})`);
        assert.ok(namespaces.every((n) => fs.existsSync(`/run/netns/${n}`)) && cgroups().length > 0, "its namespaces and cgroups are there");

        // A process of ours now holds a pid the run recorded (simulated: the entry gets a record of it with the start
        // time of the process that had the pid before). Reapers that checked only the pid, or a command line naming the
        // run's dir, killed it.
        const reuser = startPidReuser(killed.dir);
        cleanups.push(() => reuser.stop());
        fs.writeFileSync(entryFile(killed.dir), JSON.stringify({ ...entry, processes: [...entry.processes, reuser.record("killed-kwok")] }), { mode: 0o600 });
        // Another local user's record in the same registry: a dead owner, a root-owned dir and process as its "run".
        const victim: Victim = startVictim("killedruns");
        cleanups.push(() => victim.stop());
        const planted = path.join(registryRoot, "kube", "planted.json");
        fs.writeFileSync(planted, JSON.stringify({
            id: "planted", dir: victim.dir, removeDir: true, owner: { name: "owner", pid: 999_999_999, startTime: "1" },
            processes: [{ name: "etcd", pid: victim.pid, startTime: processStartTime(victim.pid) }],
        }));
        fs.chownSync(planted, hostileUid(), hostileUid());

        // The next start.
        const said: string[] = [];
        const next = await startLocalClusters({ names: ["next"], log: (m) => said.push(m) });
        cleanups.push(() => next.stop());
        const reaps = said.filter((m) => m.startsWith("reaping"));
        progress(`next start: ${reaps.join("; ")}`);
        assert.deepStrictEqual(reaps.length, 1, `the next start reaped exactly one run: ${said.join(" | ")}`);
        assert.match(reaps[0], new RegExp(`${killed.dir}$`));

        assert.deepStrictEqual(recorded.filter(alive), [], "every recorded process of the killed run ended");
        assert.deepStrictEqual(processesNaming(killed.dir, [reuser.child.pid!]), [], "no process of the killed run is left");
        assert.deepStrictEqual(namespaces.filter((n) => fs.existsSync(`/run/netns/${n}`)), [], "its namespaces are gone");
        assert.deepStrictEqual(cgroups(), [], "its cgroups are gone");
        assert.ok(!fs.existsSync(killed.dir), `${killed.dir} removed`);
        assert.ok(!fs.existsSync(entryFile(killed.dir)), "its registry entry removed");

        assert.ok(alive(reuser.child.pid!), "the process that took a recorded pid was killed");
        victim.assertUntouched();
        assert.deepStrictEqual(livePids.filter((p) => !alive(p)), [], "the live run's processes were killed");
        assert.strictEqual((await live.clusters[0].client().request("GET", "/readyz")).status, 200, "the live run answers");
        assert.ok(fs.existsSync(entryFile(live.dir)), "the live run's entry is kept");
        assert.strictEqual((await next.clusters[0].client().request("GET", "/readyz")).status, 200, "the next run answers");
        await next.stop();
        await live.stop();
    });

    it("npm start's control planes (localClusters.ts up) killed while they start: the next up stops what they recorded and starts afresh; down leaves nothing", async function () {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "sa-faults-kubehome-"));
        cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
        const env = { ...process.env, SCRAPE_ANYWHERE_KUBE_HOME: home };
        const cli = (...args: string[]) => [process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", "localClusters.ts"), ...args]] as const;
        const marker = path.join(home, "run.json");

        // `up` of the dev stack's three control planes, SIGKILLed once etcd and the first API server are recorded.
        const [cmd, args] = cli("up", "--stack", "dev");
        const up = spawn(cmd, [...args], { cwd: repoRoot, env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        up.stderr!.on("data", (d) => (stderr += d));
        const exited = new Promise((r) => up.once("exit", r));
        const t0 = Date.now();
        let recorded: ProcessRecord[] = [];
        while (Date.now() - t0 < 240_000) {
            try {
                recorded = readJson<{ processes: ProcessRecord[] }>(marker).processes;
            } catch {
                recorded = [];
            }
            // Recorded and released: a recorded child still waiting at runsOnceRecorded's gate ends by itself when its
            // starter dies (scripts/lib/processes.ts), which is not the case this test is about.
            if (recorded.length >= 2 && recorded.every((p) => pastTheGate(p.pid))) break;
            if (up.exitCode !== null) throw new Error(`localClusters.ts up ended (${up.exitCode}) before it was killed:\n${stderr}`);
            await new Promise((r) => setTimeout(r, 20));
        }
        up.kill("SIGKILL");
        await exited;
        recorded = readJson<{ processes: ProcessRecord[] }>(marker).processes;
        const pids = recorded.map((p) => p.pid);
        progress(`localClusters.ts up killed after ${((Date.now() - t0) / 1000).toFixed(1)}s: ${recorded.map((p) => p.name).join(", ")} recorded, ${pids.filter(alive).length} alive`);
        assert.ok(pids.length >= 2 && pids.every(alive), "the control planes outlived the killed up");

        const reuser = startPidReuser(home);
        cleanups.push(() => reuser.stop());
        const m = readJson<any>(marker);
        fs.writeFileSync(marker, JSON.stringify({ ...m, processes: [...m.processes, reuser.record("kubeB-kube-apiserver")] }), { mode: 0o600 });

        // The next `npm start -- --clusters local` does this.
        const [cmd2, args2] = cli("up", "--stack", "dev");
        cleanups.push(() => execFileSync(cmd2, [...cli("down")[1]], { cwd: repoRoot, env, stdio: "ignore" }));
        const again = execFileSync(cmd2, [...args2], { cwd: repoRoot, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        assert.ok(fs.existsSync(again.trim()), "the next up wrote the stack's settings with kubeconfigs");
        assert.deepStrictEqual(pids.filter(alive), [], "every process the killed up recorded ended");
        assert.ok(alive(reuser.child.pid!), "the process that took a recorded pid was killed");
        const fresh = readJson<{ processes: ProcessRecord[] }>(marker).processes;
        assert.ok(fresh.length >= 13 && fresh.every((p) => alive(p.pid)), `a fresh run of the three control planes and etcd (${fresh.length} processes)`);
        const [cmd3, args3] = cli("status");
        execFileSync(cmd3, [...args3], { cwd: repoRoot, env, stdio: "ignore" }); // exit 0: every cluster answers

        execFileSync(cmd3, [...cli("down")[1]], { cwd: repoRoot, env, stdio: "ignore" });
        assert.deepStrictEqual(fresh.map((p) => p.pid).filter(alive), [], "down ended the fresh run");
        assert.deepStrictEqual(processesNaming(home, [reuser.child.pid!]), [], "no process names the home");
        assert.ok(!fs.existsSync(home), `${home} removed`);
        assert.ok(!fs.existsSync(entryFile(home)), "its registry entry is gone");
        assert.ok(alive(reuser.child.pid!), "the process that took a recorded pid was killed by down");
    });

    it("a pulumi up SIGKILLed while it creates objects on the local API servers: npm start -- --clusters local recovers and converges; npm run down leaves nothing", async function () {
        // The workspace's own control planes (npm start's, in SCRAPE_ANYWHERE_KUBE_HOME) and network, as npm start makes them.
        const ws = new Workspace();
        const kubeHome = path.join(ws.dir, "kube");
        ws.env.SCRAPE_ANYWHERE_KUBE_HOME = kubeHome;
        let ok = false;
        cleanups.push(async () => {
            if (!ok) await ws.down("cleanup: npm run down");
            await ws.dispose(!ok);
        });
        // npm start's order: the network first, so that the clusters relay it to the pods and the next start reuses them.
        let ziti = ws.zitiEnv();
        const configFile = execFileSync("ts-node", [path.join(ws.dir, "scripts", "localClusters.ts"), "up", "--stack", STACK], { cwd: ws.dir, env: ws.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
        const clusters = readJson<{ clusters: RunCluster[] }>(path.join(kubeHome, "run.json")).clusters;
        ws.pulumi(ziti, ["stack", "select", "--create", STACK]);

        // The converge, SIGKILLed (engine and every plugin) as soon as the first Deployment exists on an API server and
        // before its create is recorded: an object the state does not know, a lock, pending operations.
        const log = path.join(ws.dir, "events-kube.jsonl");
        const env = ws.pulumiEnv(ziti);
        const child = spawn("pulumi", ["up", "--stack", STACK, "--config-file", configFile, "--yes", "--skip-preview", "--non-interactive", "--suppress-outputs", "--suppress-progress", "--event-log", log],
            { cwd: ws.dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout!.on("data", (d) => (output += d));
        child.stderr!.on("data", (d) => (output += d));
        const exited = new Promise((r) => child.once("close", r));
        const deployments = async () => {
            for (const c of clusters) {
                const made = (await KubeClient.fromKubeconfig(fromHere(c)).list<any>("/apis/apps/v1/deployments")).filter((d) => d.metadata.namespace !== "kube-system");
                if (made.length) return `${c.name}/${made[0].metadata.namespace}/${made[0].metadata.name}`;
            }
            return undefined;
        };
        const recorded = () => fs.existsSync(log) && fs.readFileSync(log, "utf8").split("\n").some((l) => /"resOutputsEvent".*kubernetes:apps\/v1:Deployment/.test(l));
        const t0 = Date.now();
        let made: string | undefined;
        while (!made && child.exitCode === null && Date.now() - t0 < 600_000) {
            made = await deployments();
            if (!made) await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(made && !recorded(), `the kill point was reached (a Deployment made, none recorded); pulumi up:\n${output.slice(-3000)}`);
        await killTree(child.pid!);
        await exited;
        progress(`pulumi up SIGKILLed ${((Date.now() - t0) / 1000).toFixed(0)}s in, once ${made} existed`);
        const dep = JSON.parse(ws.pulumi(ziti, ["stack", "export", "--stack", STACK])).deployment;
        const ns = new Set<string>(dep.resources.filter((r: any) => r.type === "kubernetes:core/v1:Namespace").map((r: any) => r.outputs?.metadata?.name));
        const inState = new Set<string>(dep.resources.filter((r: any) => KINDS[r.type]).map((r: any) => r.outputs?.metadata?.uid));
        const unrecorded = [...(await objectsOn(clusters, ns))].filter(([, uid]) => !inState.has(uid)).map(([k]) => k);
        progress(`left by the kill: ${(dep.pending_operations ?? []).length} pending operations, objects on the API servers the state does not record: ${unrecorded.join(", ")}`);
        assert.ok(unrecorded.some((k) => k.startsWith("Deployment ")), "the kill left a Deployment the state does not record");

        const rec = await ws.spawn("npm start -- --clusters local (after the kill)", "bash", [path.join(ws.dir, "scripts", "start.sh"), "--clusters", "local"], ws.env);
        assert.strictEqual(rec.code, 0, `npm start did not recover:\n${rec.output.slice(-4000)}`);
        assert.match(rec.output, /reusing the local clusters/, "the same control planes");

        // Converged: every object of the program's namespaces on the API servers is the one the state records, and back.
        ziti = ws.zitiEnv();
        const after = JSON.parse(ws.pulumi(ziti, ["stack", "export", "--stack", STACK])).deployment;
        assert.deepStrictEqual(after.pending_operations ?? [], [], "no pending operation is left");
        const ns2 = new Set<string>(after.resources.filter((r: any) => r.type === "kubernetes:core/v1:Namespace").map((r: any) => r.outputs?.metadata?.name));
        const stateUids = new Map<string, string>(after.resources.filter((r: any) => KINDS[r.type]).map((r: any) => [r.outputs?.metadata?.uid, r.urn.split("::").pop()]));
        const live = await objectsOn(clusters, ns2);
        assert.deepStrictEqual([...live].filter(([, uid]) => !stateUids.has(uid)).map(([k]) => k), [], "objects on the API servers that the state does not record");
        const liveUids = new Set(live.values());
        assert.deepStrictEqual([...stateUids].filter(([uid]) => !liveUids.has(uid)).map(([, n]) => n), [], "resources of the state whose object is not on its API server");
        progress(`converged: ${live.size} objects in ${ns2.size} namespaces, each the state's`);
        ws.pulumi(ziti, ["preview", "--stack", STACK, "--config-file", path.join(kubeHome, "Pulumi.dev.yaml"), "--expect-no-changes"]);

        const ownerId = ownerIdOf(ws, ziti)!;
        const down = await ws.down("npm run down");
        assert.strictEqual(down.code, 0, down.output.slice(-3000));
        assert.ok(!fs.existsSync(kubeHome), `${kubeHome} removed`);
        assert.deepStrictEqual(processesNaming(kubeHome), [], "no control-plane process is left");
        const rest = await restOf(ws.zitiEnv());
        try {
            assert.deepStrictEqual(await taggedWith(rest, ownerId), [], "no Ziti entity of the stack is left");
        } finally {
            await rest.close();
        }
        ok = true;
    });
});
