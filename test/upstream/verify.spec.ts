// Tier `upstream`, the user's commands: `npm run verify` and `npm run ui`, run as users run them, against the
// upstream flavor running for real. A real controller and router; the flavor's entity sets for one cluster, the
// central Prometheus and a human client (flavors/upstream/zitiEntities.ts) created on it; in a network namespace
// per place (the cluster, central), each with only the uplink to the controller and router: node_exporter, the
// cluster's Prometheus 3.16 and central's, each pod's `ziti tunnel` sidecar with the flavor's command. The stack
// is a real Pulumi stack (file backend) whose outputs are the ones the dev stack exports for this topology
// (imported: the pods are not made by `pulumi up` here; test/e2e does that part).
// Shows: all fine -> exit 0 and JSON saying hosted / dialable / scraped (up) per target; `npm run ui` serves
// /api/v1/query on 127.0.0.1 only and stops on SIGINT; a deleted Dial policy -> exit 1 naming the service, the
// identity and `no-dial-grant`; the hosting tunneler stopped -> exit 1 with `not-hosted` and `not-scraped`.
import * as assert from "assert";
import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { pollUntil } from "../helpers/pollUntil";
import { toolsEnv } from "../helpers/toolsEnv";
import { listeners } from "./listeners";
import { adminToken, createSet, enroll } from "./zitiSet";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import type { VerifyResult } from "../../scripts/lib/stackCheck";
import { startRootRelay } from "../overlay/fixtures/uplink";
import { httpsJson } from "../overlay/fixtures/zitiRest";
import { centralPrometheusConfig, clusterPrometheusConfig } from "../../flavors/upstream/prometheusConfig";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { centralEntities, clusterDialedServices, clusterEntities } from "../../flavors/upstream/zitiEntities";
import { fromPlanEntities } from "../../flavors/upstream/zitiGraph";
import { clientZitiEntities } from "../../plan/places";
import { nodeExporterArgs } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3, prometheus3Args } from "../../flavors/upstream/workloads/prometheus";
import { zitiTunnelCommand, ZITI_TUNNEL_IDENTITY_FILE } from "../../flavors/upstream/workloads/zitiTunnel";

