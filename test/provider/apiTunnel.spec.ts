// The admin-side tunnel of `apiOverZiti` / `npm run api-tunnels` with the real `ziti tunnel proxy` against the real
// controller, on this machine (issue 22 finding 7): the cluster API service's entities as the program plans them
// (plan/kubernetesApi.ts: host.v1, intercept.v1, proxy.v1 on 127.0.0.1, the service and its policies), and
// scripts/lib/zitiTunnel.ts startApiTunnel runs the proxy in a wrapper process of its own. Checked: the proxy
// answers on 127.0.0.1 and is refused on every non-loopback address of this machine (connections to the machine's
// own addresses stay in its kernel: nothing leaves it); it is given the admin's identity file itself (no copy to
// leave behind) and its own dir holds no key; when the wrapper is SIGKILLed the proxy is gone and the port closed.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { kubernetesApiZitiEntities } from "../../plan/kubernetesApi";
import { configProvider, edgeRouterPolicyProvider, identityProvider, serviceEdgeRouterPolicyProvider, servicePolicyProvider, serviceProvider } from "../../provider";
import { resolveZitiBinary } from "../../scripts/lib/zitiQuickstart";
import { uniquePrefix, useControllerEnv } from "../helpers/zitiController";

const P = uniquePrefix("tun");
const repoRoot = path.resolve(__dirname, "..", "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
    try {
        return !"ZX".includes(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "X");
    } catch {
        return false;
    }
}

/** Connects to host:port; `connected` or the error code (ECONNREFUSED when nothing listens there). */
function connect(host: string, port: number): Promise<string> {
    return new Promise((resolve) => {
        const s = net.connect({ host, port, timeout: 5000 });
        s.once("connect", () => { s.destroy(); resolve("connected"); });
        s.once("timeout", () => { s.destroy(); resolve("timeout"); });
        s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
    });
}

/** This machine's own addresses that are not loopback (IPv4 and IPv6, link-local IPv6 with its interface). */
function nonLoopbackAddresses(): string[] {
    return Object.entries(os.networkInterfaces()).flatMap(([ifname, list]) => (list ?? [])
        .filter((a) => !a.internal)
        .map((a) => (a.family === "IPv6" && a.address.startsWith("fe80") ? `${a.address}%${ifname}` : a.address)));
}

/** A wrapper process that holds the tunnel, as scripts/apiTunnels.ts does; resolves once the tunnel listens. */
function startWrapper(spec: { cluster: string; service: string; identityFile: string; localPort: number }, zitiBin: string) {
    const script = `const { startApiTunnel } = require(${JSON.stringify(path.join(repoRoot, "scripts", "lib", "zitiTunnel"))});` +
        `startApiTunnel(${JSON.stringify(spec)}, { timeoutMs: 90000 }).then((t) => { process.stdout.write(JSON.stringify({ endpoint: t.endpoint, pid: t.pid, logFile: t.logFile }) + "\\n"); setInterval(() => undefined, 1000); },` +
        ` (e) => { process.stderr.write(String(e && e.message) + "\\n"); process.exit(2); });`;
    // No admin settings in its environment: the tunnel needs only the admin's identity file.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ZITI_")));
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, env: { ...env, ZITI_BIN: zitiBin }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stderr.on("data", (d) => (err += d));
    const ready = new Promise<{ endpoint: string; pid: number; logFile: string }>((resolve, reject) => {
        child.stdout.on("data", (d) => {
            out += d;
            if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]));
        });
        child.once("exit", (code, sig) => reject(new Error(`the wrapper ended (${code ?? sig}) before its tunnel listened: ${err}`)));
    });
    return { child, ready };
}

