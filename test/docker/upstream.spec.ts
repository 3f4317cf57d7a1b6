// Docker tier, the upstream flavor (issue 21): the dev stack with `central.placement: docker` and the upstream flavor,
// `pulumi up --policy-pack policy` against a private dockerd, with real images built locally from the upstream binaries
// (scripts/lib/images: Prometheus 3.16 and the `ziti` tunneler, loaded with `docker load`) and a real Ziti network.
//
// Where things run (nothing is added to the host's network namespace):
//   engine namespace  dockerd + containerd (scripts/lib/dockerd.ts `netns`), the user-defined bridge network the stack
//                     names (`central.dockerNetworkMode`), and the Ziti quickstart advertised at the bridge's gateway
//                     address, so the containers reach the controller and router there; the controller is relayed
//                     to 127.0.0.1 here for pulumi (zitiQuickstart.ts `netns`).
//   exporter namespace  node_exporter on its loopback and the flavor's tunneler with kubeA's exporter identity (from the
//                     stack's rendered Secret); a veth to the engine namespace, routed only to the gateway address.
// Read from inside the containers' network namespace (nsenter, /proc/<pid>): Prometheus listens on 127.0.0.1 only, the
// tunneler shares its namespace (`container:<id>`), no port is published, both run as the contract's users with no
// capability, no new privileges and a read-only root; the tunneler is enrolled and hosts central's service (a
// terminator on the controller), and central scrapes the exporter over Ziti (`up == 1`).
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Dockerd, startDockerd } from "../../scripts/lib/dockerd";
import { imageArchive } from "../../scripts/lib/images/build";
import { catalogImage } from "../../scripts/lib/images/catalog";
import { dockerArchive } from "../../scripts/lib/images/dockerArchive";
import { ManagedProcess, Sandbox } from "../../scripts/lib/netns";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { TUNNELER_ENTRYPOINT } from "../../flavors/upstream/docker";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { nodeExporterArgs } from "../../flavors/upstream/workloads/nodeExporter";
import { PROMETHEUS3, PROMETHEUS3_CONFIG_FILE, PROMETHEUS3_IMAGE } from "../../flavors/upstream/workloads/prometheus";
import { ZITI_TUNNEL, ZITI_TUNNEL_IDENTITY_FILE, ZITI_TUNNEL_IMAGE, zitiTunnelCommand } from "../../flavors/upstream/workloads/zitiTunnel";
import { E2E, progress, readManifests, repoRoot, secretValue, tail } from "../e2e/harness";
import { pollUntil } from "../helpers/pollUntil";
import { ZitiAdmin } from "../overlay/fixtures/zitiRest";
import { listeners } from "../upstream/listeners";

const POLICY_PACK = path.join(repoRoot, "policy");
const PROMETHEUS = "central-prometheus";
const TUNNELER = "central-ziti-tunnel";
const HOLDERS = ["central-prometheus-files", "central-ziti-tunnel-files"];
/** The stack's Docker network: a user-defined bridge inside the engine's namespace. */
const NETWORK = "central-net";
const EXPORTER_SERVICE = "kubeA.exporter.svc";
const tool = (name: string) => execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "path", name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

