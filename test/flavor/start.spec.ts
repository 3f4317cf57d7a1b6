// Tier `flavor`: what a user runs, end to end. `npm start -- --clusters local` (scripts/start.sh, for real) in a
// fresh copy of the program (its own backend, Ziti network and kube home: test/faults/fixtures/workspace.ts) with
// the committed dev stack (default flavor upstream) on real nodes: its summary shows every target of both clusters
// hosted, dialable and scraped (`up` in central, read over Ziti as the dev stack's client, which npm start enrolled
// into .state/clients/ with mode 0600 and never printed). Then plain `npm start` (warm: the same clusters, no
// change) shows the same; the local network's controller and router listen on 127.0.0.1 only (the root namespace
// routes off the machine: scripts/lib/zitiBind.ts); `npm run down` leaves nothing: no Ziti entity of the stack, no local cluster process,
// namespace or directory, no client identity file. The cold, warm and down times are printed (the README's figures).
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { processListeners } from "../../scripts/lib/node/inspect";
import { hostNetns, runId } from "../../scripts/lib/node/plan";
import { STACK } from "../faults/fixtures/invariants";
import { ownerIdOf, restOf, taggedWith } from "../faults/fixtures/owners";
import { progress, Run, Workspace } from "../faults/fixtures/workspace";

/** Our processes whose command line names `dir`. */
function processesNaming(dir: string): string[] {
    return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n").map((l) => l.trim()).filter((l) => l.includes(dir));
}

/** The API server ports of the control planes recorded in `kubeHome` (its run.json). */
function apiServerPorts(kubeHome: string): number[] {
    const run = JSON.parse(fs.readFileSync(path.join(kubeHome, "run.json"), "utf8"));
    return (run.clusters ?? []).map((c: { server: string }) => Number(new URL(c.server).port));
}

/** The summary's lines per service block: `cluster <name>` / `  <service>   <role>` / `      hosted: ...` etc. */
function serviceBlocks(output: string): Map<string, { cluster: string; hosted: string; dialable: string; scraped?: string }> {
    const out = new Map<string, { cluster: string; hosted: string; dialable: string; scraped?: string }>();
    let cluster = "";
    let current: { cluster: string; hosted: string; dialable: string; scraped?: string } | undefined;
    for (const line of output.split("\n")) {
        let m = /^cluster (\S+)$/.exec(line);
        if (m) { cluster = m[1]; continue; }
        if (line === "central") { cluster = "central"; continue; }
        m = /^ {2}(\S+\.svc)\s{3}/.exec(line);
        if (m) { current = { cluster, hosted: "", dialable: "" }; out.set(m[1], current); continue; }
        m = /^ {6}(hosted|dialable|scraped): +(.*)$/.exec(line);
        if (m && current) current[m[1] as "hosted" | "dialable" | "scraped"] = m[2];
    }
    return out;
}

/** Asserts the summary of `run`: every cluster Prometheus and target hosted, dialable and up in central. */
function assertAllUp(run: Run, label: string): void {
    assert.strictEqual(run.code, 0, `${label} failed:\n${run.output.slice(-5000)}`);
    const blocks = serviceBlocks(run.output);
    const scraped = [...blocks].filter(([, b]) => b.scraped !== undefined);
    const names = scraped.map(([s, b]) => `${b.cluster} ${s}`).sort();
    assert.deepStrictEqual(names, ["kubeA kubeA.exporter.svc", "kubeA kubeA.prometheus.svc", "kubeB kubeB.exporter.svc", "kubeB kubeB.prometheus.svc"],
        `${label}: a scraped line per cluster Prometheus and target (the scrape status was read):\n${run.output.slice(-5000)}`);
    for (const [s, b] of blocks) {
        assert.match(b.hosted, /^yes, \d+ terminator/, `${label}: ${s} hosted`);
        assert.doesNotMatch(b.dialable, /\bNO\b/, `${label}: ${s} dialable`);
    }
    for (const [s, b] of scraped) assert.match(b.scraped!, /^up \(central job [^)]+\)$/, `${label}: ${s} scraped and up over Ziti`);
    assert.match(run.output, /All fine: every service hosted and dialable by whom it should be, every target up\./, `${label}: the verdict`);
    assert.match(run.output, /npm run ui -- --stack dev --client-identity \.state\/clients\/dev\.client\.json/, `${label}: how to open the UI`);
}

