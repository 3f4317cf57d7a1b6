// The flavor seam (flavors/types.ts) and registry (flavors/index.ts): every registered flavor answers every question
// the plan asks, with data that fits the places (pure calls, no resources, no mocks).
import * as assert from "assert";
import { DEFAULT_FLAVOR, FLAVORS, flavorNamed } from "../../flavors";
import type { CentralPlace, ClusterPlace } from "../../flavors/types";
import { parseConfig } from "../../config";

const cluster = (kind: "hybrid" | "dark", kubernetesApi = false): ClusterPlace => ({
    kind, resourcePrefix: "kubeA", name: "kubeA", namespace: "monitoring",
    serviceNames: { reflect: "kubeA.reflect.svc", reflectScrape: "kubeA.reflect.scrape.svc", prometheus: "kubeA.prometheus.svc" },
    images: {}, scrapeInterval: "15s", edgeRouterRoles: ["#all"], networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] }, ...(kubernetesApi ? { kubernetesApi: { serviceName: "kubeA.k8s.svc" } } : {}),
});
const central = (placement: "kubernetes" | "docker"): CentralPlace => ({
    kind: "central", resourcePrefix: "central", name: "central", placement, namespace: "monitoring", images: {}, scrapeInterval: "15s",
    federationMatch: ['{job=~".+"}'], edgeRouterRoles: ["#all"], networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
});

describe("flavors: the seam and the registry", () => {
    it("the default flavor is upstream (the maintained images), registered; an unknown one is refused naming the known ones", () => {
        assert.strictEqual(DEFAULT_FLAVOR, "upstream");
        assert.ok(FLAVORS[DEFAULT_FLAVOR]);
        assert.throws(() => flavorNamed("nope"), /unknown workload flavor "nope"; known: article/);
        const cfg = parseConfig({ clusters: [{ name: "kubeA" }] }, "s");
        assert.strictEqual(cfg.flavor, DEFAULT_FLAVOR);
        assert.deepStrictEqual(cfg.images, FLAVORS.upstream.images, "the default flavor's images");
        assert.throws(() => parseConfig({ clusters: [{ name: "kubeA" }], flavor: "nope" }, "s"), /scrape-anywhere:flavor: unknown workload flavor "nope"; use one of: article/);
    });

    for (const flavor of Object.values(FLAVORS)) {
        describe(`flavor ${flavor.name}`, () => {
            it("lists Ziti entities with unique names and resource names per place, every @role naming an entity of the place or a client attribute", () => {
                for (const place of [cluster("hybrid"), cluster("dark"), cluster("dark", true), central("kubernetes")]) {
                    const es = flavor.zitiEntities(place);
                    assert.strictEqual(new Set(es.map(e => e.resourceName)).size, es.length, `${place.kind}: resource names repeat`);
                    assert.strictEqual(new Set(es.map(e => `${e.kind}:${e.name}`)).size, es.length, `${place.kind}: entity names repeat`);
                    const names = new Set(es.map(e => e.name));
                    for (const e of es) {
                        const roles = [...("serviceRoles" in e ? e.serviceRoles : []), ...("identityRoles" in e ? e.identityRoles : [])];
                        for (const r of roles) if (typeof r === "string" && r.startsWith("@")) assert.ok(names.has(r.slice(1)), `${e.name}: ${r} names no entity of the place`);
                        if (e.kind === "Service") for (const c of e.configs) assert.ok(names.has(c), `${e.name}: config ${c} is not planned`);
                    }
                }
            });

            it("makes a workload for every place, each object with its own resource name", () => {
                const all = [
                    ...flavor.clusterWorkloads(cluster("hybrid"), "cfg", {}), ...flavor.clusterWorkloads(cluster("dark", true), "cfg", {}),
                ];
                assert.ok(all.some(w => w.name === "prometheus"));
                for (const w of [flavor.clusterWorkloads(cluster("hybrid"), "cfg", {}), flavor.centralKubernetes(central("kubernetes"), "cfg", {})]) {
                    const names = w.flatMap(x => x.objects.map(o => o.resourceName));
                    assert.strictEqual(new Set(names).size, names.length);
                }
                assert.match(flavor.centralDocker(central("docker"), "cfg", {}).resourceName, /^central-/);
            });

            it("gives scrape targets the central Prometheus config accepts", () => {
                const t = flavor.clusterTargets(cluster("dark"));
                const cfg = flavor.centralPrometheusConfig(central("kubernetes"), [t]) as { scrape_configs: unknown[] };
                assert.ok(cfg.scrape_configs.length > 0);
            });
        });
    }
});