interface Inspect {
    Id: string;
    Path: string;
    Args: string[];
    State: { Running: boolean; Pid: number; StartedAt: string };
    Config: { Image: string; User: string };
    HostConfig: { NetworkMode: string; PortBindings: Record<string, unknown> | null; PublishAllPorts: boolean; ReadonlyRootfs: boolean; VolumesFrom: string[] | null };
    NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

/** `/proc/<pid>/status` fields. */
function status(pid: number): Record<string, string> {
    return Object.fromEntries(fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
}

/** Mount options of the mount at `mountPoint` in the process's mount namespace (/proc/<pid>/mountinfo field 6). */
function mountOptions(pid: number, mountPoint: string): string[] {
    const line = fs.readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n").map((l) => l.split(" ")).filter((f) => f[4] === mountPoint).pop();
    assert.ok(line, `a mount at ${mountPoint} in process ${pid}`);
    return line[5].split(",");
}

/** IPv6 listeners of a process's network namespace (state 0A in /proc/<pid>/net/tcp6). */
function listeners6(pid: number): string[] {
    return fs.readFileSync(`/proc/${pid}/net/tcp6`, "utf8").split("\n").slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === "0A").map((f) => f[1]);
}

describe("docker: the upstream flavor's central Prometheus and its tunneler on a real Docker engine", function () {
    const suffix = crypto.randomBytes(3).toString("hex");
    const octet = 20 + (parseInt(suffix.slice(0, 2), 16) % 200);
    const gateway = `10.213.${octet}.1`;
    let sandbox: Sandbox;
    let engineNs: string;
    let exporterNs: string;
    let engine: Dockerd | undefined;
    let ctl: ZitiQuickstart | undefined;
    let e2e: E2E;
    let failed = false;
    let prom: Inspect;
    let tun: Inspect;
    let upSeconds = 0;

    const inspect = async (name: string): Promise<Inspect> => JSON.parse(await engine!.docker(["inspect", "--type", "container", name]))[0];
    /** An HTTP GET from inside Prometheus' network namespace (the host's curl, the container's namespace). */
    const getInside = (url: string) => execFileSync("nsenter", ["-t", String(prom.State.Pid), "-n", "curl", "-sf", "--max-time", "5", url], { encoding: "utf8" });
    const query = (q: string) => JSON.parse(getInside(`http://127.0.0.1:${PROMETHEUS3.port}/api/v1/query?query=${encodeURIComponent(q)}`)).data.result as { metric: Record<string, string>; value: [number, string] }[];
    const setCentral = (key: string, value: string) => e2e.pulumi("main", ["config", "set", "--path", "--stack", "dev", `scrape-anywhere:central.${key}`, value]);

    before(async function () {
        this.timeout(40 * 60_000);
        execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-docker-deps.sh")], { stdio: ["ignore", "inherit", "inherit"] });
        progress("ensuring the Docker plugin and the upstream flavor's binaries (tools.sh path docker, workloads)");
        tool("docker");
        tool("prometheus");
        tool("node_exporter");
        sandbox = new Sandbox("sa-dockerup");
        engineNs = sandbox.addNamespace(`sadke${suffix}`);
        exporterNs = sandbox.addNamespace(`sadkx${suffix}`);
        sandbox.link({ ns: engineNs, ifname: "toexp", cidr: `10.214.${octet}.1/30` }, { ns: exporterNs, ifname: "toeng", cidr: `10.214.${octet}.2/30` });
        execFileSync("ip", ["-n", exporterNs, "route", "add", `${gateway}/32`, "via", `10.214.${octet}.1`]);
        engine = await startDockerd({ netns: engineNs });
        progress(`private dockerd in namespace ${engineNs} on ${engine.host}`);
        // The stack's network: a bridge in the engine's namespace. No NAT, no published port (dockerd --iptables=false).
        await engine.docker(["network", "create", "--driver", "bridge", "--subnet", `10.213.${octet}.0/24`, "--gateway", gateway, NETWORK]);
        for (const ref of [PROMETHEUS3_IMAGE, ZITI_TUNNEL_IMAGE]) {
            const t0 = Date.now();
            const archive = await dockerArchive(await imageArchive(catalogImage(ref)!, progress));
            await engine.docker(["load", "-i", archive]);
            progress(`loaded ${ref} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        }
        // The Ziti network where the containers reach it: the engine's namespace, advertised at the bridge's gateway.
        ctl = await startZitiQuickstart({ netns: engineNs, advertiseAddress: gateway, home: path.join(sandbox.dir, "ziti"), timeoutMs: 180_000 });
        e2e = new E2E(ctl);
        e2e.workspace("main", repoRoot, ["dev"], { "scrape-anywhere:flavor": "upstream", "scrape-anywhere:scrapeInterval": "5s" });
        await e2e.configureZiti("main", "dev");
        await setCentral("placement", "docker");
        await setCentral("dockerHost", engine.host);
        await setCentral("dockerNetworkMode", NETWORK);
        const t0 = Date.now();
        const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev", "--policy-pack", POLICY_PACK]);
        upSeconds = (Date.now() - t0) / 1000;
        assert.match(up.output, /Policies:|policy/i, "the policy pack ran");
        prom = await inspect(PROMETHEUS);
        tun = await inspect(TUNNELER);
        progress(`pulumi up with the policy pack: ${upSeconds.toFixed(0)} s`);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        this.timeout(300_000);
        if (e2e) {
            await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"], { allowFailure: true });
            if (failed) progress(`engine output of this run: ${e2e.logFile}`);
            e2e.dispose(failed);
        }
        await engine?.stop();
        await ctl?.stop();
        const problems = await sandbox?.cleanup();
        if (problems?.length) progress(`sandbox cleanup: ${problems.join("; ")}`);
    });

    it("passes the policy pack: the sidecar joins a container of its own stack", async function () {
        this.timeout(300_000);
        // After up every id is known: disallow-foreign-container-network judges `container:<id>` for real.
        const preview = await e2e.pulumi("main", ["preview", "--stack", "dev", "--policy-pack", POLICY_PACK]);
        assert.doesNotMatch(preview.output, /mandatory/, tail(preview.output, 30));
        assert.doesNotMatch(preview.output, /disallow-foreign-container-network|disallow-docker-published-ports/);
    });

    it("runs the tunneler in Prometheus' network namespace, with the ziti binary as its entrypoint, and publishes no port", async function () {
        assert.strictEqual(prom.State.Running, true);
        assert.strictEqual(tun.State.Running, true);
        assert.strictEqual(prom.HostConfig.NetworkMode, NETWORK);
        assert.strictEqual(tun.HostConfig.NetworkMode, `container:${prom.Id}`);
        assert.strictEqual(fs.readlinkSync(`/proc/${tun.State.Pid}/ns/net`), fs.readlinkSync(`/proc/${prom.State.Pid}/ns/net`), "one network namespace");
        // The image's /entrypoint.sh is not run (openziti/ziti dist/docker-images/ziti-tunnel/entrypoint.sh, see flavors/upstream/docker.ts).
        assert.deepStrictEqual([tun.Path, ...tun.Args], [...TUNNELER_ENTRYPOINT, ...zitiTunnelCommand().slice(1)]);
        assert.strictEqual(prom.Path, PROMETHEUS3.entrypoint[0]);
        for (const c of [prom, tun]) {
            assert.deepStrictEqual(c.HostConfig.PortBindings ?? {}, {});
            assert.strictEqual(c.HostConfig.PublishAllPorts, false);
        }
        for (const name of [PROMETHEUS, TUNNELER]) assert.strictEqual((await engine!.docker(["port", name])).trim(), "", `docker port ${name}`);
        // The file holders: created, never started, on no network.
        for (const name of HOLDERS) {
            const h = await inspect(name);
            assert.strictEqual(h.State.Running, false, name);
            assert.match(h.State.StartedAt, /^0001-01-01/, `${name} never started`);
            assert.strictEqual(h.HostConfig.NetworkMode, "none", name);
        }
    });

    it("listens on 127.0.0.1 only: Prometheus' 9090 and the tunneler's proxy for the exporter, read from /proc/<pid>/net", async function () {
        this.timeout(120_000);
        const proxy = `127.0.0.1:${proxyPort(EXPORTER_SERVICE)}`;
        const ls = await pollUntil(`the tunneler's proxy ${proxy}`, async () => listeners(prom.State.Pid), (l) => l.includes(proxy), 90_000);
        // Exactly: Prometheus, the tunneler's proxy, and Docker's embedded DNS of a user-defined network, which every
        // such container gets on 127.0.0.11 (moby libnetwork resolver.go; a random port): all loopback.
        const ours = ls.filter((l) => !l.startsWith("127.0.0.11:")).sort();
        // The tunneler proxies every service central dials (each cluster's Prometheus and exporter), on loopback only.
        const dialed = ["kubeA", "kubeB"].flatMap((c) => [`${c}.prometheus.svc`, `${c}.exporter.svc`]).map((svc) => `127.0.0.1:${proxyPort(svc)}`);
        assert.deepStrictEqual(ours, [`127.0.0.1:${PROMETHEUS3.port}`, ...dialed].sort(), `listeners: ${ls.join(", ")}`);
        assert.deepStrictEqual(ls.filter((l) => !l.startsWith("127.")), [], "no IPv4 listener off loopback");
        assert.deepStrictEqual(listeners6(prom.State.Pid), [], "no IPv6 listener");
        progress(`listeners in the shared namespace: ${ls.join(", ")}`);
        // From the engine's namespace (the Docker host's side of the bridge) Prometheus' address answers nothing.
        const ip = prom.NetworkSettings.Networks[NETWORK].IPAddress;
        assert.match(ip, /^10\.213\./);
        // curl exits 7 (refused) or 28 (timed out) when nothing answers; 0 would mean an HTTP answer.
        const res = spawnSync("nsenter", [`--net=/run/netns/${engineNs}`, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", `http://${ip}:${PROMETHEUS3.port}/-/ready`], { encoding: "utf8" });
        assert.ok([7, 28].includes(res.status ?? -1), `curl from the Docker host's namespace exited ${res.status} (${res.stderr.trim()})`);
        assert.strictEqual(res.stdout, "000", `http://${ip}:9090 from the Docker host's namespace: no answer`);
    });

    it("runs both as the contract's users with no capability, no new privileges and a read-only root", function () {
        const want = [
            { c: prom, user: PROMETHEUS3.runAs, name: PROMETHEUS },
            { c: tun, user: ZITI_TUNNEL.runAs, name: TUNNELER },
        ];
        for (const { c, user, name } of want) {
            assert.strictEqual(c.Config.User, `${user.user}:${user.group}`, name);
            const s = status(c.State.Pid);
            assert.strictEqual(s.Uid.split(/\s+/).join(" "), Array(4).fill(user.user).join(" "), `${name} Uid`);
            assert.strictEqual(s.Gid.split(/\s+/).join(" "), Array(4).fill(user.group).join(" "), `${name} Gid`);
            for (const k of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) assert.strictEqual(s[k], "0000000000000000", `${name} ${k}`);
            assert.strictEqual(s.NoNewPrivs, "1", `${name} NoNewPrivs`);
            assert.strictEqual(c.HostConfig.ReadonlyRootfs, true, `${name} ReadonlyRootfs`);
            assert.ok(mountOptions(c.State.Pid, "/").includes("ro"), `${name}: / mounted ro`);
        }
        // Their files, from the holders, mounted read-only: root-owned 0444.
        const files = [
            { pid: prom.State.Pid, dir: PROMETHEUS3.configDir, file: PROMETHEUS3_CONFIG_FILE },
            { pid: tun.State.Pid, dir: ZITI_TUNNEL.identityDir, file: ZITI_TUNNEL_IDENTITY_FILE },
        ];
        for (const f of files) {
            assert.ok(mountOptions(f.pid, f.dir).includes("ro"), `${f.dir} mounted ro`);
            const st = fs.statSync(`/proc/${f.pid}/root${f.file}`);
            assert.strictEqual(`${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`, "0:0 444", f.file);
        }
        const cfg = YAML.parse(fs.readFileSync(`/proc/${prom.State.Pid}/root${PROMETHEUS3_CONFIG_FILE}`, "utf8"));
        assert.ok((cfg.scrape_configs as any[]).some((j) => j.job_name === "kubeA.exporter"), "central's config scrapes kubeA's exporter");
        const id = JSON.parse(fs.readFileSync(`/proc/${tun.State.Pid}/root${ZITI_TUNNEL_IDENTITY_FILE}`, "utf8"));
        assert.strictEqual(new URL(id.ztAPI).hostname, gateway, "the identity's controller is the advertised address");
        // Only the tunneler holds the identity: Prometheus' container has no /etc/ziti.
        assert.ok(!fs.existsSync(`/proc/${prom.State.Pid}/root${ZITI_TUNNEL_IDENTITY_FILE}`), "no identity in Prometheus' container");
    });

    it("the tunneler is enrolled and hosts central's service: a terminator on the controller", async function () {
        this.timeout(120_000);
        const admin = new ZitiAdmin(ctl!.controllerUrl, ctl!.username, ctl!.password, fs.readFileSync(ctl!.caBundlePath, "utf8"));
        const [service] = await admin.list("services", 'name="central.prometheus.svc"');
        const [identity] = await admin.list("identities", 'name="central.prometheus.id"');
        assert.ok(service && identity);
        const terms = await pollUntil("a terminator of central.prometheus.svc", () => admin.list("terminators", `service="${service.id}"`), (t) => t.length > 0, 90_000);
        assert.ok(terms.every((t) => t.binding === "edge"), JSON.stringify(terms));
        // Hosted as central's own identity (the one uploaded into the tunneler container): host.v1's
        // bindUsingEdgeIdentity names the terminator after it.
        assert.ok(terms.every((t) => t.identity === identity.name), `terminators of ${identity.name}: ${JSON.stringify(terms.map((t) => t.identity))}`);
        progress(`central.prometheus.svc: ${terms.length} terminator(s) hosted by ${identity.name}`);
    });

    it("central scrapes an exporter over Ziti (up == 1), hosted by the flavor's tunneler in another namespace", async function () {
        this.timeout(300_000);
        // kubeA's exporter pod, outside Kubernetes: node_exporter on the namespace's loopback and the flavor's sidecar
        // command with kubeA.exporter.id, the enrolled identity the stack rendered into its Secret.
        const secret = readManifests(path.join(e2e.ws("main"), "rendered", "dev", "kubeA")).map((m) => m.doc).find((d) => d.kind === "Secret" && d.metadata?.name === "exporter-identity");
        assert.ok(secret, "kubeA's rendered exporter-identity Secret");
        const idFile = path.join(sandbox.dir, "kubeA.exporter.json");
        fs.writeFileSync(idFile, secretValue(secret, "identity.json")!, { mode: 0o600 });
        const tmp = path.join(sandbox.dir, "exporter-tmp");
        fs.mkdirSync(tmp, { mode: 0o700 });
        const procs: ManagedProcess[] = [
            sandbox.spawn("node_exporter", tool("node_exporter"), nodeExporterArgs(), { netns: exporterNs }),
            sandbox.spawn("exporter-tunnel", ctl!.zitiBin, zitiTunnelCommand().slice(1).map((a) => (a === ZITI_TUNNEL_IDENTITY_FILE ? idFile : a)),
                { netns: exporterNs, env: { ...process.env, TMPDIR: tmp, ...ZITI_TUNNEL.env } }),
        ];
        const t0 = Date.now();
        const up = await pollUntil('up{job="kubeA.exporter"} == 1 in central', async () => query('up{job="kubeA.exporter"}'), (r) => r[0]?.value[1] === "1", 240_000, 2000)
            .catch((e) => { throw new Error(`${e.message}\n${procs.map((p) => `--- ${p.name}:\n${p.log()}`).join("\n")}`); });
        progress(`kubeA's exporter up over Ziti in central ${((Date.now() - t0) / 1000).toFixed(1)} s after its tunneler started`);
        assert.strictEqual(up[0].metric.ziti_service, EXPORTER_SERVICE);
        assert.strictEqual(up[0].metric.cluster, "kubeA");
        const build = query('node_exporter_build_info{job="kubeA.exporter"}');
        assert.strictEqual(build.length, 1, "node_exporter's own series reached central");
    });
});
