// A flavor is a plug-in: registered in flavors/index.ts and named in the cluster's args (scrape-anywhere:flavor), it
// decides the place's Ziti entities and workloads; nothing else changes. Under the SDK's mocks, like clusters.spec.ts.
import * as assert from "assert";
import { RecordingMocks, useMocks } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";
import type { Flavor } from "../../flavors/types";

describe("flavors: a registered flavor is what the components build", function () {
    let mocks: RecordingMocks;

    it("a test flavor that renames the Prometheus Deployment and drops the reflect services is followed by HybridCluster", async function () {
        mocks = await useMocks("unit");
        const { FLAVORS } = await import("../../flavors");
        const { article } = await import("../../flavors/article");
        const probe: Flavor = {
            ...article,
            name: "probe",
            zitiEntities: place => article.zitiEntities(place).filter(e => !e.name.includes(".reflect.svc")),
            clusterWorkloads: (place, config, ids) => article.clusterWorkloads(place, config, ids).map(w => ({
                ...w, objects: w.objects.map(o => (o.kind === "Deployment" && o.resourceName.endsWith("-prometheus") ? { ...o, resourceName: `${o.resourceName}-probe` } : o)),
            })),
        };
        (FLAVORS as Record<string, Flavor>).probe = probe;
        try {
            const c = await import("../../components");
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("probeA-k8s", { renderYamlToDirectory: "rendered/unit/probeA" });
            const cluster = new c.HybridCluster("probeA", { provider, namespace: "monitoring", flavor: "probe" });
            await valueOf(cluster.identityNames);
            await new Promise(r => setTimeout(r, 500)); // the Kubernetes objects register after the identities resolve
            const names = mocks.resources.map(r => r.name);
            assert.ok(names.includes("probeA-prometheus-probe"), "the flavor's Deployment is made");
            assert.ok(!names.includes("probeA-prometheus"), "the article's Deployment is not");
            assert.ok(names.includes("probeA-prometheus-svc"));
            assert.ok(!mocks.resources.some(r => r.type.includes("ziti:Service") && String(r.inputs?.name).startsWith("probeA.reflect.svc")), "the flavor dropped the reflect service");
            assert.throws(() => new c.HybridCluster("probeB", { provider, flavor: "nope" }), /unknown workload flavor "nope"/);
        } finally {
            delete (FLAVORS as Record<string, Flavor>).probe;
        }
    });
});