const REPO = path.resolve(__dirname, "../..");
const tool = (name: string) => execFileSync("bash", [path.join(REPO, "scripts/tools.sh"), "path", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

/** A place (pod network) of its own: a network namespace whose only way out is the uplink to the controller and router. */
interface Place {
    holder: ChildProcess;
    run(name: string, cmd: string, args: string[], env?: Record<string, string>): ChildProcess;
    /** GET from inside the place (curl); asynchronous, like everything here while the uplinks run in this process. */
    get(url: string): Promise<string>;
}

describe("npm run verify / npm run ui against the upstream flavor running over a real Ziti network", function () {
    this.timeout(300000);
    const procs: ChildProcess[] = [];
    const relays: { close(): void }[] = [];
    let dir: string;
    let ctl: ZitiQuickstart | undefined;
    // Unique names: the client's tunnel listens in this machine's namespace on the central service's proxy.v1 port,
    // which is derived from the name (flavors/upstream/proxyPorts.ts); another run elsewhere must not collide.
    const tag = crypto.randomBytes(3).toString("hex");
    const A = `va${tag}`, C = `vc${tag}`, CLIENT = `vu${tag}.client`, STACK = `verify${tag}`;
    let cmdEnv: NodeJS.ProcessEnv;
    let bin: { prometheus: string; nodeExporter: string };
    let program: string;
    let clientFile: string;

    const makePlace = async (name: string): Promise<Place> => {
        const holder = spawn("unshare", ["--net", "sh", "-c", "ip link set lo up && exec sleep 900"], { stdio: "ignore" });
        procs.push(holder);
        const run = (proc: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
            const p = spawn("nsenter", ["-t", String(holder.pid), "-n", cmd, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
            const log = fs.createWriteStream(path.join(dir, `${name}-${proc}.log`));
            p.stdout!.pipe(log);
            p.stderr!.pipe(log);
            procs.push(p);
            return p;
        };
        const uplinkArgs: string[] = [];
        for (const port of [ctl!.ctrlPort, ctl!.routerPort]) {
            const sock = path.join(dir, `${name}-${port}.sock`);
            relays.push(await startRootRelay(sock, "127.0.0.1", port));
            uplinkArgs.push(`127.0.0.1:${port}=${sock}`);
        }
        run("uplink", process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "test/overlay/fixtures/uplink.ts"), ...uplinkArgs]);
        await pollUntil(`the uplink of ${name}`, async () => listeners(holder.pid!).length, n => n >= 2, 90000);
        const get = (url: string) => new Promise<string>((resolve, reject) => execFile("nsenter", ["-t", String(holder.pid), "-n", "curl", "-sf", "--max-time", "5", url], { encoding: "utf8" },
            (err, stdout) => (err ? reject(err) : resolve(stdout))));
        return { holder, run, get };
    };

    /** `npm run -s verify -- <args>` as a user runs it; resolves with its exit code, stdout and stderr. */
    const verify = (args: string[]) => new Promise<{ code: number; json: VerifyResult; stderr: string }>((resolve, reject) => {
        execFile("npm", ["run", "-s", "verify", "--", "--stack", STACK, "--cwd", program, "--json", ...args], { cwd: REPO, env: cmdEnv, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0;
            try {
                resolve({ code, json: JSON.parse(stdout), stderr });
            } catch {
                reject(new Error(`verify exited ${code} without JSON on stdout:\n${stdout}\n${stderr}`));
            }
        });
    });
    const svc = (r: VerifyResult, name: string) => {
        const s = r.services.find(x => x.service === name);
        assert.ok(s, `verify reports ${name}: ${r.services.map(x => x.service).join(", ")}`);
        return s;
    };

    before(async function () {
        if (process.getuid?.() !== 0) throw new Error("tier upstream needs root (unshare --net, nsenter): run it as root");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-upstream-verify-"));
        const cliDir = path.join(dir, "ziti-cli");
        fs.mkdirSync(cliDir, { mode: 0o700 });
        process.env.ZITI_CONFIG_DIR = cliDir; // a CLI login of its own (see test/overlay/fixtures/controller.ts)
        // Tool paths first: nothing may block this process once the uplinks relay through it.
        bin = { prometheus: tool("prometheus"), nodeExporter: tool("node_exporter") };
        ctl = await startZitiQuickstart({ home: path.join(dir, "ziti-home"), waitForRouter: true, timeoutMs: 180000 });

        // A real Pulumi stack holding the outputs the dev stack exports for this topology (index.ts, components/topology.ts).
        program = path.join(dir, "program");
        fs.mkdirSync(program);
        fs.writeFileSync(path.join(program, "Pulumi.yaml"), "name: scrape-anywhere\nruntime: nodejs\n");
        cmdEnv = {
            ...process.env, ...toolsEnv(),
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`, PULUMI_CONFIG_PASSPHRASE: "verify-test",
            ZITI_API_HOST: ctl.controllerUrl, ZITI_USERNAME: ctl.username, ZITI_PASSWORD: ctl.password, ZITI_CA_BUNDLE: ctl.caBundlePath, ZITI_BIN: ctl.zitiBin,
        };
        fs.mkdirSync(path.join(dir, "state"));
        const outputs = {
            role: "dev",
            clusterOutputs: { [A]: { clusterName: A, clusterKind: "dark", federationTarget: `${A}.prometheus.svc`, reflectzScrapeTarget: `${A}.exporter.svc` } },
            centralPrometheus: { name: C, placement: "kubernetes", serviceName: `${C}.prometheus.svc`, identityName: `${C}.prometheus.id`, target: `${C}.prometheus.svc-${C}.prometheus.id`, federates: [A] },
            clientIdentities: [CLIENT],
        };
        const checkpoint = { version: 3, deployment: { manifest: { time: new Date().toISOString(), magic: "", version: "v3.248.0" }, resources: [
            { urn: `urn:pulumi:${STACK}::scrape-anywhere::pulumi:pulumi:Stack::scrape-anywhere-${STACK}`, custom: false, type: "pulumi:pulumi:Stack", outputs },
        ] } };
        fs.writeFileSync(path.join(dir, "checkpoint.json"), JSON.stringify(checkpoint));
        execFileSync("pulumi", ["stack", "init", STACK, "--non-interactive"], { cwd: program, env: cmdEnv, stdio: "pipe" });
        execFileSync("pulumi", ["stack", "import", "--stack", STACK, "--file", path.join(dir, "checkpoint.json"), "--force"], { cwd: program, env: cmdEnv, stdio: "pipe" });
    });
    after(async function () {
        for (const p of procs.slice().reverse()) p.kill("SIGTERM");
        for (const r of relays) r.close();
        await ctl?.stop();
        delete process.env.ZITI_CONFIG_DIR;
        if (dir && !process.env.SA_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    });

    let ids: Record<string, string> = {};
    let exporterTunnel: ChildProcess;

    it("all fine: exit 0, every target hosted, dialable by whom it should be, and up in central", async function () {
        const ca = fs.readFileSync(ctl!.caBundlePath, "utf8");
        const routers = { edgeRouterRoles: ["#all"] };
        for (const set of [clusterEntities({ clusterName: A, ...routers }), centralEntities({ centralName: C, ...routers }), fromPlanEntities(clientZitiEntities("clients", [CLIENT], routers.edgeRouterRoles))]) {
            ids = { ...ids, ...(await createSet(ctl!, ca, set)) };
        }
        const idFile: Record<string, string> = {};
        for (const name of [`${A}.prometheus.id`, `${A}.exporter.id`, `${C}.prometheus.id`]) idFile[name] = await enroll(ctl!, ca, name, dir);
        clientFile = await enroll(ctl!, ca, CLIENT, dir);

        const tunnel = (id: string) => zitiTunnelCommand().slice(1).map(a => (a === ZITI_TUNNEL_IDENTITY_FILE ? idFile[id] : a === "15" ? "3" : a));
        const tmp = (id: string) => { const d = path.join(dir, `tmp-${id}`); fs.mkdirSync(d); return { TMPDIR: d }; };
        const prometheus = (place: Place, name: string, config: Record<string, unknown>) => {
            const file = path.join(dir, `${name}-${PROMETHEUS3.configFileName}`);
            fs.writeFileSync(file, YAML.stringify(config));
            const storage = path.join(dir, `${name}-storage`);
            fs.mkdirSync(storage);
            place.run("prometheus", bin.prometheus, prometheus3Args("dark").map(a => a.replace(/=\/etc\/config\/prometheus\.yml$/, `=${file}`).replace(/=\/prometheus$/, `=${storage}`)));
        };
        const cluster = await makePlace(A);
        const central = await makePlace(C);
        const [, exporter] = clusterDialedServices(A);
        cluster.run("node_exporter", bin.nodeExporter, nodeExporterArgs());
        exporterTunnel = cluster.run("tunnel-exporter", ctl!.zitiBin, tunnel(`${A}.exporter.id`), tmp(`${A}.exporter`));
        cluster.run("tunnel-prometheus", ctl!.zitiBin, tunnel(`${A}.prometheus.id`), tmp(`${A}.prometheus`));
        prometheus(cluster, A, clusterPrometheusConfig({ clusterName: A, exporter, scrapeInterval: "2s" }));
        central.run("tunnel-prometheus", ctl!.zitiBin, tunnel(`${C}.prometheus.id`), tmp(`${C}.prometheus`));
        prometheus(central, C, centralPrometheusConfig({ centralName: C, dialed: clusterDialedServices(A), federationMatch: ['{job=~".+"}'], scrapeInterval: "2s" }));

        const t0 = Date.now();
        const ups = async () => JSON.parse(await central.get("http://127.0.0.1:9090/api/v1/query?query=up")).data.result.filter((r: any) => r.metric.cluster === A && r.value[1] === "1").length;
        await pollUntil(`central scraping both of ${A}'s services over Ziti (logs in ${dir})`, ups, n => n >= 2, 120000);
        console.log(`      central up for both targets ${(Date.now() - t0) / 1000}s after start`);

        // On a loaded machine a scrape can fail now and then (verify then rightly says not-scraped): a bounded retry.
        let runs = 0;
        const t1 = Date.now();
        const r = await pollUntil("npm run verify exiting 0", async () => { runs++; return verify(["--client-identity", clientFile]); }, v => v.code === 0, 90000, 2000)
            .catch(async e => { const last = await verify(["--client-identity", clientFile]); assert.fail(`${(e as Error).message.slice(0, 300)}\ngaps: ${JSON.stringify(last.json.gaps, null, 1)}`); });
        console.log(`      npm run verify (with the client's tunnel) exited 0 after ${runs} run(s), ${(Date.now() - t1) / 1000}s`);
        assert.strictEqual(r.code, 0, `exit 0; gaps: ${JSON.stringify(r.json.gaps, null, 1)}\n${r.stderr}`);
        assert.strictEqual(r.json.ok, true);
        assert.deepStrictEqual(r.json.gaps, []);
        assert.strictEqual(r.json.scrape.checked, true);
        assert.match(r.json.scrape.via!, new RegExp(`on 127\\.0\\.0\\.1:${proxyPort(`${C}.prometheus.svc`)}$`));
        assert.deepStrictEqual(r.json.services.map(s => [s.service, s.cluster ?? null, s.role]), [
            [`${A}.prometheus.svc`, A, "prometheus"], [`${A}.exporter.svc`, A, "target"], [`${C}.prometheus.svc`, null, "central"],
        ]);
        const hostedBy = (name: string) => svc(r.json, name).hosted.terminators.map(t => t.identity);
        assert.deepStrictEqual(hostedBy(`${A}.prometheus.svc`), [`${A}.prometheus.id`]);
        assert.deepStrictEqual(hostedBy(`${A}.exporter.svc`), [`${A}.exporter.id`]);
        assert.deepStrictEqual(hostedBy(`${C}.prometheus.svc`), [`${C}.prometheus.id`]);
        const dialers = (name: string) => svc(r.json, name).dialable.dialers.map(d => [d.identity, d.ok, d.policies]);
        assert.deepStrictEqual(dialers(`${A}.exporter.svc`), [[`${A}.prometheus.id`, true, [`${A}.exporter.dial`]], [`${C}.prometheus.id`, true, [`${A}.exporter.dial`]]]);
        assert.deepStrictEqual(dialers(`${A}.prometheus.svc`), [[`${C}.prometheus.id`, true, [`${A}.prometheus.dial`]]]);
        assert.deepStrictEqual(dialers(`${C}.prometheus.svc`), [[CLIENT, true, [`${C}.prometheus.dial`]]]);
        assert.deepStrictEqual(svc(r.json, `${A}.prometheus.svc`).dialable.otherDialers, [CLIENT], "the client may open the cluster's Prometheus too");
        for (const [name, job] of [[`${A}.prometheus.svc`, `${A}.federate`], [`${A}.exporter.svc`, `${A}.exporter`]]) {
            const scraped = svc(r.json, name).scraped!;
            assert.strictEqual(scraped.ok, true, JSON.stringify(scraped));
            assert.deepStrictEqual(scraped.targets.map(t => [t.job, t.up]), [[job, 1]]);
        }
        assert.strictEqual(svc(r.json, `${C}.prometheus.svc`).scraped, undefined, "central does not scrape its own service over Ziti");

        // npm start's summary prints the same per-target status (the same check) and how to open the UI.
        // Asynchronously: the root side of the namespaces' uplinks runs in this process (a blocked event loop stalls the overlay).
        const summaryOnce = () => new Promise<string>((resolve, reject) => execFile(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "scripts/summary.ts"),
            "--stack", STACK, "--client-identity", clientFile, "--svg", path.join(dir, "access.svg")], { cwd: REPO, env: cmdEnv, encoding: "utf8", maxBuffer: 1 << 24 },
        (err, stdout, stderr) => (err ? reject(new Error(`summary failed: ${err.message}\n${stderr}`)) : resolve(stdout))));
        const summary = await pollUntil("the summary saying all fine", summaryOnce, o => o.includes("All fine"), 60000, 2000).catch(async () => summaryOnce());
        fs.writeFileSync(path.join(dir, "summary.txt"), summary);
        const exporterLines = summary.slice(summary.indexOf(`  ${A}.exporter.svc`)).split("\n").slice(0, 4).join("\n");
        assert.match(exporterLines, new RegExp(`hosted: +yes, 1 terminator: ${A}\\.exporter\\.id via `), summary);
        assert.match(exporterLines, new RegExp(`dialable: ${A}\\.prometheus\\.id ok, ${C}\\.prometheus\\.id ok`), summary);
        assert.match(exporterLines, new RegExp(`scraped: +up \\(central job ${A}\\.exporter\\)`), summary);
        assert.match(summary, /All fine: every service hosted and dialable by whom it should be, every target up\./);
        assert.match(summary, new RegExp(`npm run ui -- --stack ${STACK} --client-identity `));
    });

    it("npm run ui serves the central Prometheus' API on 127.0.0.1 only, and stops on SIGINT", async function () {
        const port = await new Promise<number>(resolve => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
        const tunnelPort = proxyPort(`${C}.prometheus.svc`);
        const ui = spawn("npm", ["run", "-s", "ui", "--", "--stack", STACK, "--cwd", program, "--client-identity", clientFile, "--port", String(port)], { cwd: REPO, env: cmdEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let out = "";
        ui.stdout!.on("data", d => (out += d));
        ui.stderr!.on("data", d => (out += d));
        let gone = false;
        const exited = new Promise<number | null>(resolve => ui.once("exit", code => { gone = true; resolve(code); }));
        try {
            await pollUntil("npm run ui printing its URL", async () => out, o => o.includes(`http://127.0.0.1:${port}/`) || gone, 90000, 250);
            assert.ok(!gone, `npm run ui exited:\n${out}`);
            // The tunnel's first dial over Ziti can time out on a loaded machine (the proxy then closes the connection).
            const body: any = await pollUntil("/api/v1/query through npm run ui", async () => (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`)).json(), () => true, 60000, 1000);
            assert.strictEqual(body.status, "success");
            assert.ok(body.data.result.some((x: any) => x.metric.job === `${A}.exporter` && x.value[1] === "1"), JSON.stringify(body.data.result));
            // This machine's namespace: the forwarder's port and the tunnel's port listen on loopback only.
            const mine = listeners(process.pid).filter(l => l.endsWith(`:${port}`) || l.endsWith(`:${tunnelPort}`));
            assert.deepStrictEqual(mine.sort(), [`127.0.0.1:${port}`, `127.0.0.1:${tunnelPort}`].sort(), `listeners: ${mine.join(", ")}`);
            assert.ok(out.includes("127.0.0.1 only") && /UI assets|web pages/.test(out), out);
        } finally {
            // Ctrl-C reaches npm and the command together (the terminal's process group).
            try { process.kill(-ui.pid!, "SIGINT"); } catch { /* gone */ }
        }
        const code = await Promise.race([exited, new Promise<string>(r => setTimeout(() => r("timeout"), 20000))]);
        assert.notStrictEqual(code, "timeout", `npm run ui did not stop on SIGINT:\n${out}`);
        await pollUntil("the ports closed after SIGINT", async () => listeners(process.pid).filter(l => l.endsWith(`:${port}`) || l.endsWith(`:${tunnelPort}`)), l => l.length === 0, 10000, 250);
    });

    it("a deleted Dial policy: exit 1, the service, the identity and the missing grant named", async function () {
        const ca = fs.readFileSync(ctl!.caBundlePath, "utf8");
        const del = await httpsJson(`${ctl!.controllerUrl}/edge/management/v1/service-policies/${ids[`${A}.exporter.dial`]}`, "DELETE", { ca }, { token: await adminToken(ctl!, ca) });
        assert.strictEqual(del.status, 200);
        const r = await verify([]);
        assert.strictEqual(r.code, 1, r.stderr);
        assert.strictEqual(r.json.ok, false);
        assert.strictEqual(r.json.scrape.checked, false);
        assert.deepStrictEqual(r.json.gaps.map(g => [g.service, g.identity, g.code]), [
            [`${A}.exporter.svc`, `${A}.prometheus.id`, "no-dial-grant"], [`${A}.exporter.svc`, `${C}.prometheus.id`, "no-dial-grant"],
        ]);
        assert.match(r.json.gaps[0].missing, /may not dial .*it has no Dial policy at all/);
        assert.match(r.json.gaps[0].fix, /pulumi up/);
    });

    it("the hosting tunneler stopped: exit 1 with not-hosted, and central's scrape of it down", async function () {
        exporterTunnel.kill("SIGTERM");
        const r = await pollUntil("verify reporting the exporter's service not hosted and not scraped",
            () => verify(["--client-identity", clientFile]),
            v => v.json.gaps.some(g => g.code === "not-hosted") && v.json.gaps.some(g => g.code === "not-scraped"), 90000, 2000);
        assert.strictEqual(r.code, 1);
        const gaps = r.json.gaps.filter(g => g.service === `${A}.exporter.svc`).map(g => g.code);
        assert.deepStrictEqual(gaps, ["not-hosted", "no-dial-grant", "no-dial-grant", "not-scraped"]);
        const notHosted = r.json.gaps.find(g => g.code === "not-hosted")!;
        assert.match(notHosted.missing, new RegExp(`no terminator \\(may bind: ${A}\\.exporter\\.id\\)`));
        assert.match(notHosted.fix, new RegExp(`start the tunneler of ${A}\\.exporter\\.id`));
        assert.ok(r.json.gaps.every(g => g.service === `${A}.exporter.svc`), "nothing else is broken: " + JSON.stringify(r.json.gaps));
        assert.strictEqual(svc(r.json, `${A}.prometheus.svc`).scraped!.ok, true, "the cluster's Prometheus is still federated");
    });
});
