// plan/places.ts: the one listing of every place's Ziti entities, from validated config (pure calls, no mocks).
import * as assert from "assert";
import { parseConfig } from "../../config";
import { placeZitiEntities, programIdentityNames } from "../../plan/places";

const count = (es: { kind: string }[]) => es.reduce<Record<string, number>>((m, e) => ({ ...m, [e.kind]: (m[e.kind] ?? 0) + 1 }), {});

describe("plan: every place's Ziti entities", () => {
    const cfg = parseConfig({
        flavor: "article",
        clusters: [{ name: "kubeA", kind: "hybrid" }, { name: "kubeB", kind: "dark" }], clientIdentities: ["dev.client"],
        kubernetesApi: true, kubernetesAdmins: ["dev.admin"],
    }, "dev");
    const places = placeZitiEntities(cfg);

    it("lists each place of the dev topology with the walkthrough's entity set", () => {
        assert.deepStrictEqual(Object.keys(places), ["kubeA", "kubeB", "central", "clients", "k8s-admins"]);
        assert.deepStrictEqual(count(places.kubeA), { Identity: 3, Config: 4, Service: 3, ServicePolicy: 4, EdgeRouterPolicy: 1, ServiceEdgeRouterPolicy: 1 });
        // The dark cluster's tunneler exists only for the Kubernetes API service (kubernetesApi on).
        assert.deepStrictEqual(count(places.kubeB), { Identity: 3, Config: 3, Service: 3, ServicePolicy: 4, EdgeRouterPolicy: 1, ServiceEdgeRouterPolicy: 1 });
        assert.deepStrictEqual(count(places.central), { Identity: 1, Config: 1, Service: 1, ServicePolicy: 2, EdgeRouterPolicy: 1, ServiceEdgeRouterPolicy: 1 });
        assert.deepStrictEqual(places.clients.map(e => e.name), ["dev.client"]);
        assert.deepStrictEqual(places["k8s-admins"].map(e => e.name), ["dev.admin"]);
    });

    it("names resources as the components do (the URNs of existing stacks)", () => {
        assert.deepStrictEqual(places.kubeA.filter(e => e.kind === "Identity").map(e => e.resourceName), ["kubeA-reflect-id", "kubeA-prometheus-id", "kubeA-ziti-id"]);
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
