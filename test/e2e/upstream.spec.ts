// e2e, the upstream flavor: the dev stack with `scrape-anywhere:flavor: upstream` through the real engine against a
// real controller: the policy pack passes in preview, `pulumi up` creates the flavor's entities (proxy.v1 bound to
// 127.0.0.1, host.v1 to 127.0.0.1) and renders its pods, `npm run verify` finds the graph the plan means (every
// service with a binder and its dialers able to reach it; nothing hosted, as nothing runs); switched to collection
// remoteWrite it passes the pack again and adds the write path (issue 26); `pulumi destroy` removes them.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { adminRest, Rest, zitiController } from "../helpers/zitiController";
import type { PlainEntity } from "../helpers/planEntities";
import { E2E, readManifests, repoRoot, resourceCounts, tail } from "./harness";
import { differencesFromPlan, plannedStack } from "./plannedState";

const POLICY_PACK = path.join(repoRoot, "policy");

describe("e2e: the upstream flavor's dev stack against a real controller", function () {
    this.timeout(900_000);
    let e2e: E2E;
    let rest: Rest;
    let failed = false;
    /** The dev stack's entities in this flavor, as the program plans them. */
    let plan: PlainEntity[];
    const named = (kind: PlainEntity["kind"], test: (e: any) => boolean = () => true) => plan.filter((e) => e.kind === kind && test(e)).map((e) => e.name);

    before(async function () {
        const ctl = await zitiController();
        e2e = new E2E(ctl);
        rest = await adminRest(ctl);
        e2e.workspace("upstream", repoRoot, ["dev"]);
        plan = await plannedStack("dev", { flavor: "upstream" });
        await e2e.configureZiti("upstream", "dev");
        await e2e.pulumi("upstream", ["config", "set", "--stack", "dev", "scrape-anywhere:flavor", "upstream"]);
    });
    afterEach(function () { if (this.currentTest?.state === "failed") failed = true; });
    after(async function () {
        await e2e?.pulumi("upstream", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"], { allowFailure: true });
        await rest?.close();
        e2e?.dispose(failed);
    });

    it("passes the policy pack in preview, and `pulumi up` creates the flavor's loopback configs and sidecar pods", async function () {
        const preview = await e2e.pulumi("upstream", ["preview", "--stack", "dev", "--policy-pack", POLICY_PACK]);
        assert.match(preview.output, /Policies:/, "the policy pack ran");
        assert.doesNotMatch(preview.output, /mandatory/, "no mandatory violation");
        const up = await e2e.pulumi("upstream", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
        assert.ok(resourceCounts(up.output).created > 40, tail(up.output, 30));
        assert.deepStrictEqual(await differencesFromPlan(rest, plan), []);
        const configs = await rest.named("configs", ".proxy.v1");
        assert.deepStrictEqual(configs.map((c: any) => c.name).sort(), named("Config", (e) => e.configType === "proxy.v1").sort());
        // Every one, the API services' included (an admin's tunnel), binds loopback only.
        for (const c of configs) assert.strictEqual(c.data.binding, "127.0.0.1");
        const deployments = readManifests(path.join(e2e.ws("upstream"), "rendered", "dev", "kubeB")).filter(m => m.doc?.kind === "Deployment");
        // kubeB (dark, with the dev stack's Kubernetes API service): the exporter, Prometheus, and the API's tunnel host pod.
        assert.deepStrictEqual(deployments.map(d => d.doc.metadata.name).sort(), ["node-exporter", "prometheus", "ziti-tunnel"]);
        for (const d of deployments) assert.ok(d.doc.spec.template.spec.containers.some((c: any) => c.name === "ziti-tunnel"), d.doc.metadata.name);
        assert.ok(fs.existsSync(path.join(e2e.ws("upstream"), "rendered", "dev", "central")));
    });

    it("npm run verify reads the deployed graph: every service exists and is dialable by whom it should be; rendered, nothing hosts", async function () {
        // The controller from the stack's ziti:* config (the harness sets no ZITI_* environment): the real-clusters path.
        const r = await e2e.command("npm", ["run", "-s", "verify", "--", "--stack", "dev", "--cwd", e2e.ws("upstream"), "--json"]);
        assert.strictEqual(r.code, 1, `exit 1 (nothing runs in render mode)\n${r.stderr}`);
        const result = JSON.parse(r.stdout);
        assert.deepStrictEqual(result.services.map((s: any) => s.service).sort(), named("Service").sort());
        for (const s of result.services) {
            assert.ok(s.exists, s.service);
            assert.ok(s.dialable.ok && s.dialable.dialers.length > 0, `${s.service}: ${JSON.stringify(s.dialable)}`);
            assert.ok(s.hosted.binders.length > 0, `${s.service} has a binder`);
        }
        assert.deepStrictEqual([...new Set(result.gaps.map((g: any) => g.code))], ["not-hosted"], JSON.stringify(result.gaps, null, 1));
        assert.deepStrictEqual(result.services.find((s: any) => s.service === "kubeA.k8s.svc").dialable.dialers.map((d: any) => d.identity), ["dev.admin"]);
        assert.deepStrictEqual(result.services.find((s: any) => s.service === "central.prometheus.svc").dialable.dialers.map((d: any) => d.identity), ["dev.client"]);
    });

    it("with collection remoteWrite: passes the policy pack, and `pulumi up` adds the write service that only the cluster Prometheus identities may dial, by name", async function () {
        await e2e.pulumi("upstream", ["config", "set", "--stack", "dev", "scrape-anywhere:collection", "remoteWrite"]);
        const preview = await e2e.pulumi("upstream", ["preview", "--stack", "dev", "--policy-pack", POLICY_PACK]);
        assert.match(preview.output, /Policies:/, "the policy pack ran");
        assert.doesNotMatch(preview.output, /mandatory/, "no mandatory violation");
        await e2e.pulumi("upstream", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "dev"]);
        // The write path as planned (its service, configs, Bind for central, Dial naming each cluster's writer), field for field.
        const rwPlan = await plannedStack("dev", { flavor: "upstream", collection: "remoteWrite" });
        assert.deepStrictEqual(await differencesFromPlan(rest, rwPlan), []);
        const writeDials = rwPlan.filter((e) => e.kind === "ServicePolicy" && e.type === "Dial" && !plan.some((f) => f.name === e.name));
        assert.strictEqual(writeDials.length, 1, "one new Dial policy: the write service's");
        const dialers = (writeDials[0] as Extract<PlainEntity, { kind: "ServicePolicy" }>).identityRoles;
        assert.ok(dialers.length === 2 && dialers.every((r) => r.startsWith("@")), `each cluster's writer, by name: ${dialers}`);
        for (const c of rwPlan.filter((e) => e.kind === "Config" && e.configType === "proxy.v1")) {
            assert.strictEqual((await rest.named("configs", c.name)).find((x: any) => x.name === c.name)?.data.binding, "127.0.0.1", c.name);
        }
        const args = (cluster: string) => readManifests(path.join(e2e.ws("upstream"), "rendered", "dev", cluster))
            .find(m => m.doc?.kind === "Deployment" && m.doc.metadata.name === "prometheus")!.doc.spec.template.spec.containers[0].args as string[];
        assert.ok(args("kubeB").includes("--agent"), "the dark cluster's Prometheus runs as an agent");
        assert.ok(args("central").includes("--web.enable-remote-write-receiver"), "central receives");
    });
});
