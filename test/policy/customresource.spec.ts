// `kubernetes.apiextensions.CustomResource` as the rules see it. The Node.js SDK registers
// `new CustomResource(name, {apiVersion, kind})` as `kubernetes:<apiVersion>:<kind>` (node_modules/@pulumi/
// kubernetes/apiextensions/customResource.js), so a Gateway made this way has the same token as a typed one;
// the schema's overlay token `kubernetes:apiextensions.k8s.io:CustomResource` is never registered by an SDK,
// but a resource carrying it is judged by its apiVersion/kind props.
import * as assert from "assert";
import { disallowHostNetworkAndPorts, disallowIngressAndGateway, disallowLoadBalancerService } from "../../policy/rules";
import { change, runResource } from "./helpers/engine";
import { deployment, service } from "./fixtures";

const OVERLAY = "kubernetes:apiextensions.k8s.io:CustomResource";
const GATEWAY = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { namespace: "edge", name: "public" },
    spec: { gatewayClassName: "eg", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
};

describe("policy: Kubernetes objects made with apiextensions.CustomResource", () => {
    it("rejects a Gateway API Gateway made with CustomResource (token kubernetes:gateway.networking.k8s.io/v1:Gateway)", async () => {
        const out = await runResource(disallowIngressAndGateway, { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "public", props: GATEWAY });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Gateway 'edge/public' publishes workloads to the network through a Gateway API gateway. " +
                "Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity), or allow-list 'edge/public'.",
        ]);
    });

    it("rejects a Gateway carrying the overlay token, judged by its apiVersion/kind", async () => {
        const out = await runResource(disallowIngressAndGateway, { type: OVERLAY, name: "public", props: GATEWAY });
        assert.match(out.violations[0].message, /^Gateway 'edge\/public' publishes workloads to the network through a Gateway API gateway\./);
        const patch = await runResource(disallowIngressAndGateway, { type: `${OVERLAY}Patch`, name: "public", props: GATEWAY });
        assert.match(patch.violations[0].message, /^GatewayPatch 'edge\/public'/);
    });

    it("rejects the other Gateway API kinds that attach routes or listeners", async () => {
        for (const kind of ["ListenerSet", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]) {
            const version = kind === "UDPRoute" ? "v1alpha2" : "v1";
            const out = await runResource(disallowIngressAndGateway, {
                type: `kubernetes:gateway.networking.k8s.io/${version}:${kind}`,
                name: "r",
                props: change(GATEWAY, (g) => (g.kind = kind)),
            });
            assert.strictEqual(out.violations.length, 1, kind);
        }
        const x = await runResource(disallowIngressAndGateway, { type: "kubernetes:gateway.networking.x-k8s.io/v1alpha1:XListenerSet", name: "l", props: GATEWAY });
        assert.strictEqual(x.violations.length, 1, "XListenerSet");
        const grant = await runResource(disallowIngressAndGateway, { type: "kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant", name: "g", props: GATEWAY });
        assert.deepStrictEqual(grant, { violations: [] }, "a ReferenceGrant publishes nothing");
    });

    it("rejects a core LoadBalancer Service made with CustomResource (apiVersion v1: token kubernetes:v1:Service, or the overlay token)", async () => {
        const lb = change(service, (s) => (s.spec.type = "LoadBalancer"));
        for (const type of ["kubernetes:v1:Service", OVERLAY]) {
            const out = await runResource(disallowLoadBalancerService, { type, name: "prometheus", props: lb });
            assert.strictEqual(out.violations.length, 1, type);
            assert.match(out.violations[0].message, /^Service 'monitoring\/prometheus' /, type);
        }
    });

    it("rejects a hostPort in a Deployment carrying the overlay token", async () => {
        const props = change(deployment, (d) => Object.assign(d.spec.template.spec.containers[0].ports[0], { hostPort: 9090 }));
        const out = await runResource(disallowHostNetworkAndPorts, { type: OVERLAY, name: "prometheus", props });
        assert.strictEqual(out.violations.length, 1);
        assert.match(out.violations[0].message, /^Deployment 'monitoring\/prometheus' container 'prometheus' sets spec\.template\.spec\.containers\[0\]\.ports\[0\]\.hostPort: 9090/);
    });
});
