// apiziti tier: a dark Kubernetes API server, reached and deployed to only through the Ziti overlay
// (DESIGN 4c, issue 13).
//
// Two network namespaces: a "cluster", where a real kube-apiserver (with its etcd, controller-manager,
// scheduler and a kwok node: scripts/lib/localKubernetes.ts) listens only on the namespace's loopback,
// and a "deployer", joined to it by a veth link on which the cluster exposes nothing. Inside the
// cluster namespace `kubernetes.default.svc` resolves (the namespace's own /etc/hosts) to the
// `kubernetes` Service address 10.96.0.1, whose port 443 a kube-proxy stand-in relays to the API
// server: the path an in-cluster tunneler's host.v1 config takes. Each namespace's only way out is its
// uplink to the controller and the edge router (test/overlay/fixtures/uplink.ts).
//
// 1. `pulumi up` of the project's program as the cluster stack `clusterB` (dark, kubernetesApi on, two
//    admins) with no kubeconfig: every Ziti entity on the controller, the manifests rendered: this is
//    how the in-cluster tunneler is bootstrapped, since nothing can reach the API server yet.
// 2. `ziti tunnel host` in the cluster namespace with the tunneler identity the program enrolled
//    (`kubeB.ziti.id`, from its rendered Secret) binds `kubeB.k8s.svc`.
// 3. From the deployer namespace a direct connection to the API server fails; `pulumi up` of the same
//    stack with `clusters[0].apiOverZiti` and the API server's kubeconfig, run there through
//    scripts/apiTunnels.ts (a local `ziti tunnel proxy` with the deployer admin's enrolled identity),
//    creates the cluster's objects in the API server.
// 4. An admin's tunnel listens on 127.0.0.1 only; the other admin lists them through its own tunnel (curl,
//    the API server's certificate checked as kubernetes.default.svc); an identity without the Dial grant (the
//    cluster Prometheus') is refused by the controller; after `up` with that admin dropped from the
//    cluster's admins its Dial is gone and the API is unreachable for it through Ziti too.
// 5. `pulumi destroy` through the overlay removes the objects (the namespace and its tunneler are kept,
//    see KubernetesApiArgs.deployThrough) and the Ziti entities.
// Everything the test makes is removed in `after`, also when a step fails.
//
// Needs root (`ip netns`), curl (scripts/ensure-overlay-deps.sh), `ziti`, the Pulumi engine and the
// control-plane tools (scripts/tools.sh, scripts/tools.sh control-plane).
import * as assert from "assert";
import * as crypto from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { checkNetnsPrereqs, ManagedProcess, PrereqError, Sandbox, tryRun, tryRunAsync } from "../../scripts/lib/netns";
import { reapStaleSandboxes } from "../../scripts/lib/staleSandboxes";
import { controlPlaneBinaries, LocalClusters, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { startStackTunnels } from "../../scripts/apiTunnels";
import { ApiTunnelError, checkApiAccess } from "../../scripts/lib/zitiTunnel";
import { OverlayController, startOverlayController } from "../overlay/fixtures/controller";
import { findZiti } from "../overlay/fixtures/tools";
import { startRootRelay } from "../overlay/fixtures/uplink";
import { attemptDial, readIdentityFile, ZitiAdmin } from "../overlay/fixtures/zitiRest";
import { readManifests, secretValue } from "../e2e/harness";
import { pollUntil } from "../helpers/pollUntil";
import { toolsEnv } from "../helpers/toolsEnv";
import { ClusterStack } from "./fixtures/clusterStack";
import { listeningAddresses } from "./fixtures/listeningSockets";
import { proxyPort } from "../../flavors/upstream/proxyPorts";

const REPO = path.resolve(__dirname, "../..");
const FIXTURES = path.join(__dirname, "fixtures");
const OVERLAY_FIXTURES = path.join(__dirname, "../overlay/fixtures");

const DEPLOYER_ADDR = "169.254.79.1";
const CLUSTER_ADDR = "169.254.79.2";
/** The `kubernetes` Service's ClusterIP of the local control plane (scripts/lib/localKubernetes.ts SERVICE_IP). */
const SERVICE_IP = "10.96.0.1";
const CLUSTER = "kubeB";
const SERVICE = "kubeB.k8s.svc";
const DEPLOYER = "deployer.admin";
const OPERATOR = "operator.admin";
// Every admin's tunnel to SERVICE listens at 127.0.0.1:<its proxy.v1 port>: one per machine, so the second
// admin's machine is played by the cluster namespace (its own loopback, its own uplink).
const API_PORT = proxyPort(SERVICE);

/** Clears what a killed run (SIGKILL, no hooks) left: its namespaces, their /etc/netns files, its temp dir. */
function sweepStaleRuns(): string[] {
    const notes: string[] = [];
    const dead = (pid36: string) => !fs.existsSync(`/proc/${parseInt(pid36, 36)}`);
    for (const line of tryRun("ip", ["netns", "list"]).stdout.split("\n")) {
        const m = /^(sa([0-9a-z]+)x[0-9a-f]{4}[dk])\b/.exec(line);
        if (!m || !dead(m[2]) || tryRun("ip", ["netns", "pids", m[1]]).stdout.trim()) continue;
        if (tryRun("ip", ["netns", "del", m[1]]).status === 0) notes.push(`removed namespace ${m[1]} left by a killed run`);
    }
    for (const entry of fs.existsSync("/etc/netns") ? fs.readdirSync("/etc/netns") : []) {
        const m = /^sa([0-9a-z]+)x[0-9a-f]{4}k$/.exec(entry);
        if (m && dead(m[1])) {
            fs.rmSync(path.join("/etc/netns", entry), { recursive: true, force: true });
            notes.push(`removed /etc/netns/${entry} left by a killed run`);
        }
    }
    // Its temp dir (and anything else of its sandbox) from the private run registry, never by name in /tmp.
    notes.push(...reapStaleSandboxes());
    return notes;
}

describe("apiziti: a dark Kubernetes API server, deployed to only through the Ziti overlay", function () {
    const runId = `${process.pid.toString(36)}x${crypto.randomBytes(2).toString("hex")}`;
    const nsDeployer = `sa${runId}d`;
    const nsCluster = `sa${runId}k`;

    let sandbox: Sandbox;
    let controller: OverlayController;
    let admin: ZitiAdmin;
    let local: LocalClusters;
    let stack: ClusterStack;
    let zitiBin: string;
    let apiPort: number;
    let kubeconfigPath: string;
    const procs: ManagedProcess[] = [];
    const relays: net.Server[] = [];
    let operatorTunnel: ManagedProcess | undefined;
    /** The admin client credentials of the local API server, as files for curl. */
    const creds = { ca: "", cert: "", key: "" };
    let stackConfig: Record<string, unknown>;

    const file = (name: string) => path.join(sandbox.dir, name);
    const node = (script: string, args: string[]) => [process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args]] as const;
    const diagnostics = () => procs.map((p) => `--- ${p.name} (${p.isRunning() ? "running" : "exited"}) ---\n${p.log()}`).join("\n");

    /** One TCP connection attempt from inside a namespace (test/overlay/fixtures/connectProbe.ts). */
    async function connectFrom(ns: string, host: string, port: number): Promise<{ connected: boolean; code?: string }> {
        const [cmd, args] = node(path.join(OVERLAY_FIXTURES, "connectProbe.ts"), [host, String(port)]);
        const r = await tryRunAsync(cmd, [...args], { netns: ns, timeoutMs: 30000, cwd: REPO });
        return JSON.parse(r.stdout.trim().split("\n").pop() || "{}");
    }

    /** A GET on the API server through the local tunnel in namespace `ns`, the certificate checked as kubernetes.default.svc. */
    async function throughTunnel(ns: string, apiPath: string): Promise<{ ok: boolean; status?: number; body?: any; error?: string }> {
        const r = await tryRunAsync("curl", ["-sS", "--max-time", "10", "-w", "\n%{http_code}", "--cacert", creds.ca, "--cert", creds.cert, "--key", creds.key,
            "--connect-to", `kubernetes.default.svc:443:127.0.0.1:${API_PORT}`, `https://kubernetes.default.svc${apiPath}`], { netns: ns, timeoutMs: 20000 });
        if (r.status !== 0) return { ok: false, error: `curl exit ${r.status}: ${r.stderr.trim()}` };
        const lines = r.stdout.split("\n");
        const status = Number(lines.pop());
        let body: any = lines.join("\n");
        try { body = JSON.parse(body); } catch { /* text */ }
        return { ok: status === 200, status, body };
    }

    /** Starts an admin's tunnel (fixtures/adminTunnel.ts) in namespace `ns`; resolves with its first line. */
    async function adminTunnel(name: string, identity: string, ns = nsDeployer): Promise<{ proc: ManagedProcess; result: any }> {
        const [cmd, args] = node(path.join(FIXTURES, "adminTunnel.ts"), [CLUSTER, SERVICE, identity, String(API_PORT)]);
        const proc = sandbox.spawn(name, cmd, [...args], { netns: ns, cwd: REPO, env: adminEnv() });
        procs.push(proc);
        const line = await pollUntil(`${name} to report`, async () => fs.readFileSync(proc.logFile, "utf8").split("\n").find((l) => l.startsWith("{")), (l) => !!l, 90_000, 250)
            .catch((e) => { throw new Error(`${e.message}\n${proc.log()}`); });
        return { proc, result: JSON.parse(line!) };
    }

    /** The controller's admin settings, as a deploy has them for the Ziti provider. */
    const adminEnv = () => ({ ...process.env, ZITI_API_HOST: controller.controllerUrl, ZITI_USERNAME: controller.username, ZITI_PASSWORD: controller.password, ZITI_CA_BUNDLE: controller.caBundlePath });

    async function deployments(): Promise<string[]> {
        return (await local.cluster(CLUSTER).client().list<any>("/apis/apps/v1/namespaces/monitoring/deployments")).map((d) => d.metadata.name).sort();
    }

    before(async function () {
        this.timeout(900_000);
        try {
            checkNetnsPrereqs(["curl"]);
            zitiBin = findZiti(REPO);
            controlPlaneBinaries();
        } catch (e) {
            if (e instanceof PrereqError) throw new Error(`apiziti test cannot run here: ${e.message}`);
            throw e;
        }
        for (const note of sweepStaleRuns()) console.log(`      ${note}`);
        sandbox = new Sandbox(`sa-apiziti-${runId}`);

        // The two places, and the cluster's own name resolution: kubernetes.default.svc -> the Service IP.
        sandbox.addNamespace(nsDeployer);
        sandbox.addNamespace(nsCluster);
        sandbox.link({ ns: nsDeployer, ifname: "sa-to-cluster", cidr: `${DEPLOYER_ADDR}/30` }, { ns: nsCluster, ifname: "sa-to-deployer", cidr: `${CLUSTER_ADDR}/30` });
        execFileSync("ip", ["-n", nsCluster, "addr", "add", `${SERVICE_IP}/32`, "dev", "lo"]);
        // `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts (ip-netns(8)).
        const etcDir = path.join("/etc/netns", nsCluster);
        sandbox.defer(() => fs.rmSync(etcDir, { recursive: true, force: true }));
        fs.mkdirSync(etcDir, { recursive: true, mode: 0o755 });
        fs.writeFileSync(path.join(etcDir, "hosts"), `127.0.0.1 localhost\n${SERVICE_IP} kubernetes.default.svc kubernetes.default kubernetes\n`, { mode: 0o644 });

        // The overlay, on the root namespace's loopback, and each namespace's uplink to it.
        controller = await startOverlayController(sandbox);
        sandbox.defer(() => controller.stop());
        admin = new ZitiAdmin(controller.controllerUrl, controller.username, controller.password, fs.readFileSync(controller.caBundlePath, "utf8"));
        await admin.login();
        const ctrl = new URL(controller.controllerUrl);
        const specs: string[] = [];
        for (const ep of [{ host: ctrl.hostname, port: Number(ctrl.port) }, ...(await admin.edgeRouterEndpoints())]) {
            const host = ep.host === "localhost" ? "127.0.0.1" : ep.host;
            const sock = file(`uplink-${ep.port}.sock`);
            if (specs.some((s) => s.endsWith(`=${sock}`))) continue;
            relays.push(await startRootRelay(sock, host, ep.port));
            specs.push(`${host}:${ep.port}=${sock}`);
        }
        sandbox.defer(() => Promise.all(relays.map((r) => new Promise<void>((res) => r.close(() => res())))).then(() => undefined));
        for (const ns of [nsDeployer, nsCluster]) {
            const [cmd, args] = node(path.join(OVERLAY_FIXTURES, "uplink.ts"), specs);
            procs.push(sandbox.spawn(`uplink-${ns}`, cmd, [...args], { netns: ns, cwd: REPO }));
        }

        // The dark API server: a local control plane on the cluster namespace's loopback, and the
        // kube-proxy stand-in for its `kubernetes` Service.
        local = await startLocalClusters({ names: [CLUSTER], netns: nsCluster, dir: file("kube"), log: (m) => console.log(`      [local-kube] ${m}`) });
        sandbox.defer(() => local.stop());
        apiPort = local.cluster(CLUSTER).port;
        kubeconfigPath = local.cluster(CLUSTER).kubeconfigPath;
        const kc = YAML.parse(fs.readFileSync(kubeconfigPath, "utf8"));
        const b64 = (s: string) => Buffer.from(s, "base64");
        for (const [k, v] of [["ca", kc.clusters[0].cluster["certificate-authority-data"]], ["cert", kc.users[0].user["client-certificate-data"]], ["key", kc.users[0].user["client-key-data"]]]) {
            (creds as any)[k] = file(`kube-admin.${k}.pem`);
            fs.writeFileSync((creds as any)[k], b64(v), { mode: 0o600 });
        }
        const [kp, kpArgs] = node(path.join(FIXTURES, "kubeProxy.ts"), [`${SERVICE_IP}:443`, `127.0.0.1:${apiPort}`]);
        procs.push(sandbox.spawn("kube-proxy-stand-in", kp, [...kpArgs], { netns: nsCluster, cwd: REPO }));

        // 1. The cluster stack, rendered (no route to the API server yet): the Ziti side and the manifests.
        stack = new ClusterStack(REPO, sandbox.dir, "clusterB", controller, toolsEnv());
        await stack.pulumi(["stack", "init"]);
        stackConfig = {
            role: "cluster",
            // The article flavor's deployments (prometheus, reflectz, ziti-host) are what this tier lists.
            flavor: "article",
            clusters: [{ name: CLUSTER, kind: "dark", namespace: "monitoring" }],
            kubernetesApi: true,
            kubernetesAdmins: [DEPLOYER, OPERATOR],
        };
        stack.configure(stackConfig);
        await stack.pulumi(["up", "--yes", "--skip-preview", "--suppress-outputs"]);
        const out = await stack.outputs(true);
        for (const a of [DEPLOYER, OPERATOR]) {
            const jwt = out.kubernetesAdminJwts?.[a];
            assert.match(jwt ?? "", /^eyJ/, `pulumi up gave no enrollment JWT for ${a}`);
            fs.writeFileSync(file(`${a}.jwt`), jwt, { mode: 0o600 });
            // The admin's own step (README): `ziti edge enroll --jwt <admin>.jwt --out <admin>.json`.
            execFileSync(zitiBin, ["edge", "enroll", "--jwt", file(`${a}.jwt`), "--out", file(`${a}.json`)], { stdio: ["ignore", "pipe", "pipe"] });
        }
        const rendered = path.join(stack.ws, "rendered", "clusterB", CLUSTER);
        const secretJson = (secretName: string): string => {
            const found = readManifests(rendered).find(({ doc }) => doc.kind === "Secret" && doc.metadata?.name === secretName);
            const json = found && secretValue(found.doc, "identity.json");
            if (!json) throw new Error(`no Secret ${secretName} with identity.json rendered under ${rendered}`);
            return json;
        };
        fs.writeFileSync(file("tunneler.json"), secretJson("ziti-host-identity"), { mode: 0o600 });
        fs.writeFileSync(file("prometheus.json"), secretJson("prometheus-identity"), { mode: 0o600 });

        // 2. The in-cluster tunneler: binds kubeB.k8s.svc with the identity the program enrolled.
        procs.push(sandbox.spawn("tunnel-host", zitiBin, ["tunnel", "host", "-i", file("tunneler.json"), "--cli-agent=false"], { netns: nsCluster }));
        const svc = await admin.findByName("services", SERVICE);
        assert.ok(svc, `the service ${SERVICE} must exist after the first up`);
        await pollUntil("the cluster's tunneler to bind the API service (a terminator)", () => admin.list("terminators", `service="${svc.id}"`), (t) => t.length > 0, 90_000)
            .catch((e) => { throw new Error(`${e.message}\n${diagnostics()}`); });
    });

    after(async function () {
        this.timeout(300_000);
        if (!sandbox) return;
        const problems = await sandbox.cleanup();
        const leftover = tryRun("ip", ["netns", "list"]).stdout.split("\n").filter((l) => l.startsWith(`sa${runId}`));
        if (leftover.length) problems.push(`namespaces left behind: ${leftover.join(", ")}`);
        if (fs.existsSync(path.join("/etc/netns", nsCluster))) problems.push(`/etc/netns/${nsCluster} left behind`);
        if (fs.existsSync(sandbox.dir)) problems.push(`${sandbox.dir} left behind`);
        assert.deepStrictEqual(problems, [], "the apiziti test must leave nothing behind");
    });

    it("the API server answers only inside the cluster namespace: a direct connection from the deployer fails", async function () {
        const r = await local.cluster(CLUSTER).client().request("GET", "/readyz");
        assert.strictEqual(r.status, 200, "the API server is up inside its namespace");
        // The link works (the cluster's kernel answers) but nothing listens on it: refused, not lost.
        assert.deepStrictEqual(await connectFrom(nsDeployer, CLUSTER_ADDR, apiPort), { connected: false, code: "ECONNREFUSED", body: "" });
        assert.deepStrictEqual(await connectFrom(nsDeployer, "127.0.0.1", apiPort), { connected: false, code: "ECONNREFUSED", body: "" });
        const viaService = await connectFrom(nsDeployer, SERVICE_IP, 443);
        assert.strictEqual(viaService.connected, false, `the Service address is the cluster's own: ${JSON.stringify(viaService)}`);
    });

    it("pulumi up through the overlay (apiOverZiti, a local ziti tunnel proxy) creates the cluster's objects in the dark API server", async function () {
        this.timeout(900_000);
        assert.deepStrictEqual(await deployments(), [], "nothing deployed before");
        stackConfig = { ...stackConfig, clusters: [{ name: CLUSTER, kind: "dark", namespace: "monitoring", kubeconfig: kubeconfigPath, apiOverZiti: { identityFile: file(`${DEPLOYER}.json`) } }] };
        stack.configure(stackConfig);
        const up = await stack.pulumi(["up", "--yes", "--skip-preview", "--suppress-outputs"], { netns: nsDeployer, throughTunnels: true });
        assert.match(up.output, new RegExp(`api-tunnels: kubeB: ziti tunnel proxy kubeB\\.k8s\\.svc on 127\\.0\\.0\\.1:${API_PORT}`));
        assert.deepStrictEqual(await deployments(), ["prometheus", "reflectz", "ziti-host"]);
        const ns = await local.cluster(CLUSTER).client().get<any>("/api/v1/namespaces/monitoring");
        assert.strictEqual(ns?.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
        const services = await local.cluster(CLUSTER).client().list<any>("/api/v1/namespaces/monitoring/services");
        assert.deepStrictEqual(services.map((s) => s.metadata.name), [], "ClusterB still has no Service");
        // The tunnel is gone with the command: nothing listens on the deployer's side any more.
        assert.strictEqual((await connectFrom(nsDeployer, "127.0.0.1", API_PORT)).connected, false, "the deploy's tunnel is stopped after the command");
    });

    it("an admin's tunnel listens on 127.0.0.1 only: its namespace's own address and the link from outside are refused", async function () {
        this.timeout(300_000);
        const t = await adminTunnel("tunnel-loopback", file(`${DEPLOYER}.json`));
        assert.ok(t.result.ready, `the deployer's tunnel: ${JSON.stringify(t.result)}`);
        await pollUntil("the API through the tunnel", () => throughTunnel(nsDeployer, "/version"), (r) => r.ok, 60_000);
        assert.deepStrictEqual(listeningAddresses(t.proc.child.pid!, API_PORT), ["127.0.0.1"], `the tunnel's listening sockets on port ${API_PORT}`);
        // Its namespace's own link address, and the other end of the link (the deployer's LAN): refused.
        for (const ns of [nsDeployer, nsCluster]) assert.strictEqual((await connectFrom(ns, DEPLOYER_ADDR, API_PORT)).code, "ECONNREFUSED", ns);
        await sandbox.stop(t.proc);
    });

    it("another admin lists them through its own tunnel on its own machine", async function () {
        this.timeout(300_000);
        const t = await adminTunnel("tunnel-operator", file(`${OPERATOR}.json`), nsCluster);
        assert.ok(t.result.ready, `the operator's tunnel: ${JSON.stringify(t.result)}`);
        operatorTunnel = t.proc;
        const list = await pollUntil("the deployments through the operator's tunnel", () => throughTunnel(nsCluster, "/apis/apps/v1/namespaces/monitoring/deployments"), (r) => r.ok, 60_000)
            .catch((e) => { throw new Error(`${e.message}\n${diagnostics()}`); });
        assert.deepStrictEqual(list.body.items.map((d: any) => d.metadata.name).sort(), ["prometheus", "reflectz", "ziti-host"]);
    });

    it("an identity without the Dial grant (the cluster Prometheus') is refused by the controller", async function () {
        this.timeout(300_000);
        const svc = await admin.findByName("services", SERVICE);
        const dial = await attemptDial(readIdentityFile(file("prometheus.json")), svc.id);
        assert.ok(dial.authenticated, `the Prometheus identity is a working, enrolled identity: ${dial.authError}`);
        assert.ok(!dial.visibleServices.includes(SERVICE), "the API service is invisible to it");
        assert.strictEqual(dial.dialGranted, false, "the controller refuses it a Dial session");
        // The deploy path says why, before starting anything.
        const t = await adminTunnel("tunnel-outsider", file("prometheus.json"));
        assert.strictEqual(t.result.error, "no-dial-grant", JSON.stringify(t.result));
        assert.match(t.result.message, /has no Dial grant on "kubeB.k8s.svc": add the identity to the cluster's API admins/);
        // So do the other two mistakes: no identity file, and a service that does not exist.
        await assert.rejects(startStackTunnels("clusterB", stack.ws, { ...stackConfig, clusters: [{ name: CLUSTER, kubeconfig: kubeconfigPath, apiOverZiti: { identityFile: file("nobody.json") } }] } as any),
            (e: unknown) => e instanceof ApiTunnelError && e.reason === "no-identity" && /no identity file .*nobody\.json .*ziti edge enroll --jwt/.test(e.message));
        await assert.rejects(checkApiAccess({ cluster: CLUSTER, service: "kubeZ.k8s.svc", identityFile: file(`${DEPLOYER}.json`), localPort: 1 }, adminEnv()),
            (e: unknown) => e instanceof ApiTunnelError && e.reason === "service-missing" && /there is no Ziti service "kubeZ.k8s.svc"/.test(e.message));
    });

    it("after up with the operator dropped from the cluster's admins, its Dial is gone and the API is unreachable for it through Ziti", async function () {
        this.timeout(900_000);
        assert.ok(operatorTunnel?.isRunning(), "the operator's tunnel must be running for its loss of access to mean anything");
        assert.ok((await throughTunnel(nsCluster, "/version")).ok, "the operator reaches the API before");
        stackConfig = { ...stackConfig, clusters: [{ ...(stackConfig.clusters as any[])[0], kubernetesAdmins: [DEPLOYER] }] };
        stack.configure(stackConfig);
        await stack.pulumi(["up", "--yes", "--skip-preview", "--suppress-outputs"], { netns: nsDeployer, throughTunnels: true });
        const dialPolicy = await admin.findByName("service-policies", "kubeB.k8s.dial");
        const operatorId = (await admin.findByName("identities", OPERATOR)).id;
        assert.ok(!dialPolicy.identityRoles.includes(`@${operatorId}`), "the operator is out of the Dial policy");
        await pollUntil("the operator's tunnel to stop carrying API requests", () => throughTunnel(nsCluster, "/version"), (r) => !r.ok, 120_000);
        // As the deploy path sees it: with the controller's admin settings it tells "not granted" from "missing".
        await assert.rejects(checkApiAccess({ cluster: CLUSTER, service: SERVICE, identityFile: file(`${OPERATOR}.json`), localPort: 1 }, adminEnv()),
            (e: unknown) => e instanceof ApiTunnelError && e.reason === "no-dial-grant" && /operator\.admin\.json has no Dial grant on "kubeB\.k8s\.svc"/.test(e.message));
        // Without them, it says it cannot tell.
        await assert.rejects(checkApiAccess({ cluster: CLUSTER, service: SERVICE, identityFile: file(`${OPERATOR}.json`), localPort: 1 }, {}),
            (e: unknown) => e instanceof ApiTunnelError && e.reason === "service-not-visible" && /it does not exist, or the identity may not dial it/.test(e.message));
        // The deployer, still an admin, gets through.
        const t = await adminTunnel("tunnel-deployer", file(`${DEPLOYER}.json`));
        assert.ok(t.result.ready, JSON.stringify(t.result));
        assert.ok((await pollUntil("the deployer's API access", () => throughTunnel(nsDeployer, "/version"), (r) => r.ok, 60_000)).ok);
        await sandbox.stop(t.proc);
    });

    it("pulumi destroy through the overlay removes the objects and the Ziti entities, keeping the namespace and its tunneler", async function () {
        this.timeout(900_000);
        await stack.pulumi(["destroy", "--yes", "--skip-preview"], { netns: nsDeployer, throughTunnels: true });
        assert.deepStrictEqual(await deployments(), ["ziti-host"], "only the retained tunneler is left in the namespace");
        assert.strictEqual(await admin.findByName("services", SERVICE), undefined, "the API service is gone from the controller");
        assert.strictEqual(await admin.findByName("identities", DEPLOYER), undefined, "the admins are gone");
    });
});
