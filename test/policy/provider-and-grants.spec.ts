// Issue 23: the dark cluster followed by the resource's provider as well as its parents, and Ziti grants:
// Bind for #all identities or #all services, Ziti policies recognised by shape under any token.
import * as assert from "assert";
import { disallowBindAllIdentities, disallowBindAllServices, disallowDialEveryStackService, disallowServiceInDarkCluster, requireExplicitBindIdentities } from "../../policy/rules";
import { StackResourceInput, change, runResource, runStack } from "./helpers/engine";
import { bindPolicy, ingress, service } from "./fixtures";

const DARK = "scrape-anywhere:cluster:DarkCluster";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const messages = (out: { violations: { message: string }[] }) => out.violations.map((v) => v.message);

/** A DarkCluster whose Deployment uses provider `dark` (made inside it), and provider `light` outside. */
function baseline(): StackResourceInput[] {
    return [
        { type: "pulumi:pulumi:Stack", name: "dev" },
        { type: DARK, name: "kubeB", parent: 0 },
        { type: K8S_PROVIDER, name: "kubeB-k8s", parent: 1 },
        { type: "kubernetes:apps/v1:Deployment", name: "kubeB-prometheus", parent: 1, provider: 2, props: { metadata: { namespace: "monitoring", name: "prometheus" } } },
        { type: K8S_PROVIDER, name: "light", parent: 0 },
        { type: "kubernetes:core/v1:Service", name: "light-svc", parent: 0, provider: 4, props: service },
    ];
}

