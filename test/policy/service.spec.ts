import * as assert from "assert";
import {
    disallowLoadBalancerService,
    disallowNodePortService,
    disallowServiceExternalIps,
} from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { service } from "./fixtures";

const SERVICE = "kubernetes:core/v1:Service";

describe("policy: Services (rules 1-3)", () => {
    it("accepts a ClusterIP Service without externalIPs under all three rules", async () => {
        for (const rule of [disallowLoadBalancerService, disallowNodePortService, disallowServiceExternalIps]) {
            assert.deepStrictEqual(await runResource(rule, { type: SERVICE, name: "prometheus", props: service }), { violations: [] });
        }
    });

    it("disallow-loadbalancer-service rejects type LoadBalancer", async () => {
        const out = await runResource(disallowLoadBalancerService, {
            type: SERVICE,
            name: "prometheus",
            props: change(service, (s) => (s.spec.type = "LoadBalancer")),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'monitoring/prometheus' sets spec.type: LoadBalancer, which opens it to the network through a load balancer. " +
                "Fix: use type ClusterIP and reach it over a Ziti service, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("disallow-nodeport-service rejects type NodePort", async () => {
        const out = await runResource(disallowNodePortService, {
            type: SERVICE,
            name: "prometheus",
            props: change(service, (s) => (s.spec.type = "NodePort")),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'monitoring/prometheus' sets spec.type: NodePort, which opens a port on every node. " +
                "Fix: use type ClusterIP and reach it over a Ziti service, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("disallow-nodeport-service ignores a LoadBalancer (rule 1's job) and disallow-loadbalancer-service a NodePort", async () => {
        const lb = change(service, (s) => (s.spec.type = "LoadBalancer"));
        const np = change(service, (s) => (s.spec.type = "NodePort"));
        assert.deepStrictEqual((await runResource(disallowNodePortService, { type: SERVICE, name: "p", props: lb })).violations, []);
        assert.deepStrictEqual((await runResource(disallowLoadBalancerService, { type: SERVICE, name: "p", props: np })).violations, []);
    });

    it("disallow-service-external-ips rejects externalIPs", async () => {
        const out = await runResource(disallowServiceExternalIps, {
            type: SERVICE,
            name: "prometheus",
            props: change(service, (s) => Object.assign(s.spec, { externalIPs: ["203.0.113.7"] })),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'monitoring/prometheus' sets spec.externalIPs [203.0.113.7], so nodes accept traffic for those addresses. " +
                "Fix: remove externalIPs and reach it over a Ziti service, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("disallow-service-external-ips accepts an empty externalIPs list", async () => {
        const out = await runResource(disallowServiceExternalIps, {
            type: SERVICE,
            name: "prometheus",
            props: change(service, (s) => Object.assign(s.spec, { externalIPs: [] })),
        });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("checks `type` given in a ServicePatch (rule 7: patches)", async () => {
        const out = await runResource(disallowLoadBalancerService, {
            type: "kubernetes:core/v1:ServicePatch",
            name: "expose",
            props: { metadata: { namespace: "kube-system", name: "kube-dns" }, spec: { type: "LoadBalancer" } },
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "ServicePatch 'kube-system/kube-dns' sets spec.type: LoadBalancer, which opens it to the network through a load balancer. " +
                "Fix: use type ClusterIP and reach it over a Ziti service, or allow-list 'kube-system/kube-dns'.",
        ]);
    });

    it("checks every item of a ServiceList", async () => {
        const out = await runResource(disallowNodePortService, {
            type: "kubernetes:core/v1:ServiceList",
            name: "many",
            props: { items: [service, change(service, (s) => (s.spec.type = "NodePort"))] },
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "ServiceList 'default/many' sets items[1].spec.type: NodePort, which opens a port on every node. " +
                "Fix: use type ClusterIP and reach it over a Ziti service, or allow-list 'default/many'.",
        ]);
    });

    it("names the Helm Chart v4 that rendered the Service (rule 7: expanded objects)", async () => {
        const out = await runResource(disallowLoadBalancerService, {
            type: SERVICE,
            name: "ingress-nginx:ingress/ingress-nginx-controller",
            props: change(service, (s) => {
                s.metadata = { namespace: "ingress", name: "ingress-nginx-controller" };
                s.spec.type = "LoadBalancer";
            }),
            parent: "urn:pulumi:dev::scrape-anywhere::kubernetes:helm.sh/v4:Chart::ingress-nginx",
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'ingress/ingress-nginx-controller' (rendered by kubernetes:helm.sh/v4:Chart 'ingress-nginx') sets spec.type: LoadBalancer, " +
                "which opens it to the network through a load balancer. Fix: use type ClusterIP and reach it over a Ziti service, or allow-list 'ingress/ingress-nginx-controller'.",
        ]);
    });

    it("accepts an allow-listed exception, by exact entry and by `namespace/*`", async () => {
        const lb = change(service, (s) => (s.spec.type = "LoadBalancer"));
        for (const allowlist of [["monitoring/prometheus"], ["monitoring/*"]]) {
            const out = await runResource(disallowLoadBalancerService, { type: SERVICE, name: "p", props: lb, config: { allowlist } });
            assert.deepStrictEqual(out, { violations: [] });
        }
        const other = await runResource(disallowLoadBalancerService, { type: SERVICE, name: "p", props: lb, config: { allowlist: ["other/prometheus"] } });
        assert.strictEqual(other.violations.length, 1);
    });

    it("uses the provider's namespace, then `default`, and the Pulumi name when metadata leaves them out", async () => {
        const props = { spec: { type: "LoadBalancer" } };
        const withProvider = await runResource(disallowLoadBalancerService, {
            type: SERVICE,
            name: "web",
            props,
            provider: { type: "pulumi:providers:kubernetes", name: "kubeA", props: { namespace: "apps" } },
        });
        assert.match(withProvider.violations[0].message, /^Service 'apps\/web' sets/);
        const without = await runResource(disallowLoadBalancerService, { type: SERVICE, name: "web", props });
        assert.match(without.violations[0].message, /^Service 'default\/web' sets/);
    });

    it("says the rule could not be checked when spec.type is unknown at preview", async () => {
        const out = await runResource(disallowLoadBalancerService, {
            type: SERVICE,
            name: "prometheus",
            props: change(service, (s) => (s.spec.type = UNKNOWN)),
        });
        assert.deepStrictEqual(out, {
            violations: [],
            couldNotBeChecked:
                "Service 'monitoring/prometheus' could not be checked by disallow-loadbalancer-service: spec.type is not known during preview; " +
                "it is checked again when the value is known (pulumi up).",
        });
    });

    it("says it could not be checked when a violation's name is unknown and an allow-list is configured", async () => {
        const out = await runResource(disallowNodePortService, {
            type: SERVICE,
            name: "web",
            props: { metadata: { namespace: "monitoring", name: UNKNOWN }, spec: { type: "NodePort" } },
            config: { allowlist: ["monitoring/web"] },
        });
        assert.deepStrictEqual(out, {
            violations: [],
            couldNotBeChecked:
                "Service 'web' could not be checked by disallow-nodeport-service: metadata.name is not known during preview; " +
                "it is checked again when the value is known (pulumi up).",
        });
    });

    it("still reports a known violation when the name is unknown and no allow-list is configured", async () => {
        const out = await runResource(disallowNodePortService, {
            type: SERVICE,
            name: "web",
            props: { metadata: { name: UNKNOWN }, spec: { type: "NodePort" } },
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Service 'web' sets spec.type: NodePort, which opens a port on every node. " +
                "Fix: use type ClusterIP and reach it over a Ziti service, or allow-list its namespace/name.",
        ]);
    });

    it("ignores resources of other types", async () => {
        const out = await runResource(disallowLoadBalancerService, {
            type: "kubernetes:apps/v1:Deployment",
            name: "x",
            props: { spec: { type: "LoadBalancer" } },
        });
        assert.deepStrictEqual(out, { violations: [] });
    });
});
