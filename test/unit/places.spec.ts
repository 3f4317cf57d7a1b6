// plan/places.ts: the one listing of every place's Ziti entities, from validated config (pure calls, no mocks), and
// the check that the program (index.ts under mocks) registers exactly that listing, field for field: the bench
// baselines and the e2e tier's expectations (test/helpers/planEntities.ts) are made from it, so a drift here would make
// their ratios compare unequal work. The README's entity counts are checked against it too.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../../config";
import { placeZitiEntities, programIdentityNames } from "../../plan/places";
import { importProgram, RecordingMocks, useMocks } from "../helpers/mocks";
import { ZITI_KINDS, zitiToken } from "../../provider/kinds";
import { valueOf } from "../helpers/outputs";
import { namesByCollection, planEntities, stackFileConfig } from "../helpers/planEntities";

const count = (es: { kind: string }[]) => es.reduce<Record<string, number>>((m, e) => ({ ...m, [e.kind]: (m[e.kind] ?? 0) + 1 }), {});

describe("plan: every place's Ziti entities", () => {
    const cfg = parseConfig({
        flavor: "article",
        clusters: [{ name: "kubeA", kind: "hybrid" }, { name: "kubeB", kind: "dark" }], clientIdentities: ["dev.client"],
        kubernetesApi: true, kubernetesAdmins: ["dev.admin"],
    }, "dev");
    const places = placeZitiEntities(cfg);

    it("lists each place of the dev topology with the walkthrough's entity set", () => {
        assert.deepStrictEqual(Object.keys(places), ["clients", "k8s-admins", "kubeA", "kubeB", "central"]);
        // Each cluster: the flavor's entities plus its Kubernetes API path (3 configs, 1 service, 2 policies, ERP, SERP).
        assert.deepStrictEqual(count(places.kubeA), { Identity: 3, Config: 7, Service: 4, ServicePolicy: 6, EdgeRouterPolicy: 2, ServiceEdgeRouterPolicy: 2 });
        // The dark cluster's tunneler exists only for the Kubernetes API service (kubernetesApi on).
        assert.deepStrictEqual(count(places.kubeB), { Identity: 3, Config: 6, Service: 4, ServicePolicy: 6, EdgeRouterPolicy: 2, ServiceEdgeRouterPolicy: 2 });
        assert.deepStrictEqual(count(places.central), { Identity: 1, Config: 1, Service: 1, ServicePolicy: 2, EdgeRouterPolicy: 1, ServiceEdgeRouterPolicy: 1 });
        assert.deepStrictEqual(places.clients.map(e => e.name), ["dev.client", "clients.edge-router-policy"]);
        assert.deepStrictEqual(places["k8s-admins"].map(e => e.name), ["dev.admin"]);
    });

    it("names resources as the components do (the URNs of existing stacks)", () => {
        // The tunneler first, as the cluster component has always made it (the API path's Bind names it).
        assert.deepStrictEqual(places.kubeA.filter(e => e.kind === "Identity").map(e => e.resourceName), ["kubeA-ziti-id", "kubeA-reflect-id", "kubeA-prometheus-id"]);
        assert.deepStrictEqual(places.central.map(e => e.resourceName).slice(0, 3), ["central-prometheus-id", "central-prometheus-intercept", "central-prometheus-svc"]);
    });

    it("is what the config's admin-name clash check refuses", () => {
        assert.ok(programIdentityNames(cfg).has("kubeB.prometheus.id"));
        assert.throws(() => parseConfig({ clusters: [{ name: "kubeA" }], kubernetesApi: true, kubernetesAdmins: ["kubeA.ziti.id"] }, "dev"),
            /scrape-anywhere:kubernetesAdmins: "kubeA.ziti.id" is an identity the program makes/);
        assert.throws(() => parseConfig({ clusters: [{ name: "kubeA" }], kubernetesApi: true, kubernetesAdmins: ["central.prometheus.id"] }, "dev"),
            /a Prometheus identity/);
    });
});

/** An entity as the provider gets it: kind, resource name and every input but the serialized provider; services name their configs. */
function registered(mocks: RecordingMocks): Record<string, unknown>[] {
    const zitiType = zitiToken("");
    const ziti = mocks.resources.filter(r => ZITI_KINDS.some(k => r.type === zitiToken(k.kind))); // not the owner id
    const configName = new Map(ziti.filter(r => r.type.endsWith(":Config")).map(r => [`${r.name}-id`, r.inputs.name]));
    return ziti.map(r => {
        const { __provider, owner, ...inputs } = r.inputs; // the provider's own fields, not the plan's
        void __provider, owner;
        if (inputs.configs) inputs.configs = (inputs.configs as string[]).map(id => configName.get(id) ?? id);
        return { kind: r.type.slice(zitiType.length), resourceName: r.name, ...inputs };
    });
}

/** By resource name; without what only orders the creates (a plan field the provider never gets, e.g. `afterWorkloads`). */
const byResource = (xs: Record<string, unknown>[]) => Object.fromEntries(xs.map(({ afterWorkloads, ...x }) => (void afterWorkloads, [x.resourceName as string, x])));

for (const [flavor, collection] of [["article", "federate"], ["upstream", "federate"], ["upstream", "remoteWrite"]]) {
    describe(`plan: the program registers exactly the plan's Ziti entities (dev stack, ${flavor} flavor, ${collection})`, function () {
        let mocks: RecordingMocks;
        let cfg: Record<string, any>;
        before(async function () {
            cfg = { ...stackFileConfig("dev"), flavor, collection };
            if (flavor !== "article") delete cfg.images; // the dev stack's overrides are keyed by the article flavor's images
            mocks = await useMocks("dev", cfg);
            const program = await importProgram();
            await valueOf(program.centralPrometheus!.federates);
            await mocks.settled();
        });

        it("same resources, same names, same inputs", async function () {
            const want = byResource(await planEntities(cfg, "dev"));
            const got = byResource(registered(mocks));
            assert.deepStrictEqual(Object.keys(got).sort(), Object.keys(want).sort());
            for (const k of Object.keys(want)) assert.deepStrictEqual(got[k], want[k], k);
        });
    });
}

describe("plan: the README's entity counts are the plan's", () => {
    it("the faults tier's converged dev stack (article flavor, as its workspace sets): identities, configs, services, policies", async () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8").replace(/\s+/g, " ");
        const m = /identities (\d+), configs (\d+), services (\d+), service policies (\d+), edge router policies (\d+), service edge router policies (\d+)/.exec(readme);
        assert.ok(m, "the README states the faults tier's counts by collection");
        const names = namesByCollection(await planEntities({ ...stackFileConfig("dev"), flavor: "article" }, "dev"));
        const planned = ["identities", "configs", "services", "service-policies", "edge-router-policies", "service-edge-router-policies"].map(c => String(names[c].length));
        assert.deepStrictEqual(m.slice(1), planned);
    });
});