describe("policy: the dark cluster by provider, not only by parent (issue 23, disallow-service-in-dark-cluster)", () => {
    it("accepts a Service made with another cluster's provider", async () => {
        assert.deepStrictEqual(await runStack(disallowServiceInDarkCluster, baseline()), { violations: [] });
    });

    it("rejects a Service outside the DarkCluster made with the provider created inside it", async () => {
        const stack = [...baseline(), { type: "kubernetes:core/v1:Service", name: "stray", parent: 0, provider: 2, props: service }];
        assert.deepStrictEqual(messages(await runStack(disallowServiceInDarkCluster, stack)), [
            "Service 'monitoring/prometheus' is created outside DarkCluster 'kubeB' but with its Kubernetes provider 'kubeB-k8s', so it lands in that dark cluster all the same; " +
                "a dark cluster has no Kubernetes Service, Ingress or Gateway at all. Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("rejects an Ingress made with a provider passed into the DarkCluster from outside (a resource inside uses it)", async () => {
        const stack = baseline();
        stack[3].provider = 4; // the DarkCluster's Deployment uses `light`: so `light` points at the dark cluster
        const out = messages(await runStack(disallowServiceInDarkCluster, [...stack, { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "ing", parent: 0, provider: 4, props: ingress }]));
        assert.deepStrictEqual(out, ["Service", "Ingress"].map((kind) =>
            `${kind} 'monitoring/prometheus' is created outside DarkCluster 'kubeB' but with its Kubernetes provider 'light', so it lands in that dark cluster all the same; ` +
                "a dark cluster has no Kubernetes Service, Ingress or Gateway at all. Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'monitoring/prometheus'."));
    });

    it("rejects a Gateway API Gateway with the dark provider, and ignores a ServicePatch", async () => {
        const gw = { metadata: { namespace: "edge", name: "public" }, spec: { gatewayClassName: "eg", listeners: [] } };
        const stack = [...baseline(),
            { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", name: "gw", parent: 0, provider: 2, props: gw },
            { type: "kubernetes:core/v1:ServicePatch", name: "patch", parent: 0, provider: 2, props: service }];
        assert.deepStrictEqual(messages(await runStack(disallowServiceInDarkCluster, stack)), [
            "Gateway 'edge/public' is created outside DarkCluster 'kubeB' but with its Kubernetes provider 'kubeB-k8s', so it lands in that dark cluster all the same; " +
                "a dark cluster has no Kubernetes Service, Ingress or Gateway at all. Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'edge/public'.",
        ]);
    });
});

const bindAll = change(bindPolicy, (p) => (p.identityRoles = ["#all"]));
/**
 * The community provider's tokens: OSMIT-GmbH/pulumi-openziti registers `openziti:index:ServicePolicy` and
 * `openziti:index:Service` (sdk/go/openziti/servicePolicy.go, service.go), with the same input names as the
 * Management API (provider/ziti_service_policy.go ServicePolicyArgs: identityRoles, serviceRoles, semantic, type;
 * ziti_service.go ServiceArgs: configs, encryptionRequired, roleAttributes, terminatorStrategy).
 */
const OPENZITI_POLICY = "openziti:index:ServicePolicy";
const OPENZITI_SERVICE = "openziti:index:Service";
const EVERY_SERVICE_MESSAGE = "Ziti ServicePolicy 'd' selects every Ziti service of the stack (a, b) through #metrics (AnyOf), so its identities may dial them all, and any service that later gets the attribute. " +
    "Fix: name the services the clients need (@<service name>) or use an attribute only those carry, or allow-list 'ziti/d'.";

describe("policy: Ziti Bind grants and policies by shape (issue 23)", () => {
    it("accepts the baseline Bind policy", async () => {
        for (const rule of [disallowBindAllIdentities, disallowBindAllServices]) {
            assert.deepStrictEqual(await runResource(rule, { type: "pulumi-nodejs:dynamic/ziti:ServicePolicy", name: "b", props: bindPolicy }), { violations: [] });
        }
    });

    it("refuses a Bind for #all identities under the project's token, the SDK's default dynamic token and a community openziti token", async () => {
        for (const type of ["pulumi-nodejs:dynamic/ziti:ServicePolicy", "pulumi-nodejs:dynamic:Resource", OPENZITI_POLICY]) {
            assert.deepStrictEqual(messages(await runResource(disallowBindAllIdentities, { type, name: "b", props: bindAll })), [
                "Ziti ServicePolicy 'kubeA.reflect.bind' lets every identity (#all) bind (host) [@kubeA.reflect.svc], so any identity could receive the traffic its clients send. " +
                    "Fix: name the hosting identities (@<identity name>), or allow-list 'ziti/kubeA.reflect.bind'.",
            ], type);
        }
        // The advisory attribute rule leaves #all to the mandatory one.
        assert.deepStrictEqual(await runResource(requireExplicitBindIdentities, { type: "pulumi-nodejs:dynamic:Resource", name: "b", props: bindAll }), { violations: [] });
    });

    it("refuses a Bind of #all services, also with AllOf and other roles next to it", async () => {
        const props = change(bindPolicy, (p) => Object.assign(p, { semantic: "AllOf", serviceRoles: ["#all", "#metrics"] }));
        assert.deepStrictEqual(messages(await runResource(disallowBindAllServices, { type: "pulumi-nodejs:dynamic:Resource", name: "b", props })), [
            "Ziti ServicePolicy 'kubeA.reflect.bind' lets [@kubeA.reflect.id] bind (host) every service (#all) on the network, including services created later " +
                "(#metrics next to #all narrow nothing; the controller refuses #all with other roles). Fix: list the services they host (@<service name>), or allow-list 'ziti/kubeA.reflect.bind'.",
        ]);
    });

    it("does not take a Kubernetes object or a policy without role lists for a Ziti policy", async () => {
        const notAPolicy = { type: "Bind", identityRoles: ["#all"] }; // no serviceRoles: not the shape
        assert.deepStrictEqual(await runResource(disallowBindAllIdentities, { type: "pulumi-nodejs:dynamic:Resource", name: "x", props: notAPolicy }), { violations: [] });
        assert.deepStrictEqual(await runResource(disallowBindAllIdentities, { type: "kubernetes:example.com/v1:Thing", name: "x", props: bindAll }), { violations: [] });
    });

    it("matches stack services and Dial policies by shape in the stack rules", async () => {
        const svc = (name: string, type: string) => ({ type, name, props: { name, roleAttributes: ["metrics"], configs: [], encryptionRequired: true } });
        const dial = { type: OPENZITI_POLICY, name: "d", props: { name: "d", type: "Dial", semantic: "AnyOf", serviceRoles: ["@a"], identityRoles: ["#clients"] } };
        const stack = [svc("a", "pulumi-nodejs:dynamic:Resource"), svc("b", OPENZITI_SERVICE), dial];
        assert.deepStrictEqual(await runStack(disallowDialEveryStackService, stack), { violations: [] });
        const every = change(dial, (d) => (d.props.serviceRoles = ["#metrics"]));
        assert.deepStrictEqual(messages(await runStack(disallowDialEveryStackService, [stack[0], stack[1], every])), [EVERY_SERVICE_MESSAGE]);
    });
});
