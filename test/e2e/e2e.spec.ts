// End-to-end: the real engine, the real Kubernetes plugin (rendering only) and a real quickstart
// controller, on a temporary file:// backend. In order, sharing one controller and one backend:
//   1. dev stack: preview with the policy pack, up, the controller's own view, cert logins of every enrolled
//      identity, the rendered manifests; a second up changes nothing; out-of-band deletions are found by
//      refresh and restored by up; destroy leaves none of the project's entities.
//   2. multi-stack: clusterA, clusterB, then central over StackReferences; dropping a reference drops its targets.
//   3. the policy pack passes on every stack (the previews of 1 and 2) and fails a violating program.
//   4. no plaintext private key, enrollment JWT or controller password in the state or the engine's output.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { adminRest, Rest, zitiController, COLLECTIONS } from "../helpers/zitiController";
import { enrolled, PlainEntity } from "../helpers/planEntities";
import { E2E, prometheusConfig, progress, readManifests, repoRoot, resourceCounts, secretValue, tail } from "./harness";
import { differencesFromPlan, plannedNames, plannedStack } from "./plannedState";

/** The flavor whose objects this spec asserts, set explicitly (the default is `upstream`). */
const ARTICLE = { "scrape-anywhere:flavor": "article" };
/** The same, as the plan takes it. */
const ARTICLE_PLAN = { flavor: "article" };

const POLICY_PACK = path.join(repoRoot, "policy");

/** What `ziti edge quickstart` makes by itself, possibly after the baseline was taken (its router comes online later). */
const QUICKSTART_DEFAULTS = ["all-routers-all-services", "all-endpoints-public-routers"];

/** Names of every entity on the controller, by collection, without the quickstart's own ones. */
async function snapshot(rest: Rest): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const c of COLLECTIONS) {
        const res = await rest.get(`${c}?limit=500`);
        assert.strictEqual(res.status, 200, `listing ${c}`);
        // The quickstart's own router (and its system policy) may come online after the baseline: not ours.
        out[c] = res.json.data.filter((e: any) => !e.isSystem && e.typeId !== "Router" && !QUICKSTART_DEFAULTS.includes(e.name))
            .map((e: any) => e.name).sort();
    }
    return out;
}

/** What `snapshot` holds beyond `baseline`. */
function added(now: Record<string, string[]>, baseline: Record<string, string[]>): string[] {
    return COLLECTIONS.flatMap((c) => now[c].filter((n) => !baseline[c].includes(n)).map((n) => `${c}/${n}`));
}

/** What `now` holds beyond `baseline`, by collection. */
function newEntities(now: Record<string, string[]>, baseline: Record<string, string[]>): Record<string, string[]> {
    return Object.fromEntries(COLLECTIONS.map((c) => [c, now[c].filter((n) => !baseline[c].includes(n)).sort()]));
}

/** Logs in to the controller's Client API with an enrolled identity's certificate; resolves to the identity name. */
async function certLogin(controllerUrl: string, identityJson: string): Promise<string> {
    const { Agent, fetch } = await import("undici");
    const id = JSON.parse(identityJson);
    assert.ok(id.ztAPI && id.id?.key && id.id?.cert && id.id?.ca, "identity JSON has ztAPI, id.key, id.cert, id.ca");
    const pem = (s: string) => s.replace(/^pem:/, "");
    const dispatcher = new Agent({ connect: { cert: pem(id.id.cert), key: pem(id.id.key), ca: pem(id.id.ca) } });
    try {
        const res = await fetch(`${controllerUrl}/edge/client/v1/authenticate?method=cert`, {
            method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: "{}", dispatcher,
        });
        const json: any = await res.json();
        assert.strictEqual(res.status, 200, `cert login answered ${res.status}: ${JSON.stringify(json?.error)}`);
        return json.data.identity.name;
    } finally {
        await dispatcher.close();
    }
}

