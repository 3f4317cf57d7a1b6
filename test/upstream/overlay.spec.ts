// Tier `upstream`, the Ziti leg: the flavor's own entity set for one cluster (flavors/upstream/zitiEntities.ts:
// host.v1 to 127.0.0.1, proxy.v1 bound to 127.0.0.1 at the service's derived port) created on a real local
// controller, two `ziti tunnel proxy` sidecars with the flavor's command (one per pod identity), node_exporter
// on loopback, and Prometheus 3.16 with the flavor's cluster config, all in a network namespace whose only way
// out is the uplink to the controller and router (test/overlay/fixtures/uplink.ts). Shows: the exporter is
// scraped over Ziti (`up == 1`), the dialing tunneler's proxy listens on 127.0.0.1 only and the hosting one
// opens no listener, and after the Dial policy is deleted the sidecar closes the proxy (it polls its services),
// so no new connection can reach the exporter; an already established keep-alive scrape connection is NOT cut
// (printed; see the note in the test).
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { pollUntil } from "../helpers/pollUntil";
import { listeners } from "./listeners";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { startRootRelay } from "../overlay/fixtures/uplink";
import { httpsJson, ZitiAdmin } from "../overlay/fixtures/zitiRest";
import { createSet } from "./zitiSet";
import { clusterPrometheusConfig } from "../../flavors/upstream/prometheusConfig";
import { clusterDialedServices, clusterEntities } from "../../flavors/upstream/zitiEntities";
import { nodeExporterArgs } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3, prometheus3Args } from "../../flavors/upstream/workloads/prometheus";
import { ZITI_TUNNEL, zitiTunnelCommand, ZITI_TUNNEL_IDENTITY_FILE } from "../../flavors/upstream/workloads/zitiTunnel";

