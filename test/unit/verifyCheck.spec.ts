// The pure parts of `npm run verify` (scripts/lib/stackTargets.ts, zitiCheck.ts adviceGap, scrapeStatus.ts
// attachScrapes, stackCheck.ts formatResult, verify.ts parseArgs): which services a stack's outputs name and who must
// dial them, how the controller's policy advice becomes a gap, how central's targets map back to services. The
// controller and Prometheus sides run for real in test/upstream/verify.spec.ts.
import * as assert from "assert";
import { ActiveTarget, attachScrapes } from "../../scripts/lib/scrapeStatus";
import { formatResult, scrapeProgress, VerifyResult } from "../../scripts/lib/stackCheck";
import { expectedServices, serviceOfTarget } from "../../scripts/lib/stackTargets";
import { adviceGap, ServiceReport } from "../../scripts/lib/zitiCheck";
import { parseArgs } from "../../scripts/verify";

const central = { name: "central", serviceName: "central.prometheus.svc", identityName: "central.prometheus.id", federates: ["kubeA", "kubeB"] };

function report(service: string, cluster: string | undefined, role: ServiceReport["role"]): ServiceReport {
    return {
        service, cluster, role, exists: true,
        hosted: { ok: true, terminators: [{ router: "r1", identity: "x", binding: "edge" }], binders: ["x"], bindPolicies: ["x.bind"] },
        dialable: { ok: true, dialers: [], otherDialers: [], dialPolicies: [] },
        gaps: [],
    };
}