describe("e2e: the real engine against a real controller", function () {
    let e2e: E2E;
    let rest: Rest;
    let baseline: Record<string, string[]>;
    let failed = false;
    /** Private keys, JWTs and the identity JSONs seen on the way, for the secrets scan. */
    const secretsSeen: { what: string; value: string }[] = [];

    before(async function () {
        this.timeout(300_000);
        const ctl = await zitiController();
        e2e = new E2E(ctl);
        rest = await adminRest(ctl);
        baseline = await snapshot(rest);
        // The article flavor's entity names are what this tier asserts (the default is upstream: test/e2e/upstream.spec.ts).
        e2e.workspace("main", repoRoot, ["dev", "clusterA", "clusterB", "central"], ARTICLE);
        e2e.workspace("violating", path.join(repoRoot, "test", "e2e", "fixtures", "violating"), ["violating"]);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        this.timeout(300_000);
        // Leave the shared controller clean even when a test failed half-way.
        const ls = await e2e?.pulumi("main", ["stack", "ls", "--json"], { allowFailure: true });
        for (const stack of ["central", "clusterA", "clusterB", "dev"]) {
            const known = ls && ls.code === 0 ? (JSON.parse(ls.stdout) as any[]).find((s) => s.name === stack) : undefined;
            if (known && known.resourceCount > 0) await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", stack], { allowFailure: true });
        }
        await rest?.close();
        if (failed) progress(`engine output of this run: ${e2e?.logFile}`);
        e2e?.dispose(failed);
    });

    describe("1. dev stack: the whole topology in one stack", function () {
        /** The dev stack's entities as the program plans them (names, roles, configs): what the controller must hold. */
        let devPlan: PlainEntity[];
        let renderRoot: string;

        before(async function () {
            devPlan = await plannedStack("dev", ARTICLE_PLAN);
            await e2e.configureZiti("main", "dev");
            renderRoot = path.join(e2e.ws("main"), "rendered", "dev");
        });

        it("passes the policy pack in preview, then `pulumi up` creates every resource", async function () {
            const preview = await e2e.pulumi("main", ["preview", "--stack", "dev", "--policy-pack", POLICY_PACK]);
            assert.match(preview.output, /Policies:/, "the policy pack ran");
            assert.doesNotMatch(preview.output, /mandatory/, "no mandatory violation");
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            const counts = resourceCounts(up.output);
            assert.ok(counts.created >= 70, `created ${JSON.stringify(counts)}\n${tail(up.output, 30)}`);
        });

        it("leaves the controller holding exactly the plan's identities, configs, services and policies, field for field", async function () {
            assert.deepStrictEqual(newEntities(await snapshot(rest), baseline), plannedNames(devPlan));
            // Types, attributes, roles (`@name` as the entity's id), configs attached to their services, config data.
            assert.deepStrictEqual(await differencesFromPlan(rest, devPlan), []);
            // An admin's `ziti tunnel proxy` listens where a proxy.v1 says: loopback only (issue 22 #7).
            const proxies = devPlan.filter((e) => e.kind === "Config" && e.configType === "proxy.v1");
            assert.ok(proxies.length >= 2, "the Kubernetes API services have proxy.v1 configs");
            for (const p of proxies) assert.strictEqual((await rest.named("configs", p.name)).find((c: any) => c.name === p.name)?.data.binding, "127.0.0.1", p.name);
        });

        it("renders manifests that parse and hold what the components declared (Secrets 0600, folders 0700)", async function () {
            const place = (p: string) => readManifests(path.join(renderRoot, p));
            const kinds = (docs: { doc: any }[]) => docs.map(({ doc }) => `${doc.kind}/${doc.metadata.name}`).sort();
            const kubeA = place("kubeA");
            const kubeB = place("kubeB");
            const central = place("central");
            for (const expected of ["Deployment/prometheus", "Deployment/reflectz", "Deployment/ziti-host", "Service/prometheus", "ConfigMap/prometheus-config",
                "Secret/prometheus-identity", "Secret/reflectz-identity", "Secret/ziti-host-identity", "ServiceAccount/prometheus"]) {
                assert.ok(kinds(kubeA).includes(expected), `kubeA renders ${expected}: ${kinds(kubeA).join(", ")}`);
            }
            const svc = kubeA.find(({ doc }) => doc.kind === "Service")!.doc;
            assert.strictEqual(svc.spec.type, "ClusterIP");
            assert.ok(!kinds(kubeB).some((k) => /^(Service|Ingress)\//.test(k)), `the dark cluster has no Service: ${kinds(kubeB).join(", ")}`);
            const darkProm = kubeB.find(({ doc }) => doc.kind === "Deployment" && doc.metadata.name === "prometheus")!.doc;
            const env = Object.fromEntries(darkProm.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
            assert.strictEqual(env.ZITI_LISTENER_SERVICE_NAME, "kubeB.prometheus.svc");
            assert.strictEqual(env.ZITI_LISTENER_IDENTITY_NAME, "kubeB.prometheus.id");
            assert.ok(!darkProm.spec.template.spec.containers.some((c: any) => c.ports?.length), "the dark Prometheus declares no port");

            const cm = central.find(({ doc }) => doc.kind === "ConfigMap")!.doc;
            const jobs = prometheusConfig(cm).scrape_configs;
            assert.deepStrictEqual(jobs.map((j: any) => [j.job_name, j.scheme, j.static_configs[0].targets[0]]), [
                ["kubeA.federate", "ziti", "kubeA.prometheus.svc-"],
                ["kubeA.reflectz", "ziti", "kubeA.reflect.scrape.svc-kubeA.reflect.id"],
                ["kubeB.federate", "ziti", "kubeB.prometheus.svc-kubeB.prometheus.id"],
                ["kubeB.reflectz", "ziti", "kubeB.reflect.scrape.svc-kubeB.reflect.id"],
            ]);
            for (const j of jobs) assert.ok(j.params["ziti-config"].length === 1, `${j.job_name} names its identity file`);

            // Modes: the tree is private (what `npm start` makes sure of with umask 077).
            const modes: string[] = [];
            const walk = (d: string) => {
                const st = fs.statSync(d);
                if ((st.mode & 0o077) !== 0) modes.push(`${d} ${(st.mode & 0o777).toString(8)}`);
                for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                    const p = path.join(d, e.name);
                    if (e.isDirectory()) walk(p);
                    else if ((fs.statSync(p).mode & 0o077) !== 0) modes.push(`${p} ${(fs.statSync(p).mode & 0o777).toString(8)}`);
                }
            };
            walk(renderRoot);
            assert.deepStrictEqual(modes, [], "rendered files 0600 and folders 0700");
        });

        it("enrolled every workload identity: each identity JSON in a rendered Secret logs in by certificate", async function () {
            const names: string[] = [];
            for (const p of ["kubeA", "kubeB", "central"]) {
                for (const { doc } of readManifests(path.join(renderRoot, p)).filter(({ doc }) => doc.kind === "Secret")) {
                    const json = secretValue(doc, "identity.json");
                    assert.ok(json, `${p} Secret ${doc.metadata.name} holds identity.json`);
                    const id = JSON.parse(json!);
                    secretsSeen.push({ what: `${p}/${doc.metadata.name} private key`, value: id.id.key.replace(/^pem:/, "") });
                    secretsSeen.push({ what: `${p}/${doc.metadata.name} identity JSON (base64)`, value: Buffer.from(json!).toString("base64").slice(0, 60) });
                    names.push(await certLogin(e2e.ctl.controllerUrl, json!));
                }
            }
            assert.deepStrictEqual(names.sort(), enrolled(devPlan).sort());
            // The human client stays un-enrolled: its one-time JWT is a secret output.
            const out = await e2e.outputs("main", "dev", true);
            const jwt = out.clientEnrollmentJwts?.["dev.client"];
            assert.match(jwt ?? "", /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/, "dev.client has an enrollment JWT");
            secretsSeen.push({ what: "dev.client enrollment JWT", value: jwt });
            const plain = await e2e.outputs("main", "dev");
            assert.strictEqual(plain.clientEnrollmentJwts, "[secret]");
        });

        it("a second `pulumi up` changes nothing", async function () {
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--expect-no-changes", "--stack", "dev"]);
            const counts = resourceCounts(up.output);
            assert.deepStrictEqual(Object.keys(counts), ["unchanged"], tail(up.output, 30));
        });

        it("`pulumi refresh` finds entities deleted on the controller and `pulumi up` restores them", async function () {
            const policy = (await rest.named("service-policies", "kubeB.prometheus.dial")).find((p: any) => p.name === "kubeB.prometheus.dial");
            const client = (await rest.named("identities", "dev.client")).find((p: any) => p.name === "dev.client");
            for (const [c, e] of [["service-policies", policy], ["identities", client]]) {
                const del = await rest.send("DELETE", `${c}/${e.id}`);
                assert.strictEqual(del.status, 200, `out-of-band delete of ${c}/${e.name}`);
            }
            // Rendered objects have no cluster to be read from: refresh the Ziti side (what the controller holds).
            const refresh = await e2e.pulumi("main", ["refresh", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev", "--exclude", "**kubernetes:**"]);
            assert.strictEqual(resourceCounts(refresh.output).deleted, 2, tail(refresh.output, 30));
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            assert.strictEqual(resourceCounts(up.output).created, 2, tail(up.output, 30));
            const again = (await rest.named("service-policies", "kubeB.prometheus.dial")).find((p: any) => p.name === "kubeB.prometheus.dial");
            assert.ok(again && again.id !== policy.id, "kubeB.prometheus.dial is back (a new entity)");
            assert.deepStrictEqual(again.identityRoles, ["#prometheus-clients"]);
            assert.ok((await rest.named("identities", "dev.client")).some((i: any) => i.name === "dev.client"), "dev.client is back");
            const jwt = (await e2e.outputs("main", "dev", true)).clientEnrollmentJwts?.["dev.client"];
            secretsSeen.push({ what: "dev.client enrollment JWT (recreated)", value: jwt });
        });

        it("`pulumi destroy` leaves none of the project's entities and no manifests", async function () {
            await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
            assert.deepStrictEqual(added(await snapshot(rest), baseline), []);
            const left = fs.existsSync(renderRoot) ? readManifests(renderRoot).map(({ file }) => file) : [];
            assert.deepStrictEqual(left, [], "no rendered manifest left");
        });
    });

    describe("2. multi-stack: clusterA, clusterB, then central over StackReferences", function () {
        const centralCm = () => readManifests(path.join(e2e.ws("main"), "rendered", "central", "central"))
            .find(({ doc }) => doc.kind === "ConfigMap" && doc.metadata.name === "prometheus-config")!.doc;
        const targets = () => prometheusConfig(centralCm()).scrape_configs.flatMap((j: any) => j.static_configs.flatMap((s: any) => s.targets)).sort();

        before(async function () {
            for (const s of ["clusterA", "clusterB", "central"]) await e2e.configureZiti("main", s);
        });

        it("the cluster stacks pass the policy pack and come up side by side, exporting their targets", async function () {
            await Promise.all(["clusterA", "clusterB"].map(async (s) => {
                const preview = await e2e.pulumi("main", ["preview", "--stack", s, "--policy-pack", POLICY_PACK]);
                assert.match(preview.output, /Policies:/);
                assert.doesNotMatch(preview.output, /mandatory/);
                await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s]);
            }));
            const a = await e2e.outputs("main", "clusterA");
            const b = await e2e.outputs("main", "clusterB");
            assert.deepStrictEqual([a.clusterName, a.federationTarget, a.reflectzScrapeTarget], ["kubeA", "kubeA.prometheus.svc-", "kubeA.reflect.scrape.svc-kubeA.reflect.id"]);
            assert.deepStrictEqual([b.clusterName, b.federationTarget, b.reflectzScrapeTarget], ["kubeB", "kubeB.prometheus.svc-kubeB.prometheus.id", "kubeB.reflect.scrape.svc-kubeB.reflect.id"]);
            const clusters = [await plannedStack("clusterA", ARTICLE_PLAN), await plannedStack("clusterB", ARTICLE_PLAN)];
            assert.deepStrictEqual(newEntities(await snapshot(rest), baseline), plannedNames(...clusters));
            assert.deepStrictEqual(await differencesFromPlan(rest, clusters.flat()), []);
        });

        it("central reads both through StackReferences: its Prometheus federates both clusters", async function () {
            const preview = await e2e.pulumi("main", ["preview", "--stack", "central", "--policy-pack", POLICY_PACK]);
            assert.match(preview.output, /Policies:/);
            assert.doesNotMatch(preview.output, /mandatory/);
            await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "central"]);
            assert.deepStrictEqual(targets(), [
                "kubeA.prometheus.svc-", "kubeA.reflect.scrape.svc-kubeA.reflect.id",
                "kubeB.prometheus.svc-kubeB.prometheus.id", "kubeB.reflect.scrape.svc-kubeB.reflect.id",
            ]);
            const out = await e2e.outputs("main", "central");
            assert.deepStrictEqual(out.centralPrometheus.federates, ["kubeA", "kubeB"]);
            // Central's own entities (its Prometheus, the stack's client identities) as planned.
            assert.deepStrictEqual(await differencesFromPlan(rest, await plannedStack("central", ARTICLE_PLAN)), []);
        });

        it("removing clusterB from central's stackReferences removes its targets on the next up", async function () {
            await e2e.pulumi("main", ["config", "rm", "--stack", "central", "--path", "scrape-anywhere:stackReferences[1]"]);
            const cfg = await e2e.pulumi("main", ["config", "get", "--stack", "central", "scrape-anywhere:stackReferences"]);
            assert.deepStrictEqual(JSON.parse(cfg.stdout), ["organization/scrape-anywhere/clusterA"]);
            const up = await e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "central"]);
            // The kubernetes provider replaces a ConfigMap whose data changed (and rolls the Deployment that mounts it).
            const counts = resourceCounts(up.output);
            assert.ok((counts.updated ?? 0) + (counts.replaced ?? 0) >= 1, `${JSON.stringify(counts)}\n${tail(up.output, 30)}`);
            assert.deepStrictEqual(targets(), ["kubeA.prometheus.svc-", "kubeA.reflect.scrape.svc-kubeA.reflect.id"]);
            assert.deepStrictEqual((await e2e.outputs("main", "central")).centralPrometheus.federates, ["kubeA"]);
        });

        it("destroying the three stacks leaves none of the project's entities", async function () {
            await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "central"]);
            await Promise.all(["clusterA", "clusterB"].map((s) => e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s])));
            assert.deepStrictEqual(added(await snapshot(rest), baseline), []);
        });
    });

    describe("3. the policy pack through the engine", function () {
        it("passed `pulumi preview --policy-pack policy` on every stack of the project (dev, clusterA, clusterB, central)", function () {
            for (const stack of ["dev", "clusterA", "clusterB", "central"]) {
                const run = e2e.runs.find((r) => r.ws === "main" && r.args[0] === "preview" && r.args.includes(stack) && r.args.includes("--policy-pack"));
                assert.ok(run, `pulumi preview --policy-pack ran on ${stack}`);
                assert.strictEqual(run.code, 0, `${stack}: ${tail(run.output, 20)}`);
                assert.match(run.output, /Policies:\s*\n\s*✅ scrape-anywhere@/, `${stack}: the pack reported no violation`);
            }
        });

        it("fails a program with a LoadBalancer Service, a hostPort and a Dial policy for #all, naming the rules", async function () {
            const renderDir = path.join(e2e.ws("violating"), "rendered");
            await e2e.configureZiti("violating", "violating");
            await e2e.pulumi("violating", ["config", "set", "--stack", "violating", "renderDir", renderDir]);
            const res = await e2e.pulumi("violating", ["preview", "--stack", "violating", "--policy-pack", POLICY_PACK], { allowFailure: true });
            assert.notStrictEqual(res.code, 0, `the preview must fail:\n${tail(res.output, 40)}`);
            for (const rule of ["disallow-loadbalancer-service", "disallow-host-network-and-ports", "disallow-dial-all-identities"]) {
                assert.match(res.output, new RegExp(`${rule}`), `${rule} named in the output:\n${tail(res.output, 40)}`);
            }
            assert.match(res.output, /mandatory/);
            assert.deepStrictEqual(added(await snapshot(rest), baseline), [], "a preview writes nothing");
        });
    });

    describe("4. secrets stay secret", function () {
        it("state files and engine output hold no plaintext private key, enrollment JWT or controller password", function () {
            assert.ok(secretsSeen.filter((s) => /private key/.test(s.what)).length >= 6, "private keys were collected from the manifests");
            const patterns: [string, RegExp][] = [
                ["a PEM private key", /BEGIN [A-Z ]*PRIVATE KEY/],
                ["a `pem:` identity field", /pem:-----BEGIN/],
                ["a JWT", /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+/],
                ["a base64 identity JSON", /eyJ6dEFQSSI6/],
            ];
            const literal: { what: string; value: string }[] = [
                { what: "the controller password", value: e2e.ctl.password },
                ...secretsSeen.flatMap((s) => s.what.includes("private key")
                    // The key's own base64 lines (the first one is the same header for every P-256 key).
                    ? s.value.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----")).slice(1).map((l) => ({ what: s.what, value: l }))
                    : [s]),
            ];
            const found: string[] = [];
            const scan = (where: string, text: string) => {
                for (const [what, re] of patterns) if (re.test(text)) found.push(`${where}: ${what}`);
                for (const s of literal) if (s.value && text.includes(s.value)) found.push(`${where}: ${s.what}`);
            };
            const files = e2e.stateFiles();
            assert.ok(files.some((f) => /\.json$/.test(f)), `state files found: ${files.length}`);
            for (const f of files) scan(path.relative(e2e.dir, f), fs.readFileSync(f, "utf8"));
            e2e.captured.forEach((o, i) => scan(`engine output #${i + 1}`, o));
            progress(`scanned ${files.length} state files and ${e2e.captured.length} captured outputs for ${patterns.length} patterns and ${literal.length} literal secrets`);
            assert.deepStrictEqual([...new Set(found)], []);
        });
    });
});
