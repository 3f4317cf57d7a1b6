// Overlay tier: a scrape that crosses only the Ziti overlay, and an identity that cannot dial.
//
// Two network namespaces stand for a cluster (the target) and the central place. A veth pair joins
// them, so the target is on the central place's network, yet its metrics endpoint listens only on
// the target namespace's own loopback: nothing in the central namespace can connect to it. Each
// namespace's only way out is its uplink to the overlay's public endpoints (the local controller's
// API and the edge router; see fixtures/uplink.ts). `pulumi up` of test/overlay/program, built from
// the project's own Ziti resource classes, creates the identities, configs, service and policies.
// `ziti tunnel host` binds the service in the target namespace with the target's enrolled identity;
// `ziti tunnel proxy` dials it in the central namespace with the scraper's identity; Debian's
// Prometheus, in the central namespace, scrapes through that proxy, and the test reads Prometheus'
// own API. An outsider identity (enrolled, on the same routers, no Dial grant) cannot dial the
// service, and after `pulumi destroy` the scrape goes down.
//
// Needs root (`ip netns`), `prometheus`, `curl` (scripts/ensure-overlay-deps.sh), the `ziti` binary
// (scripts/tools.sh) and the Pulumi engine (scripts/tools.sh env). Everything it starts or makes is
// taken down in `after`, also when a step fails.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { checkNetnsPrereqs, ManagedProcess, PrereqError, Sandbox, tryRun, tryRunAsync } from "../../scripts/lib/netns";
import { reapStaleSandboxes } from "../../scripts/lib/staleSandboxes";
import { PROBE_METRIC } from "./fixtures/metricsServer";
import { startRootRelay } from "./fixtures/uplink";
import { attemptDial, readIdentityFile, ZitiAdmin } from "./fixtures/zitiRest";
import { OverlayController, startOverlayController } from "./fixtures/controller";
import { pollUntil } from "../helpers/pollUntil";
import { OverlayStack, ProgramOutputs } from "./fixtures/stack";
import { findZiti } from "./fixtures/tools";

const REPO = path.resolve(__dirname, "../..");
const FIXTURES = path.join(__dirname, "fixtures");

// Addresses and ports live inside the test's own namespaces only.
const CENTRAL_ADDR = "169.254.77.1";
const TARGET_ADDR = "169.254.77.2";
const TARGET_PORT = 9100; // metrics endpoint, target namespace loopback
const PROXY_PORT = 9101; // scraper's `ziti tunnel proxy`, central namespace
const OUTSIDER_PROXY_PORT = 9102; // outsider's `ziti tunnel proxy`, central namespace
const PROM_PORT = 9090; // Prometheus, central namespace loopback
const SCRAPE_INTERVAL_S = 2;

/**
 * Clears what an overlay run that was killed outright (SIGKILL, no hooks) left behind: its
 * namespaces `sa<pid>x<hex>c|t` and its temp dir, but only when the process that made them is gone.
 */
function sweepStaleRuns(): string[] {
    const notes: string[] = [];
    const dead = (pid36: string) => !fs.existsSync(`/proc/${parseInt(pid36, 36)}`);
    for (const line of tryRun("ip", ["netns", "list"]).stdout.split("\n")) {
        const m = /^(sa([0-9a-z]+)x[0-9a-f]{4}[ct])\b/.exec(line);
        if (!m || !dead(m[2])) continue;
        if (tryRun("ip", ["netns", "pids", m[1]]).stdout.trim()) continue; // still in use: leave it
        if (tryRun("ip", ["netns", "del", m[1]]).status === 0) notes.push(`removed namespace ${m[1]} left by a killed run`);
    }
    // Its temp dir (and anything else of its sandbox) from the private run registry, never by name in /tmp.
    notes.push(...reapStaleSandboxes());
    return notes;
}

