import * as assert from "assert";
import { disallowExposingCustomResources } from "../../policy/rules";
import { UNKNOWN, change, runResource, urnOf } from "./helpers/engine";
import { meshVirtualService, openshiftRoute, privateKnativeService } from "./fixtures";

const rule = disallowExposingCustomResources;
const VS = "kubernetes:networking.istio.io/v1:VirtualService";
const KSVC = "kubernetes:serving.knative.dev/v1:Service";
const ROUTE = "kubernetes:route.openshift.io/v1:Route";
const FIX = "Fix: remove it and publish the workload as a Ziti service (Bind policy for its identity)";

function cr(apiVersion: string, kind: string, name = "public", spec: Record<string, unknown> = {}) {
    return { apiVersion, kind, metadata: { namespace: "edge", name }, spec };
}

describe("policy: exposure APIs as custom resources (rule 4, disallow-exposing-custom-resources)", () => {
    describe("compliant baselines", () => {
        it("accepts a VirtualService for the sidecars only (no gateways, or only mesh)", async () => {
            assert.deepStrictEqual(await runResource(rule, { type: VS, name: "p", props: meshVirtualService }), { violations: [] });
            const meshOnly = change(meshVirtualService, (v) => {
                v.spec.gateways = ["mesh"];
                v.spec.http = [{ match: [{ gateways: ["mesh"] }], route: [] }];
            });
            assert.deepStrictEqual(await runResource(rule, { type: VS, name: "p", props: meshOnly }), { violations: [] });
        });

        it("accepts a Knative Service labelled networking.knative.dev/visibility: cluster-local", async () => {
            assert.deepStrictEqual(await runResource(rule, { type: KSVC, name: "r", props: privateKnativeService }), { violations: [] });
        });

        it("ignores kinds that expose nothing (a Traefik Middleware, a ConfigMap)", async () => {
            const mw = await runResource(rule, { type: "kubernetes:traefik.io/v1alpha1:Middleware", name: "m", props: cr("traefik.io/v1alpha1", "Middleware") });
            assert.deepStrictEqual(mw, { violations: [] });
            const cm = await runResource(rule, { type: "kubernetes:core/v1:ConfigMap", name: "c", props: { metadata: { name: "c" } } });
            assert.deepStrictEqual(cm, { violations: [] });
        });
    });

    describe("exposures", () => {
        it("rejects an OpenShift Route, naming the resource and the fix", async () => {
            const out = await runResource(rule, { type: ROUTE, name: "prometheus", props: openshiftRoute });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Route 'monitoring/prometheus' is a route.openshift.io Route, which publishes workloads to the network through the OpenShift router. " +
                    `${FIX}, or allow-list 'monitoring/prometheus'.`,
            ]);
        });

        it("rejects Traefik IngressRoute/-TCP/-UDP in both API groups, a Contour HTTPProxy, an Istio Gateway and a Knative DomainMapping", async () => {
            const cases: [string, string, string][] = [
                ["traefik.io/v1alpha1", "IngressRoute", "Traefik"],
                ["traefik.io/v1alpha1", "IngressRouteTCP", "Traefik"],
                ["traefik.io/v1alpha1", "IngressRouteUDP", "Traefik"],
                ["traefik.containo.us/v1alpha1", "IngressRoute", "Traefik"],
                ["projectcontour.io/v1", "HTTPProxy", "Contour"],
                ["networking.istio.io/v1beta1", "Gateway", "an Istio ingress gateway"],
                ["serving.knative.dev/v1beta1", "DomainMapping", "the Knative ingress (a custom domain)"],
            ];
            for (const [apiVersion, kind, via] of cases) {
                const out = await runResource(rule, { type: `kubernetes:${apiVersion}:${kind}`, name: "x", props: cr(apiVersion, kind) });
                assert.deepStrictEqual(out.violations.map((v) => v.message), [
                    `${kind} 'edge/public' is a ${apiVersion.split("/")[0]} ${kind}, which publishes workloads to the network through ${via}. ` +
                        `${FIX}, or allow-list 'edge/public'.`,
                ], kind);
            }
        });

        it("rejects a VirtualService bound to a gateway, in spec.gateways or in a route's match", async () => {
            const top = change(meshVirtualService, (v) => (v.spec.gateways = ["mesh", "istio-system/public-gateway"]));
            const out = await runResource(rule, { type: VS, name: "p", props: top });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "VirtualService 'monitoring/prometheus' is a networking.istio.io VirtualService, which publishes workloads to the network through an Istio gateway " +
                    `(spec.gateways[1]: istio-system/public-gateway). ${FIX}, or allow-list 'monitoring/prometheus'.`,
            ]);
            const inMatch = change(meshVirtualService, (v) => (v.spec.tcp = [{ match: [{ port: 9090 }, { gateways: ["public-gateway"] }], route: [] }]));
            const out2 = await runResource(rule, { type: VS, name: "p", props: inMatch });
            assert.match(out2.violations[0].message, /through an Istio gateway \(spec\.tcp\[0\]\.match\[1\]\.gateways\[0\]: public-gateway\)/);
        });

        it("rejects a Knative Service without the cluster-local label, and says how to keep it private", async () => {
            const pub = change(privateKnativeService, (s) => (s.metadata.labels = {}));
            const out = await runResource(rule, { type: KSVC, name: "r", props: pub });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Service 'monitoring/reflect' is a serving.knative.dev Service, which publishes workloads to the network through the Knative ingress. " +
                    `${FIX}, or keep it private (set metadata.labels["networking.knative.dev/visibility"]: cluster-local), or allow-list 'monitoring/reflect'.`,
            ]);
            const wrongValue = change(privateKnativeService, (s) => (s.metadata.labels["networking.knative.dev/visibility"] = "public"));
            assert.strictEqual((await runResource(rule, { type: KSVC, name: "r", props: wrongValue })).violations.length, 1);
        });

        it("names the component that rendered it (yaml/v2 ConfigGroup) and checks the items of a list", async () => {
            const parent = urnOf("kubernetes:yaml/v2:ConfigGroup", "edge");
            const out = await runResource(rule, { type: ROUTE, name: "edge:monitoring/prometheus", props: openshiftRoute, parent });
            assert.match(out.violations[0].message, /^Route 'monitoring\/prometheus' \(rendered by kubernetes:yaml\/v2:ConfigGroup 'edge'\) is a route\.openshift\.io Route/);
            const list = await runResource(rule, {
                type: "kubernetes:route.openshift.io/v1:RouteList",
                name: "routes",
                props: { apiVersion: "route.openshift.io/v1", kind: "RouteList", items: [openshiftRoute] },
            });
            assert.match(list.violations[0].message, /^RouteList 'default\/routes' \(items\[0\]\) is a route\.openshift\.io Route/);
        });
    });

    describe("CustomResource shapes", () => {
        it("judges the CustomResource overlay token by its apiVersion/kind props", async () => {
            const out = await runResource(rule, { type: "kubernetes:apiextensions.k8s.io:CustomResource", name: "prometheus", props: openshiftRoute });
            assert.match(out.violations[0].message, /^Route 'monitoring\/prometheus' is a route\.openshift\.io Route/);
        });

        it("says the overlay token could not be checked while its kind is unknown", async () => {
            const props = change(openshiftRoute, (r) => (r.kind = UNKNOWN));
            const out = await runResource(rule, { type: "kubernetes:apiextensions.k8s.io:CustomResource", name: "prometheus", props });
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    "CustomResource 'monitoring/prometheus' could not be checked by disallow-exposing-custom-resources: kind is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
        });
    });

    describe("config", () => {
        it("accepts an allow-listed exception", async () => {
            const out = await runResource(rule, { type: ROUTE, name: "prometheus", props: openshiftRoute, config: { allowlist: ["monitoring/prometheus"] } });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("checks a team's own kinds from additionalExposureKinds, with their conditions, and keeps the defaults", async () => {
            const config = {
                additionalExposureKinds: [
                    { group: "getambassador.io", kind: "Mapping", via: "Emissary", privateWhen: [{ path: 'metadata.annotations["example.com/internal"]', equals: "true" }] },
                ],
            };
            const mapping = cr("getambassador.io/v3alpha1", "Mapping");
            const type = "kubernetes:getambassador.io/v3alpha1:Mapping";
            assert.deepStrictEqual(await runResource(rule, { type, name: "m", props: mapping }), { violations: [] }, "not a default kind");
            const out = await runResource(rule, { type, name: "m", props: mapping, config });
            assert.match(out.violations[0].message, /^Mapping 'edge\/public' is a getambassador\.io Mapping, which publishes workloads to the network through Emissary\./);
            const internal = change(mapping, (m) => Object.assign(m.metadata, { annotations: { "example.com/internal": "true" } }));
            assert.deepStrictEqual(await runResource(rule, { type, name: "m", props: internal, config }), { violations: [] });
            assert.strictEqual((await runResource(rule, { type: ROUTE, name: "p", props: openshiftRoute, config })).violations.length, 1, "defaults kept");
        });

        it("does not ask about privateWhen when exposedWhen is known not to hold", async () => {
            const config = {
                exposureKinds: [{
                    group: "example.com", kind: "Publisher", via: "the example edge",
                    exposedWhen: [{ path: "spec.public", equals: true }],
                    privateWhen: [{ path: 'metadata.labels["example.com/private"]', equals: "yes" }],
                }],
            };
            const type = "kubernetes:example.com/v1:Publisher";
            const props = (pub: unknown, label: unknown) => ({ ...cr("example.com/v1", "Publisher", "p", { public: pub }), metadata: { namespace: "edge", name: "p", labels: { "example.com/private": label } } });
            assert.deepStrictEqual(await runResource(rule, { type, name: "p", props: props(false, UNKNOWN), config }), { violations: [] });
            const open = await runResource(rule, { type, name: "p", props: props(UNKNOWN, UNKNOWN), config });
            assert.match(open.couldNotBeChecked ?? "", /: spec\.public, metadata\.labels\["example\.com\/private"\] are not known during preview/);
            const exposedUnlessPrivate = await runResource(rule, { type, name: "p", props: props(true, UNKNOWN), config });
            assert.match(exposedUnlessPrivate.couldNotBeChecked ?? "", /: metadata\.labels\["example\.com\/private"\] is not known during preview/);
            assert.strictEqual((await runResource(rule, { type, name: "p", props: props(true, "no"), config })).violations.length, 1);
        });

        it("replaces the defaults when exposureKinds is set", async () => {
            const config = { exposureKinds: [{ group: "projectcontour.io", kind: "HTTPProxy", via: "Contour" }] };
            assert.deepStrictEqual(await runResource(rule, { type: ROUTE, name: "p", props: openshiftRoute, config }), { violations: [] });
        });
    });

    describe("values unknown at preview", () => {
        it("says it could not be checked when the Knative visibility label is unknown", async () => {
            const props = change(privateKnativeService, (s) => (s.metadata.labels["networking.knative.dev/visibility"] = UNKNOWN));
            const out = await runResource(rule, { type: KSVC, name: "r", props });
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    'Service \'monitoring/reflect\' could not be checked by disallow-exposing-custom-resources: metadata.labels["networking.knative.dev/visibility"] is not known during preview; ' +
                    "it is checked again when the value is known (pulumi up).",
            });
        });

        it("says it could not be checked when a VirtualService's gateways are unknown, and still reports a known binding", async () => {
            const unknownList = change(meshVirtualService, (v) => (v.spec.gateways = UNKNOWN));
            const out = await runResource(rule, { type: VS, name: "p", props: unknownList });
            assert.deepStrictEqual(out.violations, []);
            assert.match(out.couldNotBeChecked ?? "", /disallow-exposing-custom-resources: spec\.gateways is not known during preview/);
            const oneKnown = change(meshVirtualService, (v) => (v.spec.gateways = [UNKNOWN, "public-gateway"]));
            const out2 = await runResource(rule, { type: VS, name: "p", props: oneKnown });
            assert.strictEqual(out2.violations.length, 1);
        });
    });
});
