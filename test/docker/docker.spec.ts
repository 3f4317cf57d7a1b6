// Docker tier (issue 16): the central Prometheus placed on a real Docker engine. The real engine and CLI
// (pulumi from scripts/tools.sh), the real Docker plugin (bridged from the Terraform provider, `tools.sh path
// docker`), a private dockerd (scripts/lib/dockerd.ts) and the real quickstart controller; the dev stack with
// `central.placement: docker`, `central.dockerHost` = the private engine's socket and
// `central.dockerNetworkMode: none` (the engine has no bridge). Only the image is a stand-in (standInImage.ts).
//   0. preview of that stack passes the policy pack
//   1. up creates the container: image, arguments, env and user of the workload contract, no published port,
//      no host network, the restart policy, prometheus.yml and the identity JSON uploaded (owner, mode, content)
//   2. a second up changes nothing; a scrape-interval change updates the uploaded prometheus.yml
//   3. the policy pack fails a variant that publishes a port (preview only)
//   4. destroy removes the container; stopping the engine leaves nothing behind, also after a killed run
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DEFAULT_IMAGES } from "../../config";
import { Dockerd, startDockerd } from "../../scripts/lib/dockerd";
import { alive } from "../../scripts/lib/processes";
import { E2E, progress, repoRoot, resourceCounts, tail } from "../e2e/harness";
import { zitiController } from "../helpers/zitiController";
import { importStandInImage } from "./standInImage";

/** The flavor whose objects this spec asserts, set explicitly (the default is `upstream`). */
const ARTICLE = { "scrape-anywhere:flavor": "article" };

const POLICY_PACK = path.join(repoRoot, "policy");
const CONTAINER = "central-prometheus";

/**
 * What the workload contract says the container runs with (components/centralPrometheus.ts, after the image's
 * source openziti-test-kitchen/prometheus ziti.Dockerfile and web/zitifiedweb.go): user nobody, the Ziti
 * listener's three variables, files readable by that user and writable by nobody.
 */
const CONTRACT = {
    user: "65534:65534",
    env: { service: "ZITI_LISTENER_SERVICE_NAME", identityFile: "ZITI_LISTENER_IDENTITY_FILE", identityName: "ZITI_LISTENER_IDENTITY_NAME" },
    uploadOwner: "0:0",
    uploadMode: "444",
    restart: "unless-stopped",
};

interface Inspect {
    Id: string;
    Path: string;
    Args: string[];
    State: { Running: boolean; StartedAt: string };
    Config: { Image: string; User: string; Env: string[]; ExposedPorts?: Record<string, unknown> | null };
    HostConfig: { NetworkMode: string; PortBindings: Record<string, unknown> | null; PublishAllPorts: boolean; RestartPolicy: { Name: string } };
    NetworkSettings: { Ports: Record<string, unknown> | null; Networks: Record<string, unknown> };
}

