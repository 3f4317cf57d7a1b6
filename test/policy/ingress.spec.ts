import * as assert from "assert";
import { disallowIngressAndGateway } from "../../policy/rules";
import { runResource } from "./helpers/engine";
import { ingress, service } from "./fixtures";

describe("policy: Ingress and Gateway API (rule 4, disallow-ingress-and-gateway)", () => {
    it("accepts a Service (nothing published by an ingress)", async () => {
        const out = await runResource(disallowIngressAndGateway, { type: "kubernetes:core/v1:Service", name: "p", props: service });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("rejects a networking.k8s.io Ingress", async () => {
        const out = await runResource(disallowIngressAndGateway, {
            type: "kubernetes:networking.k8s.io/v1:Ingress",
            name: "prometheus",
            props: ingress,
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Ingress 'monitoring/prometheus' publishes workloads to the network through an ingress controller. " +
                "Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity), or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("rejects a Gateway API Gateway", async () => {
        for (const kind of ["Gateway"]) {
            const out = await runResource(disallowIngressAndGateway, {
                type: `kubernetes:gateway.networking.k8s.io/v1:${kind}`,
                name: "public",
                props: { metadata: { namespace: "edge", name: "public" }, spec: {} },
            });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                `${kind} 'edge/public' publishes workloads to the network through a Gateway API gateway. ` +
                    "Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity), or allow-list 'edge/public'.",
            ]);
        }
    });

    it("accepts an allow-listed exception", async () => {
        const out = await runResource(disallowIngressAndGateway, {
            type: "kubernetes:networking.k8s.io/v1:Ingress",
            name: "prometheus",
            props: ingress,
            config: { allowlist: ["monitoring/prometheus"] },
        });
        assert.deepStrictEqual(out, { violations: [] });
    });
});