describe("overlay: Prometheus scrapes a dark target only through Ziti", function () {
    // `<pid base36>x<4 hex>`: unique per run, no `-` (a scrapeable Ziti name), and it names the
    // owning process, so that a later run can clear what a killed run left (sweepStaleRuns).
    const runId = `${process.pid.toString(36)}x${crypto.randomBytes(2).toString("hex")}`;
    /** A value only this run's target serves: a stale or foreign endpoint cannot produce it. */
    const probeValue = String(crypto.randomInt(100000, 999999));
    const nsCentral = `sa${runId}c`;
    const nsTarget = `sa${runId}t`;

    let sandbox: Sandbox;
    let controller: OverlayController | undefined;
    let admin: ZitiAdmin;
    let stack: OverlayStack | undefined;
    let outputs: ProgramOutputs;
    let zitiBin: string;
    const relays: net.Server[] = [];
    let outsiderProxy: ManagedProcess;
    const procs: ManagedProcess[] = [];

    const idFile = (who: string) => path.join(sandbox.dir, `${who}.json`);
    const nodeTs = (script: string, args: string[]) => ({
        cmd: process.execPath,
        args: ["-r", "ts-node/register/transpile-only", path.join(FIXTURES, script), ...args],
    });

    // Commands run without blocking the event loop: the uplink relays live in this process.
    function curlIn(ns: string, url: string, extra: string[] = []) {
        return tryRunAsync("curl", ["-sS", "--max-time", "5", ...extra, url], { netns: ns, timeoutMs: 15000 });
    }

    /** One TCP connection attempt from inside a namespace (fixtures/connectProbe.ts). */
    async function connectFrom(ns: string, host: string, port: number): Promise<{ connected: boolean; code?: string; body: string }> {
        const p = nodeTs("connectProbe.ts", [host, String(port)]);
        const r = await tryRunAsync(p.cmd, p.args, { netns: ns, timeoutMs: 30000, cwd: REPO });
        try {
            return JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
        } catch {
            throw new Error(`connect probe in ${ns} gave no result (exit ${r.status}): ${r.stderr}`);
        }
    }

    async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
        const r = await curlIn(nsCentral, `http://127.0.0.1:${PROM_PORT}/api/v1/query`, ["-G", "--data-urlencode", `query=${expr}`]);
        if (r.status !== 0) throw new Error(`Prometheus API not answering: ${r.stderr.trim()}`);
        const body = JSON.parse(r.stdout);
        if (body.status !== "success") throw new Error(`query ${expr} failed: ${r.stdout}`);
        return body.data.result;
    }

    async function upOf(job: string): Promise<string | undefined> {
        const res = await promQuery(`up{job="${job}"}`);
        return res[0]?.value[1];
    }

    function diagnostics(): string {
        return procs.map((p) => `--- ${p.name} (${p.isRunning() ? "running" : "exited"}) ---\n${p.log()}`).join("\n");
    }

    before(async function () {
        try {
            checkNetnsPrereqs(["prometheus", "curl"]);
            zitiBin = findZiti(REPO);
        } catch (e) {
            if (e instanceof PrereqError) throw new Error(`overlay test cannot run here: ${e.message}`);
            throw e;
        }
        for (const note of sweepStaleRuns()) console.log(`      ${note}`);
        sandbox = new Sandbox(`sa-overlay-${runId}`);

        // The two places, joined by a link on which the target exposes nothing.
        sandbox.addNamespace(nsCentral);
        sandbox.addNamespace(nsTarget);
        sandbox.link(
            { ns: nsCentral, ifname: "sa-to-target", cidr: `${CENTRAL_ADDR}/30` },
            { ns: nsTarget, ifname: "sa-to-central", cidr: `${TARGET_ADDR}/30` },
        );

        // The dark target.
        const ms = nodeTs("metricsServer.ts", [String(TARGET_PORT), probeValue]);
        procs.push(sandbox.spawn("metrics-server", ms.cmd, ms.args, { netns: nsTarget, cwd: REPO }));

        // The overlay: controller + edge router on the root namespace's loopback.
        controller = await startOverlayController(sandbox);
        sandbox.defer(() => controller?.stop());
        admin = new ZitiAdmin(controller.controllerUrl, controller.username, controller.password, fs.readFileSync(controller.caBundlePath, "utf8"));
        await admin.login();

        // Uplinks: each namespace reaches the controller API and the edge router, and nothing else.
        const ctrl = new URL(controller.controllerUrl);
        const endpoints = [{ host: ctrl.hostname, port: Number(ctrl.port || 443) }, ...(await admin.edgeRouterEndpoints())];
        const specs: string[] = [];
        for (const ep of endpoints) {
            const host = ep.host === "localhost" ? "127.0.0.1" : ep.host;
            if (!/^127\./.test(host)) {
                throw new Error(`the overlay test expects the controller and router on the loopback; ${ep.host}:${ep.port} is advertised`);
            }
            const sock = path.join(sandbox.dir, `uplink-${ep.port}.sock`);
            if (specs.some((s) => s.endsWith(`=${sock}`))) continue;
            relays.push(await startRootRelay(sock, host, ep.port));
            specs.push(`${host}:${ep.port}=${sock}`);
        }
        sandbox.defer(() => Promise.all(relays.map((r) => new Promise<void>((res) => r.close(() => res())))).then(() => undefined));
        for (const ns of [nsCentral, nsTarget]) {
            const up = nodeTs("uplink.ts", specs);
            procs.push(sandbox.spawn(`uplink-${ns}`, up.cmd, up.args, { netns: ns, cwd: REPO }));
        }

        // The project's program creates the Ziti entities.
        stack = new OverlayStack(REPO, sandbox, controller);
        sandbox.defer(() => stack?.dispose());
        outputs = await stack.up({ runId, targetPort: TARGET_PORT });
        for (const [who, json] of Object.entries({
            target: outputs.targetIdentityJson,
            scraper: outputs.scraperIdentityJson,
            outsider: outputs.outsiderIdentityJson,
        })) {
            assert.ok(json && json.startsWith("{"), `pulumi up gave no enrolled identity JSON for ${who}`);
            fs.writeFileSync(idFile(who), json, { mode: 0o600 });
        }

        // Tunnelers: the target hosts the service; the scraper and the outsider each try to dial it.
        const agentOff = ["--cli-agent=false"];
        procs.push(sandbox.spawn("tunnel-host", zitiBin, ["tunnel", "host", "-i", idFile("target"), ...agentOff], { netns: nsTarget }));
        procs.push(
            sandbox.spawn("tunnel-proxy-scraper", zitiBin, ["tunnel", "proxy", `${outputs.serviceName}:${PROXY_PORT}`, "-i", idFile("scraper"), ...agentOff], {
                netns: nsCentral,
            }),
        );
        outsiderProxy = sandbox.spawn(
            "tunnel-proxy-outsider",
            zitiBin,
            ["tunnel", "proxy", `${outputs.serviceName}:${OUTSIDER_PROXY_PORT}`, "-i", idFile("outsider"), ...agentOff],
            { netns: nsCentral },
        );
        procs.push(outsiderProxy);

        // The target's tunneler has bound the service once the controller shows a terminator for it.
        await pollUntil(
            "the target's `ziti tunnel host` to bind the service (a terminator on the controller)",
            () => admin.list("terminators", `service="${outputs.serviceId}"`),
            (t) => t.length > 0,
            90_000,
        ).catch((e) => {
            throw new Error(`${e.message}\n${diagnostics()}`);
        });

        // Prometheus in the central namespace: one job through the scraper's proxy, one through the
        // outsider's, one straight at the target's address on the link.
        const promDir = path.join(sandbox.dir, "prometheus");
        fs.mkdirSync(path.join(promDir, "data"), { recursive: true, mode: 0o700 });
        const promConfig = [
            "global:",
            `  scrape_interval: ${SCRAPE_INTERVAL_S}s`,
            `  scrape_timeout: ${SCRAPE_INTERVAL_S}s`,
            "scrape_configs:",
            "  - job_name: overlay",
            `    static_configs: [{ targets: ["127.0.0.1:${PROXY_PORT}"] }]`,
            "  - job_name: outsider",
            `    static_configs: [{ targets: ["127.0.0.1:${OUTSIDER_PROXY_PORT}"] }]`,
            "  - job_name: direct",
            `    static_configs: [{ targets: ["${TARGET_ADDR}:${TARGET_PORT}"] }]`,
            "",
        ].join("\n");
        fs.writeFileSync(path.join(promDir, "prometheus.yml"), promConfig);
        procs.push(
            sandbox.spawn(
                "prometheus",
                "prometheus",
                [
                    `--config.file=${path.join(promDir, "prometheus.yml")}`,
                    `--storage.tsdb.path=${path.join(promDir, "data")}`,
                    `--web.listen-address=127.0.0.1:${PROM_PORT}`,
                ],
                { netns: nsCentral, cwd: promDir },
            ),
        );
        await pollUntil(
            "Prometheus to be ready",
            async () => (await curlIn(nsCentral, `http://127.0.0.1:${PROM_PORT}/-/ready`, ["-f"])).status,
            (s) => s === 0,
            60_000,
        ).catch((e) => {
            throw new Error(`${e.message}\n${diagnostics()}`);
        });
    });

    after(async function () {
        this.timeout(300_000);
        if (!sandbox) return;
        const problems = await sandbox.cleanup();
        const leftover = tryRun("ip", ["netns", "list"]).stdout.split("\n").filter((l) => l.startsWith(`sa${runId}`));
        if (leftover.length) problems.push(`namespaces left behind: ${leftover.join(", ")}`);
        assert.deepStrictEqual(problems, [], "the overlay test must leave nothing behind");
    });

    it("the target serves the probe metric on its own namespace's loopback", async function () {
        const r = await curlIn(nsTarget, `http://127.0.0.1:${TARGET_PORT}/metrics`, ["-f"]);
        assert.strictEqual(r.status, 0, `metrics endpoint not answering inside the target namespace: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^${PROBE_METRIC}\\{target="dark"\\} ${probeValue}$`, "m"));
    });

    it("nothing in the central namespace connects to the target directly", async function () {
        // The link works (the target's kernel answers), but no port is open on it: refused, not lost.
        const viaLink = await connectFrom(nsCentral, TARGET_ADDR, TARGET_PORT);
        assert.deepStrictEqual(
            [viaLink.connected, viaLink.code],
            [false, "ECONNREFUSED"],
            `a direct connection to ${TARGET_ADDR}:${TARGET_PORT} must be refused by the target namespace: ${JSON.stringify(viaLink)}`,
        );
        const viaLoopback = await connectFrom(nsCentral, "127.0.0.1", TARGET_PORT);
        assert.deepStrictEqual(
            [viaLoopback.connected, viaLoopback.code],
            [false, "ECONNREFUSED"],
            `the central namespace's own loopback must not serve the target's port: ${JSON.stringify(viaLoopback)}`,
        );
        const direct = await pollUntil("a scrape result for the direct job", () => upOf("direct"), (v) => v !== undefined, 60_000);
        assert.strictEqual(direct, "0", "Prometheus' direct scrape of the target's address must be down");
    });

    it("Prometheus scrapes the target through the overlay: up == 1 with this run's probe value", async function () {
        await pollUntil("up{job=\"overlay\"} == 1", () => upOf("overlay"), (v) => v === "1", 120_000).catch((e) => {
            throw new Error(`${e.message}\n${diagnostics()}`);
        });
        const probe = await pollUntil(
            `${PROBE_METRIC}{job="overlay"}`,
            () => promQuery(`${PROBE_METRIC}{job="overlay"}`),
            (r) => r.length > 0,
            30_000,
        );
        assert.strictEqual(probe.length, 1);
        assert.strictEqual(probe[0].value[1], probeValue, "the scraped probe value must be the one this run's dark target serves");
        assert.strictEqual(probe[0].metric.instance, `127.0.0.1:${PROXY_PORT}`, "scraped through the central namespace's Ziti proxy");

        const targets = JSON.parse((await curlIn(nsCentral, `http://127.0.0.1:${PROM_PORT}/api/v1/targets`)).stdout);
        const overlayTarget = targets.data.activeTargets.find((t: any) => t.labels.job === "overlay");
        assert.strictEqual(overlayTarget?.health, "up", `overlay target health: ${JSON.stringify(overlayTarget)}`);
    });

    it("an identity without a Dial grant cannot dial the service", async function () {
        // Precondition: the overlay path works for the authorized scraper right now.
        assert.strictEqual(await upOf("overlay"), "1", "the scraper's path must be up for the outsider's failure to mean anything");
        const outsider = await attemptDial(readIdentityFile(idFile("outsider")), outputs.serviceId);
        assert.ok(outsider.authenticated, `the outsider must be a working, enrolled identity: ${outsider.authError}`);
        assert.ok(!outsider.visibleServices.includes(outputs.serviceName), "the service must be invisible to the outsider");
        assert.strictEqual(outsider.dialGranted, false, "the controller must refuse the outsider a Dial session");
        assert.ok(outsider.dialError, "the refusal must come as the controller's error answer");
        console.log(`      outsider's Dial session request: HTTP ${outsider.dialStatus} ${outsider.dialError}`);

        // Control: the same request with the scraper's identity is granted.
        const scraper = await attemptDial(readIdentityFile(idFile("scraper")), outputs.serviceId);
        assert.ok(scraper.visibleServices.includes(outputs.serviceName), `the scraper must see the service: ${JSON.stringify(scraper)}`);
        assert.strictEqual(scraper.dialGranted, true, `the scraper must be granted a Dial session: ${scraper.dialError}`);

        // And through a tunneler: the outsider's proxy runs, but Prometheus gets nothing through it.
        const up = await pollUntil("a scrape result for the outsider job", () => upOf("outsider"), (v) => v !== undefined, 60_000);
        assert.strictEqual(up, "0", "a scrape through the outsider's proxy must be down");
        assert.ok(outsiderProxy.isRunning(), `the outsider's proxy must still be running (it is refused, not crashed):\n${outsiderProxy.log()}`);
    });

    it("after pulumi destroy the scrape goes down (up == 0)", async function () {
        assert.ok(stack, "no stack to destroy");
        // Precondition: the scrape is up before the destroy, so going down is the destroy's doing.
        assert.strictEqual(await upOf("overlay"), "1", "the overlay scrape must be up before pulumi destroy");
        await stack.destroy();
        assert.strictEqual(await admin.findByName("services", outputs.serviceName), undefined, "the service must be gone from the controller");
        await pollUntil("up{job=\"overlay\"} == 0", () => upOf("overlay"), (v) => v === "0", 120_000).catch((e) => {
            throw new Error(`${e.message}\n${diagnostics()}`);
        });
        // The target itself still serves: it is the overlay path that went away.
        const r = await curlIn(nsTarget, `http://127.0.0.1:${TARGET_PORT}/metrics`, ["-f"]);
        assert.strictEqual(r.status, 0, "the target must still be serving on its own loopback");
    });
});