describe("docker: the central Prometheus on a real Docker engine", function () {
    let engine: Dockerd | undefined;
    let e2e: E2E;
    let failed = false;
    let controllerUrl: string;

    const inspect = async (name = CONTAINER): Promise<Inspect> => JSON.parse(await engine!.docker(["inspect", "--type", "container", name]))[0];
    const exec = (args: string[]) => engine!.docker(["exec", CONTAINER, ...args]);
    const envOf = (c: Inspect) => Object.fromEntries(c.Config.Env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    const argValue = (c: Inspect, flag: string) => {
        const a = c.Args.find((x) => x.startsWith(`${flag}=`));
        assert.ok(a, `${flag}= in the container's arguments ${JSON.stringify(c.Args)}`);
        return a.slice(flag.length + 1);
    };
    /** owner:group and octal mode of a file in the container, as its own user sees them. */
    const statOf = async (file: string) => (await exec(["stat", "-c", "%u:%g %a", file])).trim();
    const setCentral = (key: string, value: string) =>
        e2e.pulumi("main", ["config", "set", "--path", "--stack", "dev", `scrape-anywhere:central.${key}`, value]);

    before(async function () {
        this.timeout(30 * 60_000);
        // What the tier needs from Debian (dockerd, containerd, busybox-static); says how when not root.
        execFileSync("bash", [path.join(repoRoot, "scripts", "ensure-docker-deps.sh")], { stdio: ["ignore", "inherit", "inherit"] });
        // The Docker plugin: built once into the tools cache (~11 min cold), installed into the private PULUMI_HOME.
        progress("ensuring the Docker plugin (bash scripts/tools.sh path docker)");
        execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "path", "docker"], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
        engine = await startDockerd();
        progress(`private dockerd on ${engine.host}`);
        await importStandInImage(engine, DEFAULT_IMAGES.prometheus);
        const ctl = await zitiController();
        controllerUrl = ctl.controllerUrl;
        e2e = new E2E(ctl);
        // The article flavor's central container (one container, its stand-in image) is what this spec asserts.
        e2e.workspace("main", repoRoot, ["dev"], ARTICLE);
        e2e.workspace("published", path.join(__dirname, "fixtures", "published-port"), ["published"]);
        await e2e.configureZiti("main", "dev");
        await setCentral("placement", "docker");
        await setCentral("dockerHost", engine.host);
        await setCentral("dockerNetworkMode", "none");
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        this.timeout(300_000);
        // Leave the shared controller clean even when a test failed half-way.
        const ls = await e2e?.pulumi("main", ["stack", "ls", "--json"], { allowFailure: true });
        const dev = ls && ls.code === 0 ? (JSON.parse(ls.stdout) as any[]).find((s) => s.name === "dev") : undefined;
        if (dev && dev.resourceCount > 0) await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"], { allowFailure: true });
        if (failed && e2e) progress(`engine output of this run: ${e2e.logFile}`);
        e2e?.dispose(failed);
        await engine?.stop();
    });

    describe("0. preview", function () {
        it("the dev stack with the Docker placement passes the policy pack", async function () {
            this.timeout(300_000);
            const preview = await e2e.pulumi("main", ["preview", "--stack", "dev", "--policy-pack", POLICY_PACK]);
            assert.match(preview.output, /Policies:/, "the policy pack ran");
            assert.doesNotMatch(preview.output, /mandatory/, "no mandatory violation");
            assert.match(preview.output, /docker:index:Container\s+central-prometheus\s+create/, "the container is in the plan");
        });
    });

    describe("1. up", function () {
        let c: Inspect;

        before(async function () {
            this.timeout(600_000);
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            assert.ok((resourceCounts(up.output).created ?? 0) > 0, tail(up.output, 30));
            c = await inspect();
        });

        it("creates the container, running the configured image with the contract's arguments", function () {
            assert.strictEqual(c.State.Running, true, "running (mustRun)");
            assert.strictEqual(c.Config.Image, DEFAULT_IMAGES.prometheus);
            // The image's ENTRYPOINT stays; the program gives Prometheus' flags.
            assert.strictEqual(c.Path, "/bin/prometheus");
            assert.strictEqual(argValue(c, "--storage.tsdb.path"), "/prometheus");
            assert.match(argValue(c, "--config.file"), /^\/.+\/prometheus\.yml$/);
        });

        it("publishes no port and is not on the host network", async function () {
            assert.strictEqual(c.HostConfig.NetworkMode, "none");
            assert.deepStrictEqual(Object.keys(c.NetworkSettings.Networks), ["none"]);
            assert.deepStrictEqual(c.HostConfig.PortBindings ?? {}, {});
            assert.strictEqual(c.HostConfig.PublishAllPorts, false);
            assert.deepStrictEqual(c.NetworkSettings.Ports ?? {}, {});
            assert.strictEqual((await engine!.docker(["port", CONTAINER])).trim(), "", "docker port lists nothing");
        });

        it("has the restart policy, and the env and user of the workload contract", async function () {
            assert.strictEqual(c.HostConfig.RestartPolicy.Name, CONTRACT.restart);
            assert.strictEqual(c.Config.User, CONTRACT.user);
            assert.strictEqual((await exec(["id", "-u"])).trim() + ":" + (await exec(["id", "-g"])).trim(), CONTRACT.user, "the process's own ids");
            const env = envOf(c);
            assert.strictEqual(env[CONTRACT.env.service], "central.prometheus.svc");
            assert.strictEqual(env[CONTRACT.env.identityName], "central.prometheus.id");
            assert.match(env[CONTRACT.env.identityFile], /^\/.+\.json$/);
        });

        it("holds the uploaded prometheus.yml and identity JSON with the intended owner and mode", async function () {
            const configFile = argValue(c, "--config.file");
            const identityFile = envOf(c)[CONTRACT.env.identityFile];
            for (const f of [configFile, identityFile]) {
                assert.strictEqual(await statOf(f), `${CONTRACT.uploadOwner} ${CONTRACT.uploadMode}`, `${f}: root-owned, read-only, readable by ${CONTRACT.user}`);
            }
            const cfg = YAML.parse(await exec(["cat", configFile]));
            assert.strictEqual(cfg.global.scrape_interval, "15s");
            const jobs = (cfg.scrape_configs as any[]).map((j) => j.job_name);
            for (const cl of ["kubeA", "kubeB"]) assert.ok(jobs.some((j: string) => j.includes(cl)), `a job for ${cl} in ${JSON.stringify(jobs)}`);
            // Every ziti job reads the uploaded identity.
            for (const j of cfg.scrape_configs as any[]) {
                if (j.scheme === "ziti") assert.strictEqual(j.params?.["ziti-config"]?.[0], identityFile, `${j.job_name} ziti-config`);
            }
            // The enrolled identity of central.prometheus.id, for this controller.
            const id = JSON.parse(await exec(["cat", identityFile]));
            assert.ok(String(id.ztAPI).startsWith(controllerUrl), `ztAPI ${id.ztAPI} is the controller's`);
            assert.match(String(id.id?.key), /PRIVATE KEY/);
            assert.match(String(id.id?.cert), /CERTIFICATE/);
            // The upload is a secret input: the key is in the container, not in plaintext in the state.
            const keyBody = String(id.id.key).replace(/^pem:/, "").split("\n").filter((l) => l && !l.startsWith("-----")).join("");
            for (const f of e2e.stateFiles()) {
                const text = fs.readFileSync(f, "utf8").replace(/\\n|\s/g, "");
                assert.ok(!text.includes(keyBody.slice(0, 64)), `the identity's private key is not in plaintext in ${f}`);
            }
        });
    });

    describe("2. updates", function () {
        it("a second up changes nothing", async function () {
            this.timeout(600_000);
            const before = await inspect();
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            const counts = resourceCounts(up.output);
            for (const k of ["created", "updated", "deleted", "replaced"]) assert.strictEqual(counts[k], undefined, `${k}: ${JSON.stringify(counts)}`);
            const after = await inspect();
            assert.strictEqual(after.Id, before.Id, "the same container");
            assert.strictEqual(after.State.StartedAt, before.State.StartedAt, "not restarted");
        });

        it("a scrape-interval change updates the uploaded prometheus.yml", async function () {
            this.timeout(600_000);
            await e2e.pulumi("main", ["config", "set", "--stack", "dev", "scrape-anywhere:scrapeInterval", "30s"]);
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            const counts = resourceCounts(up.output);
            assert.ok((counts.replaced ?? 0) + (counts.updated ?? 0) >= 1, `the container changed: ${JSON.stringify(counts)}`);
            const c = await inspect();
            assert.strictEqual(c.State.Running, true);
            const configFile = argValue(c, "--config.file");
            assert.strictEqual(YAML.parse(await exec(["cat", configFile])).global.scrape_interval, "30s");
            assert.strictEqual(await statOf(configFile), `${CONTRACT.uploadOwner} ${CONTRACT.uploadMode}`);
            progress(`after the interval change: ${JSON.stringify(counts)}`);
        });
    });

    describe("3. policy", function () {
        it("`pulumi preview --policy-pack policy` fails on a variant that publishes a port", async function () {
            this.timeout(300_000);
            await e2e.pulumi("published", ["stack", "init", "published"]);
            await e2e.pulumi("published", ["config", "set", "--stack", "published", "dockerHost", engine!.host]);
            await e2e.pulumi("published", ["config", "set", "--stack", "published", "image", DEFAULT_IMAGES.prometheus]);
            const res = await e2e.pulumi("published", ["preview", "--stack", "published", "--policy-pack", POLICY_PACK], { allowFailure: true });
            assert.notStrictEqual(res.code, 0, tail(res.output, 30));
            assert.match(res.output, /disallow-docker-published-ports/);
            assert.match(res.output, /mandatory/);
            // Preview only: nothing of it reached the engine.
            assert.doesNotMatch(await engine!.docker(["ps", "-a", "--format", "{{.Names}}"]), /published-prometheus/);
        });
    });

    describe("4. destroy and teardown", function () {
        it("destroy removes the container", async function () {
            this.timeout(600_000);
            await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            assert.strictEqual((await engine!.docker(["ps", "-a", "--format", "{{.Names}}"])).trim(), "", "no container left");
            await assert.rejects(inspect(), /No such container/);
        });

        it("stopping the engine leaves nothing behind", async function () {
            this.timeout(120_000);
            const dir = engine!.dir;
            await engine!.stop();
            engine = undefined;
            assertNothingLeft(dir);
        });

        it("the next start removes what a killed run left (its daemons, shims, container, mounts)", async function () {
            this.timeout(180_000);
            // A child process starts an engine with a running container and is killed with SIGKILL.
            const script = `
                const { startDockerd } = require(${JSON.stringify(path.join(repoRoot, "scripts", "lib", "dockerd"))});
                const { importStandInImage } = require(${JSON.stringify(path.join(__dirname, "standInImage"))});
                (async () => {
                    const e = await startDockerd();
                    await importStandInImage(e, "stand-in:killed");
                    await e.docker(["run", "-d", "--network", "none", "--name", "left", "stand-in:killed"]);
                    const pid = JSON.parse(await e.docker(["inspect", "left"]))[0].State.Pid;
                    process.stdout.write(JSON.stringify({ dir: e.dir, pid }) + "\\n");
                    setInterval(() => {}, 1000);
                })().catch((err) => { console.error(err); process.exit(1); });`;
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
            const { dir, pid } = await new Promise<{ dir: string; pid: number }>((resolve, reject) => {
                let out = "";
                child.stdout.on("data", (d) => { out += d; if (out.includes("\n")) resolve(JSON.parse(out.trim())); });
                child.on("exit", (code) => reject(new Error(`the child exited (${code}) before starting its engine`)));
            });
            child.kill("SIGKILL");
            await new Promise((r) => child.once("exit", r));
            assert.ok(processesNaming(dir).length >= 3, "dockerd, containerd and the container's shim outlived the killed run");
            assert.ok(alive(pid), "and so did the container's process");
            const next = await startDockerd();
            try {
                assertNothingLeft(dir);
                assert.ok(!alive(pid), `the container's process ${pid} is gone`);
            } finally {
                await next.stop();
            }
            assertNothingLeft(next.dir);
        });
    });
});

function processesNaming(dir: string): number[] {
    return fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
        try {
            return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
        } catch {
            return false;
        }
    });
}

/** No process, mount, cgroup or file of the engine in `dir`, and none of the host paths it may create. */
function assertNothingLeft(dir: string): void {
    assert.deepStrictEqual(processesNaming(dir), [], `no process of ${dir}`);
    assert.ok(!fs.readFileSync("/proc/self/mountinfo", "utf8").includes(dir), `no mount under ${dir}`);
    assert.ok(!fs.existsSync(dir), `${dir} removed`);
    const cgroups = fs.readdirSync("/sys/fs/cgroup").flatMap((c) => [path.join("/sys/fs/cgroup", c, path.basename(dir))]).filter((d) => fs.existsSync(d));
    assert.deepStrictEqual(cgroups, [], "no container cgroup left");
    for (const p of ["/etc/docker/key.json", "/opt/containerd", "/var/lib/docker", "/var/lib/containerd"]) assert.ok(!fs.existsSync(p), `${p} not created`);
}
