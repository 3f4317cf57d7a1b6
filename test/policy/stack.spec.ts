import * as assert from "assert";
import { disallowServiceInDarkCluster } from "../../policy/rules";
import { StackResourceInput, UNKNOWN, runStack, urnOf } from "./helpers/engine";
import { service } from "./fixtures";

const DARK = "scrape-anywhere:cluster:DarkCluster";
const HYBRID = "scrape-anywhere:cluster:HybridCluster";
const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** A stack with one HybridCluster (with a Service) and one DarkCluster (a Deployment only). */
function baseline(): StackResourceInput[] {
    return [
        { type: "pulumi:pulumi:Stack", name: "scrape-anywhere-dev" },
        { type: HYBRID, name: "kubeA", parent: 0 },
        { type: SERVICE, name: "kubeA-prometheus", parent: 1, props: service },
        { type: DARK, name: "kubeB", parent: 0 },
        { type: DEPLOYMENT, name: "kubeB-prometheus", parent: 3, props: { metadata: { namespace: "monitoring", name: "prometheus" } } },
    ];
}

describe("policy: no Service in a DarkCluster (rule 8, disallow-service-in-dark-cluster, stack)", () => {
    it("accepts a Service in a HybridCluster and a DarkCluster without one", async () => {
        assert.deepStrictEqual(await runStack(disallowServiceInDarkCluster, baseline()), { violations: [] });
    });

    it("rejects a Service created by a DarkCluster, with the Service's URN", async () => {
        const stack = [...baseline(), { type: SERVICE, name: "kubeB-prometheus", parent: 3, props: service }];
        const out = await runStack(disallowServiceInDarkCluster, stack);
        assert.deepStrictEqual(out.violations, [
            {
                message:
                    "Service 'monitoring/prometheus' is created inside DarkCluster 'kubeB'; a dark cluster has no Kubernetes Service, Ingress or Gateway at all. " +
                    "Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'monitoring/prometheus'.",
                urn: urnOf(SERVICE, "kubeB-prometheus", ["pulumi:pulumi:Stack", DARK]),
            },
        ]);
    });

    it("rejects a Service several levels down (a Chart v4 inside the DarkCluster)", async () => {
        const stack: StackResourceInput[] = [
            ...baseline(),
            { type: "kubernetes:helm.sh/v4:Chart", name: "kubeB-exporter", parent: 3 },
            { type: SERVICE, name: "kubeB-exporter:monitoring/exporter", parent: 5, props: { metadata: { namespace: "monitoring", name: "exporter" }, spec: {} } },
        ];
        const out = await runStack(disallowServiceInDarkCluster, stack);
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'monitoring/exporter' is created inside DarkCluster 'kubeB'; a dark cluster has no Kubernetes Service, Ingress or Gateway at all. " +
                "Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'monitoring/exporter'.",
        ]);
    });

    it("finds the DarkCluster from the URN when the parent objects are not linked", async () => {
        const args = [...baseline(), { type: SERVICE, name: "kubeB-prometheus", parent: 3, props: service }];
        const out = await runStack(
            {
                validateStack: (a: Parameters<typeof disallowServiceInDarkCluster.validateStack>[0], report: (m: string, u?: string) => void) => {
                    for (const r of a.resources) {
                        delete r.parent;
                        r.opts = { ...r.opts, parent: undefined };
                    }
                    return disallowServiceInDarkCluster.validateStack(a, report);
                },
            },
            args,
        );
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'monitoring/prometheus' is created inside DarkCluster '(name not in the stack)'; a dark cluster has no Kubernetes Service, Ingress or Gateway at all. " +
                "Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("does not count a ServicePatch (it changes a Service, it does not create one)", async () => {
        const stack = [...baseline(), { type: "kubernetes:core/v1:ServicePatch", name: "p", parent: 3, props: service }];
        assert.deepStrictEqual(await runStack(disallowServiceInDarkCluster, stack), { violations: [] });
    });

    it("accepts an allow-listed exception", async () => {
        const stack = [...baseline(), { type: SERVICE, name: "kubeB-prometheus", parent: 3, props: service }];
        assert.deepStrictEqual(await runStack(disallowServiceInDarkCluster, stack, { allowlist: ["monitoring/prometheus"] }), { violations: [] });
    });

    it("takes the component types from config", async () => {
        const stack = [...baseline()];
        const out = await runStack(disallowServiceInDarkCluster, stack, { componentTypes: [HYBRID] });
        assert.strictEqual(out.violations.length, 1);
        assert.match(out.violations[0].message, /^Service 'monitoring\/prometheus' is created inside HybridCluster 'kubeA'/);
    });

    it("says it could not be checked when an allow-list is set and the Service's name is unknown at preview", async () => {
        const stack = [...baseline(), { type: SERVICE, name: "kubeB-svc", parent: 3, props: { metadata: { name: UNKNOWN } } }];
        const out = await runStack(disallowServiceInDarkCluster, stack, { allowlist: ["monitoring/other"] });
        assert.deepStrictEqual(out, {
            violations: [],
            couldNotBeChecked:
                "Service 'kubeB-svc' could not be checked by disallow-service-in-dark-cluster: metadata.name is not known during preview; " +
                "it is checked again when the value is known (pulumi up).",
        });
    });
});