const REPO = path.resolve(__dirname, "../..");
const until = (what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number) => pollUntil(what, async () => ok(), v => v, timeoutMs, 1000);
const tool = (name: string) => execFileSync("bash", [path.join(REPO, "scripts/tools.sh"), "path", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();


describe("upstream flavor over Ziti: sidecar tunnelers, loopback proxies, a real controller", function () {
    this.timeout(300000);
    const procs: ChildProcess[] = [];
    const relays: { close(): void }[] = [];
    let holder: ChildProcess;
    let dir: string;
    let ctl: ZitiQuickstart | undefined;
    const inNs = (name: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
        const p = spawn("nsenter", ["-t", String(holder.pid), "-n", cmd, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
        const log = fs.createWriteStream(path.join(dir, `${name}.log`));
        p.stdout!.pipe(log);
        p.stderr!.pipe(log);
        procs.push(p);
        return p;
    };
    const get = (url: string) => execFileSync("nsenter", ["-t", String(holder.pid), "-n", "curl", "-sf", "--max-time", "5", url], { encoding: "utf8" });
    const up = () => JSON.parse(get("http://127.0.0.1:9090/api/v1/query?query=up%7Bjob%3D%22kubeA.exporter%22%7D")).data.result[0]?.value[1];

    before(async function () {
        if (process.getuid?.() !== 0) throw new Error("tier upstream needs root (unshare --net, nsenter): run it as root");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-upstream-ziti-"));
        const cliDir = path.join(dir, "ziti-cli");
        fs.mkdirSync(cliDir, { mode: 0o700 });
        process.env.ZITI_CONFIG_DIR = cliDir; // a CLI login of its own (see test/overlay/fixtures/controller.ts)
        ctl = await startZitiQuickstart({ home: path.join(dir, "ziti-home"), waitForRouter: true, timeoutMs: 180000 });
        holder = spawn("unshare", ["--net", "sh", "-c", "ip link set lo up && exec sleep 900"], { stdio: "ignore" });
    });
    after(async function () {
        for (const p of procs) p.kill("SIGTERM");
        holder?.kill("SIGKILL");
        for (const r of relays) r.close();
        await ctl?.stop();
        delete process.env.ZITI_CONFIG_DIR;
        if (dir && !process.env.SA_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("scrapes the exporter over Ziti through the sidecars, listens on loopback only, and closes the proxy when the Dial policy goes", async function () {
        const ca = fs.readFileSync(ctl!.caBundlePath, "utf8");
        const set = clusterEntities({ clusterName: "kubeA", edgeRouterRoles: ["#all"] });
        const ids = await createSet(ctl!, ca, set);

        // Enroll each pod identity (the program's provider does this; here the CLI, token in a file).
        const idFile: Record<string, string> = {};
        for (const name of ["kubeA.prometheus.id", "kubeA.exporter.id"]) {
            const admin = new ZitiAdmin(ctl!.controllerUrl, ctl!.username, ctl!.password, ca);
            const jwt = (await admin.findByName("identities", name)).enrollment.ott.jwt as string;
            fs.writeFileSync(path.join(dir, `${name}.jwt`), jwt, { mode: 0o600 });
            idFile[name] = path.join(dir, `${name}.json`);
            execFileSync(ctl!.zitiBin, ["edge", "enroll", "--jwt", path.join(dir, `${name}.jwt`), "--out", idFile[name]], { stdio: "ignore" });
        }

        // The namespace's only way out: the controller's and the router's ports, relayed over Unix sockets.
        const uplinkArgs: string[] = [];
        for (const port of [ctl!.ctrlPort, ctl!.routerPort]) {
            const sock = path.join(dir, `${port}.sock`);
            relays.push(await startRootRelay(sock, "127.0.0.1", port));
            uplinkArgs.push(`127.0.0.1:${port}=${sock}`);
        }
        const uplink = inNs("uplink", process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "test/overlay/fixtures/uplink.ts"), ...uplinkArgs]);
        await until("the uplink relays", () => listeners(holder.pid!).length >= 2, 30000);
        void uplink;

        const [, exporter] = clusterDialedServices("kubeA");
        const configFile = path.join(dir, PROMETHEUS3.configFileName);
        fs.writeFileSync(configFile, YAML.stringify(clusterPrometheusConfig({ clusterName: "kubeA", exporter, scrapeInterval: "2s" })));
        const storage = path.join(dir, "storage");
        fs.mkdirSync(storage);
        // The sidecars run the flavor's command; only the identity path points into the test directory, and
        // polling is faster than the flavor's 15 s so the test is short.
        const tunnel = (id: string) => zitiTunnelCommand().slice(1).map(a => (a === ZITI_TUNNEL_IDENTITY_FILE ? idFile[id] : a === "15" ? "3" : a));
        inNs("node_exporter", tool("node_exporter"), nodeExporterArgs());
        // Each sidecar has a /tmp of its own (an emptyDir in the pod): its CLI agent socket is the only one there.
        const tmp = (id: string) => { const d = path.join(dir, `tmp-${id}`); fs.mkdirSync(d); return d; };
        const exporterTmp = tmp("exporter");
        inNs("tunnel-exporter", ctl!.zitiBin, tunnel("kubeA.exporter.id"), { TMPDIR: exporterTmp });
        inNs("tunnel-prometheus", ctl!.zitiBin, tunnel("kubeA.prometheus.id"), { TMPDIR: tmp("prometheus") });
        inNs("prometheus", tool("prometheus"), prometheus3Args("dark").map(a => a.replace(/=\/etc\/config\/prometheus\.yml$/, `=${configFile}`).replace(/=\/prometheus$/, `=${storage}`)));

        const t0 = Date.now();
        await until(`up{job="kubeA.exporter"} == 1 (logs in ${dir})`, () => up() === "1", 120000);
        console.log(`      exporter up over Ziti ${(Date.now() - t0) / 1000}s after start`);
        // The sidecar's liveness probe command answers from the running tunneler (through its agent socket).
        const probe = execFileSync(ctl!.zitiBin, ZITI_TUNNEL.livenessCommand.slice(1), { encoding: "utf8", env: { ...process.env, TMPDIR: exporterTmp } });
        assert.match(probe, /go1\.\d+/, `liveness probe output: ${probe}`);
        const ls = listeners(holder.pid!);
        assert.ok(ls.includes(`127.0.0.1:${exporter.port}`), `the proxy listens on 127.0.0.1:${exporter.port}: ${ls.join(", ")}`);
        assert.deepStrictEqual(ls.filter(l => !l.startsWith("127.0.0.1:")), [], "no listener off loopback");
        const expected = [`127.0.0.1:${ctl!.ctrlPort}`, `127.0.0.1:${ctl!.routerPort}`, "127.0.0.1:9090", "127.0.0.1:9100", `127.0.0.1:${exporter.port}`].sort();
        assert.deepStrictEqual(ls.sort(), expected, "the hosting tunneler opens no listener; the dialing one only its proxy");

        // Remove the Dial policy: the dialing sidecar drops the service at its next poll, the scrape fails.
        const r = await httpsJson(`${ctl!.controllerUrl}/edge/management/v1/service-policies/${ids["kubeA.exporter.dial"]}`, "DELETE", { ca },
            { token: await (async () => { const a = new ZitiAdmin(ctl!.controllerUrl, ctl!.username, ctl!.password, ca); await a.login(); return (a as unknown as { token: string }).token; })() });
        assert.strictEqual(r.status, 200);
        const t1 = Date.now();
        await until(`the proxy's listener 127.0.0.1:${exporter.port} closed after the Dial policy was deleted (logs in ${dir})`,
            () => !listeners(holder.pid!).includes(`127.0.0.1:${exporter.port}`), 60000);
        console.log(`      proxy listener closed ${(Date.now() - t1) / 1000}s after the Dial policy was deleted`);
        assert.throws(() => get(`http://127.0.0.1:${exporter.port}/metrics`), "a new connection to the exporter's proxy port is refused");
        // Found here, not fixed: `ziti tunnel proxy` closes the listener (proxy.go StopIntercepting) but not the
        // connections it already accepted, and Prometheus keeps its scrape connection alive, so the scrape can go
        // on over the old circuit. The README says so; this prints what happened.
        await new Promise(r => setTimeout(r, 6000));
        console.log(`      up{job="kubeA.exporter"} 6 s after the listener closed: ${up()} (an established keep-alive connection is not cut)`);
    });
});