describe("flavor upstream: npm start -- --clusters local ends with every target up over Ziti; npm run down leaves nothing", function () {
    this.timeout(1_800_000);
    let ws: Workspace;
    let kubeHome: string;
    let ok = false;
    const times: Record<string, number> = {};

    before(function () {
        if (process.getuid?.() !== 0) throw new Error("tier flavor needs root (real nodes: network namespaces, cgroups, containerd)");
        // The committed Pulumi.dev.yaml as it is (flavor upstream by default), as a fresh clone has it.
        ws = new Workspace({ flavor: null });
        kubeHome = path.join(ws.dir, "kube");
        ws.env.SCRAPE_ANYWHERE_KUBE_HOME = kubeHome;
    });
    after(async function () {
        this.timeout(300_000);
        if (!ok) await ws.down("cleanup: npm run down");
        await ws.dispose(!ok);
        progress(`npm start: cold ${times.cold?.toFixed(0)}s, warm ${times.warm?.toFixed(0)}s; npm run down ${times.down?.toFixed(0)}s`);
    });

    it("cold `npm start -- --clusters local` (fresh state): real nodes, every target hosted, dialable and up in central; the client enrolled 0600, its JWT never printed", async function () {
        const run = await ws.spawn("npm start -- --clusters local (cold)", "bash", [path.join(ws.dir, "scripts", "start.sh"), "--clusters", "local"], ws.env);
        times.cold = run.seconds;
        assertAllUp(run, "cold npm start");
        assert.match(run.output, /started 3 control planes with real nodes/, "real nodes, started afresh");
        assert.match(run.output, /\[summary\] all \d+ targets up in central after \d+s/, "the wait's progress");
        const file = path.join(ws.dir, ".state", "clients", "dev.client.json");
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600, "the client identity file is 0600");
        assert.strictEqual(fs.statSync(path.dirname(file)).mode & 0o777, 0o700, "its folder is 0700");
        const id = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.ok(id.ztAPI && id.id?.cert && id.id?.key, "an enrolled identity");
        const jwts = JSON.parse(ws.pulumi(ws.zitiEnv(), ["stack", "output", "--stack", STACK, "--json", "--show-secrets", "clientEnrollmentJwts"]));
        const jwt = jwts["dev.client"] as string;
        assert.ok(jwt && jwt.split(".").length === 3, "the stack's JWT of dev.client");
        assert.ok(!run.output.includes(jwt) && !run.output.includes(jwt.split(".")[2]), "the JWT is never printed");
        assert.ok(!run.output.includes(id.id.key.replace(/^pem:/, "").split("\n")[1]), "the key is never printed");
        // The local network runs in the root namespace, whose default route leaves the machine: loopback only.
        const net = JSON.parse(fs.readFileSync(path.join(ws.zitiHome, "network.json"), "utf8"));
        const listening = processListeners(net.pid);
        progress(`the local network (pid ${net.pid}) listens on ${listening.join(", ")}`);
        assert.ok(listening.some((l) => l.endsWith(`:${net.ctrlPort}`)) && listening.some((l) => l.endsWith(`:${net.routerPort}`)), "the controller's and router's ports listen");
        assert.deepStrictEqual(listening.filter((l) => !l.startsWith("tcp 127.0.0.1:")), [], "the controller and router listen on 127.0.0.1 only");
    });

    it("plain `npm start` again (warm): the same clusters and client, no change, every target up", async function () {
        const run = await ws.start("npm start (warm)");
        times.warm = run.seconds;
        assertAllUp(run, "warm npm start");
        assert.match(run.output, /reusing the local clusters/, "the same control planes");
        assert.match(run.output, /dev\.client: \.state\/clients\/dev\.client\.json \(enrolled before\)/, "the client enrolled before is kept");
    });

    it("after the clusters are gone (a reboot): npm start makes new control planes on new ports, refreshes the stack and every target is up again", async function () {
        const before = apiServerPorts(kubeHome);
        assert.strictEqual(before.length, 3, "the API server ports of the first control planes");
        const stop = await ws.spawn("localClusters.ts down (the machine restarted)", "ts-node", [path.join(ws.dir, "scripts", "localClusters.ts"), "down"], ws.env);
        assert.strictEqual(stop.code, 0, stop.output.slice(-3000));
        const run = await ws.start("npm start (new control planes)");
        assertAllUp(run, "npm start after the clusters were stopped");
        assert.match(run.output, /started 3 control planes with real nodes/, "new control planes");
        assert.match(run.output, /new control planes: pulumi up --refresh/, "the state's objects refreshed away and made again");
        assert.ok(!fs.existsSync(path.join(kubeHome, "fresh-clusters")), "the marker is removed after the up");
        // The state's kubeconfigs still named the old ports: a new server there would answer with a new CA (x509
        // unknown authority) where a closed port reads as gone, so the new control planes never take them.
        const after = apiServerPorts(kubeHome);
        assert.deepStrictEqual(after.filter((p) => before.includes(p)), [], `new API server ports ${after} avoid the old ${before}`);
    });

    it("`npm run down` leaves nothing: no Ziti entity of the stack, no cluster process, namespace or folder, no client file", async function () {
        const ownerId = ownerIdOf(ws, ws.zitiEnv())!;
        assert.ok(ownerId, "the stack's owner id");
        const id = runId(kubeHome);
        const down = await ws.down("npm run down");
        times.down = down.seconds;
        assert.strictEqual(down.code, 0, down.output.slice(-3000));
        assert.ok(!fs.existsSync(kubeHome), `${kubeHome} removed`);
        assert.ok(!fs.existsSync(`${kubeHome}.ports.json`), "the earlier control planes' ports are forgotten");
        assert.deepStrictEqual(processesNaming(kubeHome), [], "no local cluster process is left");
        const netns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith(hostNetns(id)));
        assert.deepStrictEqual(netns, [], "no network namespace of the run is left");
        assert.ok(!fs.existsSync(path.join(ws.dir, ".state", "clients", "dev.client.json")), "the client identity file is removed");
        const rest = await restOf(ws.zitiEnv());
        try {
            assert.deepStrictEqual(await taggedWith(rest, ownerId), [], "no Ziti entity of the stack is left");
        } finally {
            await rest.close();
        }
        ok = true;
    });
});