describe("npm run verify: what a stack should have", () => {
    it("reads both flavors' target forms as the Ziti service", () => {
        assert.strictEqual(serviceOfTarget("kubeA.prometheus.svc-"), "kubeA.prometheus.svc");
        assert.strictEqual(serviceOfTarget("kubeB.reflect.scrape.svc-kubeB.reflect.id"), "kubeB.reflect.scrape.svc");
        assert.strictEqual(serviceOfTarget("kubeA.exporter.svc"), "kubeA.exporter.svc");
    });

    it("the dev stack: each cluster's Prometheus, scrape target and API, then central, with who must dial each", () => {
        const got = expectedServices({
            role: "dev",
            clusterOutputs: {
                kubeA: { clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc", reflectzScrapeTarget: "kubeA.exporter.svc", kubernetesApi: { serviceName: "kubeA.k8s.svc", admins: ["dev.admin"] } },
                kubeB: { clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc-kubeB.prometheus.id", reflectzScrapeTarget: "kubeB.reflect.scrape.svc-kubeB.reflect.id" },
            },
            centralPrometheus: central,
            clientIdentities: ["dev.client"],
        });
        assert.deepStrictEqual(got.map(e => [e.service, e.cluster ?? null, e.role, e.dialers]), [
            ["kubeA.prometheus.svc", "kubeA", "prometheus", ["central.prometheus.id"]],
            ["kubeA.exporter.svc", "kubeA", "target", ["kubeA.prometheus.id", "central.prometheus.id"]],
            ["kubeA.k8s.svc", "kubeA", "kubernetes-api", ["dev.admin"]],
            ["kubeB.prometheus.svc", "kubeB", "prometheus", ["central.prometheus.id"]],
            ["kubeB.reflect.scrape.svc", "kubeB", "target", ["kubeB.prometheus.id", "central.prometheus.id"]],
            ["central.prometheus.svc", null, "central", ["dev.client"]],
        ]);
        assert.ok(got.every(e => e.because.length === e.dialers.length));
    });

    it("a cluster stack knows no central: its own Prometheus may be dialed by anyone the policies name", () => {
        const got = expectedServices({ role: "cluster", clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc", reflectzScrapeTarget: "kubeB.exporter.svc" });
        assert.deepStrictEqual(got.map(e => [e.service, e.dialers]), [["kubeB.prometheus.svc", []], ["kubeB.exporter.svc", ["kubeB.prometheus.id"]]]);
    });

    it("a central stack: the clusters it read through its stack references", () => {
        const got = expectedServices({ role: "central", centralPrometheus: central, clientIdentities: [] },
            { kubeA: { clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc", reflectzScrapeTarget: "kubeA.exporter.svc" } });
        assert.deepStrictEqual(got.map(e => e.service), ["kubeA.prometheus.svc", "kubeA.exporter.svc", "central.prometheus.svc"]);
        assert.deepStrictEqual(got[2].dialers, []);
    });
});

describe("npm run verify: the controller's policy advice as gaps", () => {
    const e = { service: "kubeA.exporter.svc", cluster: "kubeA" };
    const fine = { isDialAllowed: true, isBindAllowed: false, identityRouterCount: 1, serviceRouterCount: 1, commonRouters: [{ name: "r1", isOnline: true }] };
    const code = (a: Partial<typeof fine>, type: "Dial" | "Bind" = "Dial") => adviceGap(e, "kubeA.prometheus.id", { ...fine, ...a }, type, "hint")?.code;

    it("names the first thing missing, in the order a dial needs them", () => {
        assert.strictEqual(code({}), undefined);
        assert.strictEqual(code({ isDialAllowed: false, identityRouterCount: 0 }), "no-dial-grant");
        assert.strictEqual(code({ identityRouterCount: 0, serviceRouterCount: 0 }), "no-edge-router");
        assert.strictEqual(code({ serviceRouterCount: 0 }), "no-service-edge-router");
        assert.strictEqual(code({ commonRouters: [] }), "no-common-router");
        assert.strictEqual(code({ commonRouters: [{ name: "r1", isOnline: false }] }), "router-offline");
    });

    it("a binder is not asked for a Dial grant", () => {
        assert.strictEqual(code({ isDialAllowed: false }, "Bind"), undefined);
    });

    it("says who, what and the fix", () => {
        const g = adviceGap(e, "kubeA.prometheus.id", { ...fine, isDialAllowed: false }, "Dial", "it has no Dial policy at all")!;
        assert.deepStrictEqual([g.service, g.cluster, g.identity], ["kubeA.exporter.svc", "kubeA", "kubeA.prometheus.id"]);
        assert.match(g.missing, /kubeA\.prometheus\.id may not dial kubeA\.exporter\.svc: no Dial service policy admits it \(it has no Dial policy at all\)/);
        assert.match(g.fix, /pulumi up/);
    });
});

describe("npm run verify: central's scrapes mapped to the services", () => {
    it("by the upstream flavor's ziti_service label and by the article flavor's service-terminator instance", () => {
        const reports = [report("kubeA.prometheus.svc", "kubeA", "prometheus"), report("kubeB.reflect.scrape.svc", "kubeB", "target"), report("central.prometheus.svc", undefined, "central")];
        const targets: ActiveTarget[] = [
            { labels: { job: "kubeA.federate", instance: "kubeA.prometheus.svc", cluster: "kubeA", ziti_service: "kubeA.prometheus.svc" }, health: "up", lastError: "" },
            { labels: { job: "kubeB.reflectz", instance: "kubeB.reflect.scrape.svc-kubeB.reflect.id", cluster: "kubeB" }, health: "down", lastError: "dial failed" },
        ];
        const up = new Map([["kubeA.federate kubeA.prometheus.svc", 1], ["kubeB.reflectz kubeB.reflect.scrape.svc-kubeB.reflect.id", 0]]);
        attachScrapes(reports, targets, up);
        assert.deepStrictEqual(reports[0].scraped, { ok: true, targets: [{ job: "kubeA.federate", instance: "kubeA.prometheus.svc", up: 1, health: "up", lastError: "", lastScrape: undefined }] });
        assert.strictEqual(reports[1].scraped!.ok, false);
        assert.deepStrictEqual(reports[1].gaps.map(g => g.code), ["not-scraped"]);
        assert.match(reports[1].gaps[0].missing, /kubeB\.reflectz of kubeB\.reflect\.scrape\.svc is down \(up == 0\): dial failed/);
        assert.strictEqual(reports[2].scraped, undefined, "central's own service is not a scrape target");
    });

    it("npm start's wait: how many of the cluster services' scrapes are up, and which are not yet (the reports untouched)", () => {
        const reports = [report("kubeA.prometheus.svc", "kubeA", "prometheus"), report("kubeA.exporter.svc", "kubeA", "target"), report("kubeB.exporter.svc", "kubeB", "target"), report("central.prometheus.svc", undefined, "central")];
        const targets: ActiveTarget[] = [
            { labels: { job: "kubeA.federate", instance: "kubeA.prometheus.svc", cluster: "kubeA", ziti_service: "kubeA.prometheus.svc" }, health: "up" },
            { labels: { job: "kubeA.exporter", instance: "kubeA.exporter.svc", cluster: "kubeA", ziti_service: "kubeA.exporter.svc" }, health: "unknown" },
        ];
        const p = scrapeProgress(reports, targets, new Map([["kubeA.federate kubeA.prometheus.svc", 1]]));
        assert.deepStrictEqual(p, { up: 1, of: 3, down: ["kubeA.exporter not yet scraped", "kubeB.exporter.svc (no target)"] });
        assert.ok(reports.every(r => r.scraped === undefined && r.gaps.length === 0), "the reports are not changed");
        const all = scrapeProgress(reports.slice(0, 2), targets, new Map([["kubeA.federate kubeA.prometheus.svc", 1], ["kubeA.exporter kubeA.exporter.svc", 1]]));
        assert.deepStrictEqual(all, { up: 2, of: 2, down: [] });
    });

    it("a service central does not scrape at all is a gap", () => {
        const r = report("kubeC.exporter.svc", "kubeC", "target");
        attachScrapes([r], [], new Map());
        assert.deepStrictEqual(r.gaps.map(g => g.code), ["no-scrape-target"]);
    });
});

describe("npm run verify: the command line and the report", () => {
    it("parses its flags and refuses what it does not know", () => {
        const a = parseArgs(["--stack", "dev", "--client-identity=me.json", "--json"]);
        assert.ok(typeof a !== "string");
        assert.deepStrictEqual([a.stack, a.json, a.clientIdentity!.endsWith("/me.json")], ["dev", true, true]);
        assert.match(parseArgs([]) as string, /--stack is required/);
        assert.match(parseArgs(["--stack", "dev", "--bogus"]) as string, /unknown argument "--bogus"/);
    });

    it("prints per cluster and service, then each gap with its fix", () => {
        const bad = report("kubeA.exporter.svc", "kubeA", "target");
        bad.hosted = { ok: false, terminators: [], binders: ["kubeA.exporter.id"], bindPolicies: ["kubeA.exporter.bind"] };
        bad.gaps.push({ service: bad.service, cluster: "kubeA", code: "not-hosted", missing: "nothing hosts it", fix: "start its tunneler" });
        const r: VerifyResult = { stack: "dev", controller: "https://c", ok: false, services: [report("kubeA.prometheus.svc", "kubeA", "prometheus"), bad], gaps: bad.gaps, scrape: { checked: false, reason: "no client identity" } };
        const text = formatResult(r).join("\n");
        assert.match(text, /cluster kubeA\n {2}kubeA\.prometheus\.svc .*\n {6}hosted: {3}yes, 1 terminator: x via r1/);
        assert.match(text, /hosted: {3}NO \(may bind: kubeA\.exporter\.id\)/);
        assert.match(text, /1 gap:\n {2}kubeA\.exporter\.svc \(kubeA\) \[not-hosted\]: nothing hosts it\n {6}fix: start its tunneler/);
        assert.match(formatResult({ ...r, ok: true, gaps: [], services: [r.services[0]] }).join("\n"), /Ziti graph fine/);
    });
});
