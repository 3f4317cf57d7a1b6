// The local control planes themselves (scripts/lib/localKubernetes.ts): separate API servers with their own
// CAs, admin kubeconfigs that work, a client certificate from another cluster's CA refused, a kwok node that is
// Ready, pods scheduled and Running; stop() and a SIGKILLed owner leave no process and no directory behind.
// On kwok on purpose: nothing here is about a node, except the simulated node itself, which stacks.spec.ts, apiziti
// and npm start's fallback rely on. Real nodes, their pods and their teardown are nodes.spec.ts's.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import * as https from "https";
import * as http from "http";
import { ENCRYPTED_PREFIX } from "../../scripts/lib/encryptionConfig";
import { KubeClient } from "../../scripts/lib/kubeClient";
import { LocalClusters, reapStaleRuns, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { repoRoot } from "../e2e/harness";
import { startThenKill } from "../helpers/killedRun";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
    } catch {
        return false;
    }
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(500);
    }
}

describe("kubernetes: the local control planes", function () {
    this.timeout(240_000);
    let local: LocalClusters;

    before(async function () {
        local = await startLocalClusters({ names: ["alpha", "beta"] });
        const rss = local.rss();
        console.log(`      [kube] 2 clusters ready in ${(local.startMs / 1000).toFixed(1)}s, resident memory ${(rss.total / 2 ** 20).toFixed(0)} MiB (${(rss.proportional / 2 ** 20).toFixed(0)} MiB shared pages once):`,
            Object.entries(rss.byProcess).map(([n, b]) => `${n} ${(b / 2 ** 20).toFixed(0)}`).join(", "));
    });

    after(async function () {
        await local?.stop();
    });

    it("runs one real API server per cluster, each with its own CA, version stamped v1.37.2", async function () {
        const [a, b] = local.clusters;
        assert.notStrictEqual(a.server, b.server);
        for (const c of local.clusters) {
            const v = await c.client().get<any>("/version");
            assert.strictEqual(v.gitVersion, "v1.37.2", `${c.name} /version`);
            assert.strictEqual([v.major, v.minor].join("."), "1.37");
        }
        // Objects are per cluster (distinct etcd prefixes): a namespace made in alpha is not in beta.
        await a.client().mustCreate("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "only-in-alpha" } });
        assert.ok(await a.client().get("/api/v1/namespaces/only-in-alpha"));
        assert.strictEqual(await b.client().get("/api/v1/namespaces/only-in-alpha"), undefined);
        assert.strictEqual(fs.statSync(a.kubeconfigPath).mode & 0o777, 0o600, "kubeconfig is 0600");
    });

    it("refuses a client certificate signed by another cluster's CA (401), and anything without one", async function () {
        const [a, b] = local.clusters;
        const foreign = new KubeClient({ ...a.client().conn, cert: b.client().conn.cert, key: b.client().conn.key });
        const res = await foreign.request("GET", "/api/v1/namespaces");
        assert.strictEqual(res.status, 401, JSON.stringify(res.body));
        const anonymous = await new KubeClient({ ...a.client().conn, cert: "", key: "" }).request("GET", "/api/v1/namespaces");
        assert.ok([401, 403].includes(anonymous.status), `anonymous answered ${anonymous.status}`);
    });

    it("has a Ready kwok node (the simulated one stacks.spec relies on): a Deployment is scheduled, kwok marks its pod Running and Ready, the Deployment available", async function () {
        const api = local.clusters[0].client();
        const node = await api.get<any>(`/api/v1/nodes/${local.clusters[0].nodeName}`);
        assert.ok(node.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True"), "node Ready");
        await api.mustCreate("/apis/apps/v1/namespaces/default/deployments", {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "probe" },
            spec: {
                replicas: 1, selector: { matchLabels: { app: "probe" } },
                template: { metadata: { labels: { app: "probe" } }, spec: { containers: [{ name: "c", image: "registry.invalid/probe:1" }] } },
            },
        });
        const d = await waitFor("deployment available", async () => {
            const d = await api.get<any>("/apis/apps/v1/namespaces/default/deployments/probe");
            return d?.status?.availableReplicas === 1 ? d : undefined;
        });
        assert.strictEqual(d.status.readyReplicas, 1);
        const pods = await api.list<any>("/api/v1/namespaces/default/pods?labelSelector=app%3Dprobe");
        assert.strictEqual(pods.length, 1);
        assert.strictEqual(pods[0].spec.nodeName, local.clusters[0].nodeName, "scheduled by kube-scheduler onto the kwok node");
        assert.strictEqual(pods[0].status.phase, "Running");
        // The controller-manager's garbage collector removes the ReplicaSet and pod of a deleted Deployment.
        await api.delete("/apis/apps/v1/namespaces/default/deployments/probe", "Foreground");
        await waitFor("pods gone", async () => ((await api.list("/api/v1/namespaces/default/pods?labelSelector=app%3Dprobe")).length === 0 ? true : undefined));
    });

    it("etcd refuses a client without the API servers' certificate; with it, a Secret's stored value is encrypted", async function () {
        const c = local.clusters[0];
        const secret = `at-rest-${crypto.randomBytes(4).toString("hex")}`;
        const plaintext = crypto.randomBytes(24).toString("hex");
        await c.client().mustCreate("/api/v1/namespaces/default/secrets", {
            apiVersion: "v1", kind: "Secret", metadata: { name: secret }, stringData: { key: plaintext },
        });
        const u = new URL(local.etcd.url);
        const range = JSON.stringify({ key: Buffer.from(`${c.etcdPrefix}/secrets/default/${secret}`).toString("base64") });
        // etcd's JSON gateway (go.etcd.io/etcd/server/v3 v3.7.3 etcdserver/api/v3rpc, POST /v3/kv/range).
        const post = (mod: typeof https | typeof http, tls: https.RequestOptions) => new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = mod.request({ host: u.hostname, port: u.port, path: "/v3/kv/range", method: "POST", headers: { "content-type": "application/json" }, timeout: 5000, ...tls },
                (res) => { let b = ""; res.on("data", (d) => (b += d)); res.on("end", () => resolve({ status: res.statusCode ?? 0, body: b })); });
            req.on("timeout", () => req.destroy(new Error("timeout")));
            req.on("error", reject);
            req.end(range);
        });
        // Plain HTTP and TLS without a client certificate: refused (no answer with data).
        const plain = await post(http, {}).catch((e: Error) => ({ status: 0, body: e.message }));
        assert.ok(!/"header"/.test(plain.body), `etcd answered plain HTTP: ${plain.status} ${plain.body.slice(0, 200)}`);
        const etcdCa = fs.readFileSync(path.join(local.dir, "etcd-pki", "ca.crt"));
        await assert.rejects(post(https, { ca: etcdCa }), "TLS without a client certificate is refused");
        // The kube-apiserver's own client certificate reads the raw value: encrypted, the plaintext nowhere in it.
        const pki = path.join(c.dir, "pki");
        const r = await post(https, { ca: etcdCa, cert: fs.readFileSync(path.join(pki, "etcd-client.crt")), key: fs.readFileSync(path.join(pki, "etcd-client.key")) });
        assert.strictEqual(r.status, 200, r.body);
        const kv = JSON.parse(r.body).kvs?.[0];
        assert.ok(kv, `etcd holds ${c.etcdPrefix}/secrets/default/${secret}`);
        const raw = Buffer.from(kv.value, "base64");
        assert.ok(raw.toString("latin1").startsWith(ENCRYPTED_PREFIX), `stored value starts with ${ENCRYPTED_PREFIX}: ${raw.toString("latin1").slice(0, 40)}`);
        assert.ok(!raw.includes(plaintext) && !raw.includes(Buffer.from(plaintext).toString("base64")), "the plaintext is not stored");
        assert.strictEqual(fs.statSync(path.join(pki, "encryption.yaml")).mode & 0o777, 0o600, "the encryption key file is 0600");
        // The API still reads it back.
        const back = await c.client().get<any>(`/api/v1/namespaces/default/secrets/${secret}`);
        assert.strictEqual(Buffer.from(back.data.key, "base64").toString(), plaintext);
    });

    it("keeps no CA private key on disk: nothing here signs after start", function () {
        const keys = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
            .flatMap((e) => e.isDirectory() ? keys(path.join(d, e.name)) : /ca\.key$/.test(e.name) ? [path.join(d, e.name)] : []);
        assert.deepStrictEqual(keys(local.dir), [], "no ca.key in the run dir");
    });

    it("stop() ends every process and removes its temp dir; a second stop is a no-op", async function () {
        const one = await startLocalClusters({ names: ["gamma"] });
        const pids = [one.etcd.pid, ...Object.values(one.clusters[0].pids)];
        assert.ok(pids.every(alive), "all running");
        await one.stop();
        await one.stop();
        assert.deepStrictEqual(pids.filter(alive), [], "no process left");
        assert.ok(!fs.existsSync(one.dir), `${one.dir} removed`);
        const port = one.clusters[0].port;
        const listener = () => execFileSync("ss", ["-Htlnp", `sport = :${port}`], { encoding: "utf8" }).trim();
        // No process of ours holds the port. A listener that ss shows with no owning process has been seen on this
        // shared machine after every pid above was gone (a freed free-port can be taken by anything): it is reported,
        // not failed on, since "no process left" above already proves what stop() owes.
        const deadline = Date.now() + 10_000;
        while (listener() !== "" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        const left = listener();
        const owners = [...left.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
        assert.deepStrictEqual(owners.filter((pid) => pids.includes(pid)), [], `no process of ours listens on the API server's port ${port}: ${left}`);
        if (left !== "") process.stdout.write(`      note: port ${port} has a listener that is not ours after stop(): ${left}\n`);
    });

    it("a run whose owner was SIGKILLed is reaped by the next start (reapStaleRuns)", async function () {
        // A separate Node process starts a cluster, reports it, and is killed: its detached children survive it.
        const script = `require(${JSON.stringify(path.join(repoRoot, "scripts", "lib", "localKubernetes"))}).startLocalClusters({ names: ["killed"] })` +
            `.then((l) => process.stdout.write(JSON.stringify({ dir: l.dir, pids: [l.etcd.pid, ...Object.values(l.clusters[0].pids)] }) + "\\n"))`;
        const run = await startThenKill<{ dir: string; pids: number[] }>(script, repoRoot);
        assert.ok(run.pids.every(alive), "the control plane outlived its owner");
        const reaped = await reapStaleRuns(() => undefined);
        assert.ok(reaped >= 1, "the dead owner's run was reaped");
        assert.deepStrictEqual(run.pids.filter(alive), [], "no process left");
        assert.ok(!fs.existsSync(run.dir), `${run.dir} removed`);
        // The clusters of this (live) process are untouched.
        assert.strictEqual((await local.clusters[0].client().request("GET", "/readyz")).status, 200);
    });
});