describe("api tunnel: the real ziti tunnel proxy listens on loopback only and ends with its wrapper", function () {
    this.timeout(240_000);
    const made: { provider: any; id: string; outs: any }[] = [];
    let dir: string;
    let proxyPid: number | undefined;

    // Before useControllerEnv's own `after` (mocha runs them in order), which finds nothing of ours left.
    after(async function () {
        if (proxyPid && alive(proxyPid)) { try { process.kill(-proxyPid, "SIGKILL"); } catch { /* gone */ } }
        for (const m of made.reverse()) await m.provider.delete(m.id, m.outs);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    const env = useControllerEnv(P, serviceProvider);

    it("answers on 127.0.0.1 only, is given the identity file itself, and is gone with the port closed once its wrapper is SIGKILLed", async function () {
        // The cluster API service's entities as the program plans them (plan/kubernetesApi.ts), for a cluster named P.
        const service = `${P}.k8s.svc`, idName = `${P}.admin.id`, port = proxyPort(service);
        const create = async (provider: any, inputs: any) => {
            const r = await provider.create(inputs);
            made.push({ provider, ...r });
            return r;
        };
        await create(identityProvider, { name: `${P}.ziti.id`, enroll: false });
        const admin = await create(identityProvider, { name: idName });
        const ids = new Map<string, string>();
        const providers: Record<string, any> = { Config: configProvider, Service: serviceProvider, ServicePolicy: servicePolicyProvider,
            EdgeRouterPolicy: edgeRouterPolicyProvider, ServiceEdgeRouterPolicy: serviceEdgeRouterPolicyProvider };
        const planned = kubernetesApiZitiEntities({ resourcePrefix: P, clusterName: P, serviceName: service, tunnelerIdentity: `${P}.ziti.id`, admins: [idName], edgeRouterRoles: ["#all"] });
        for (const { kind, resourceName: _, ...inputs } of planned as any[]) {
            const r = await create(providers[kind], kind === "Service" ? { ...inputs, configs: inputs.configs.map((n: string) => ids.get(n)) } : inputs);
            ids.set(inputs.name, r.id);
        }
        // A Dial session (the wrapper's access check) wants an edge router on line; the shared controller does not wait for it.
        for (let i = 0; i < 120 && !((await env.rest.get("edge-routers")).json.data ?? []).some((r: any) => r.isOnline); i++) await sleep(500);

        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-tunnel-test-"));
        const identityFile = path.join(dir, "admin.json");
        fs.writeFileSync(identityFile, admin.outs.identityJson, { mode: 0o600 });
        const { child, ready } = startWrapper({ cluster: P, service, identityFile, localPort: port }, resolveZitiBinary());
        const t = await ready;
        proxyPid = t.pid;
        assert.strictEqual(t.endpoint, `127.0.0.1:${port}`);
        assert.strictEqual(await connect("127.0.0.1", port), "connected", "the tunnel answers on loopback");

        const others = nonLoopbackAddresses();
        assert.ok(others.length > 0, "this machine has a non-loopback address to try (none found: the check would prove nothing)");
        for (const a of others) assert.strictEqual(await connect(a, port), "ECONNREFUSED", `the tunnel's port ${port} on this machine's address ${a}`);

        // The proxy reads the admin's own file (no temp copy holds the key); the tunnel's own dir holds its log only.
        const argv = fs.readFileSync(`/proc/${t.pid}/cmdline`, "utf8").split("\0");
        assert.strictEqual(argv[argv.indexOf("-i") + 1], identityFile, `the proxy's identity argument: ${argv.join(" ")}`);
        const key = JSON.parse(admin.outs.identityJson).id.key.replace(/^pem:/, "").split("\n")[1];
        for (const f of fs.readdirSync(path.dirname(t.logFile))) {
            assert.ok(!fs.readFileSync(path.join(path.dirname(t.logFile), f), "utf8").includes(key), `${f} in the tunnel's dir holds the identity's key`);
        }

        child.kill("SIGKILL");
        for (let i = 0; i < 50 && alive(t.pid); i++) await sleep(100);
        assert.ok(!alive(t.pid), `the proxy ${t.pid} still runs after its wrapper was SIGKILLed`);
        // The leader shows as a zombie while the kernel still tears its other threads (and their sockets) down: a moment.
        let last = "";
        for (let i = 0; i < 50 && (last = await connect("127.0.0.1", port)) !== "ECONNREFUSED"; i++) await sleep(100);
        assert.strictEqual(last, "ECONNREFUSED", "nothing listens on the tunnel's port 5 s after its wrapper was SIGKILLed");
        // A SIGKILLed wrapper cannot remove its log dir (a log, no key: checked above).
        fs.rmSync(path.dirname(t.logFile), { recursive: true, force: true });
    });
});
