// The upstream flavor's NetworkPolicies as data (flavors/upstream/networkPolicies.ts), from the flavor's own answer
// for each place, and scrape-anywhere:networkPolicy's parsing. That the policies are enforced, and what they refuse in
// running pods, is tier flavor's (test/flavor/networkPolicy.spec.ts).
import * as assert from "assert";
import { parseConfig } from "../../config";
import { FLAVORS } from "../../flavors";
import type { CentralPlace, ClusterPlace, KubernetesObject } from "../../flavors/types";

const ports = { zitiPorts: [1280, 3022], kubernetesApiPorts: [6443] };
const cluster = (kind: "hybrid" | "dark", kubernetesApi = false): ClusterPlace => ({
    kind, resourcePrefix: "kubeA", name: "kubeA", namespace: "monitoring", images: {}, scrapeInterval: "15s", edgeRouterRoles: ["#all"],
    serviceNames: { reflect: "kubeA.reflect.svc", reflectScrape: "kubeA.reflect.scrape.svc", prometheus: "kubeA.prometheus.svc" },
    networkPolicy: ports, ...(kubernetesApi ? { kubernetesApi: { serviceName: "kubeA.k8s.svc" } } : {}),
});
const central: CentralPlace = {
    kind: "central", resourcePrefix: "central", name: "central", placement: "kubernetes", namespace: "monitoring", images: {}, scrapeInterval: "15s",
    federationMatch: [], edgeRouterRoles: ["#all"], networkPolicy: ports,
};
const ids = new Proxy({}, { get: () => "{}" }) as Record<string, string>;

const objects = (place: ClusterPlace | CentralPlace): KubernetesObject[] =>
    (place.kind === "central" ? FLAVORS.upstream.centralKubernetes(place, "{}", ids) : FLAVORS.upstream.clusterWorkloads(place, "{}", ids)).flatMap(w => w.objects);
const policies = (place: ClusterPlace | CentralPlace) =>
    new Map(objects(place).filter(o => o.kind === "NetworkPolicy").map(o => [(o.args.metadata as { name: string }).name, o.args.spec as any]));
const podLabels = (place: ClusterPlace | CentralPlace) =>
    objects(place).filter(o => o.kind === "Deployment").map(o => (o.args.spec as any).template.metadata.labels as Record<string, string>);
const selects = (selector: { matchLabels?: Record<string, string> }, labels: Record<string, string>) =>
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
const DEFAULT_DENY_EGRESS = [
    { ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
    { ports: [{ protocol: "TCP", port: 1280 }, { protocol: "TCP", port: 3022 }] },
];

describe("upstream flavor: NetworkPolicies", function () {
    for (const place of [cluster("dark"), cluster("hybrid", true), central]) {
        it(`${place.kind}: default-deny selects every pod, lists both directions, no ingress, egress only DNS and the Ziti ports; made before any pod`, function () {
            const all = objects(place);
            const deny = policies(place).get("default-deny");
            assert.deepStrictEqual(deny, { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: DEFAULT_DENY_EGRESS });
            const firstPod = all.findIndex(o => o.kind === "Deployment");
            const lastPolicy = all.map(o => o.kind).lastIndexOf("NetworkPolicy");
            assert.ok(lastPolicy >= 0 && lastPolicy < firstPod, `policies first: ${all.map(o => o.kind).join(", ")}`);
        });
    }

    it("dark cluster and central: default-deny is the only policy (nothing may connect in, from anywhere)", function () {
        assert.deepStrictEqual([...policies(cluster("dark")).keys()], ["default-deny"]);
        assert.deepStrictEqual([...policies(central).keys()], ["default-deny"]);
    });

    it("hybrid cluster: only Prometheus' pod, only 9090, only from pods of the cluster (any namespace, no address block)", function () {
        const p = policies(cluster("hybrid")).get("prometheus-in-cluster");
        assert.deepStrictEqual(p.policyTypes, ["Ingress"]);
        assert.deepStrictEqual(p.ingress, [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 9090 }] }]);
        const selected = podLabels(cluster("hybrid")).filter(l => selects(p.podSelector, l));
        assert.deepStrictEqual(selected.map(l => l["app.kubernetes.io/name"]), ["prometheus"]);
    });

    it("the Kubernetes API's tunneler pod alone may also reach the API server's ports", function () {
        const p = policies(cluster("dark", true)).get("kubernetes-api-egress");
        assert.deepStrictEqual(p.egress, [{ ports: [{ protocol: "TCP", port: 6443 }] }]);
        const selected = podLabels(cluster("dark", true)).filter(l => selects(p.podSelector, l));
        assert.deepStrictEqual(selected.map(l => l["app.kubernetes.io/name"]), ["ziti-tunnel"]);
        assert.ok(!policies(cluster("dark")).has("kubernetes-api-egress"), "no API tunneler, no such policy");
    });

    it("the article flavor makes none (its walkthrough never had one: a waiver in test/upstream/checkov-waivers.json)", function () {
        const all = FLAVORS.article.clusterWorkloads(cluster("dark"), "{}", ids).flatMap(w => w.objects);
        assert.deepStrictEqual(all.filter(o => o.kind === "NetworkPolicy"), []);
    });
});

describe("scrape-anywhere:networkPolicy", function () {
    const dev = { clusters: [{ name: "kubeA", kind: "hybrid" }], central: { name: "central" } };
    it("defaults to 443 and the quickstart's ports, the API's 443 and 6443; one list given keeps the other's default", function () {
        assert.deepStrictEqual(parseConfig(dev, "dev").networkPolicy, { zitiPorts: [443, 1280, 3022], kubernetesApiPorts: [443, 6443] });
        assert.deepStrictEqual(parseConfig({ ...dev, networkPolicy: { zitiPorts: ["8443"] } }, "dev").networkPolicy,
            { zitiPorts: [8443], kubernetesApiPorts: [443, 6443] });
    });
    it("refuses a bad port, an empty list and an unknown field, naming the key", function () {
        assert.throws(() => parseConfig({ ...dev, networkPolicy: { zitiPorts: [70000] } }, "dev"), /networkPolicy\.zitiPorts.*TCP port/);
        assert.throws(() => parseConfig({ ...dev, networkPolicy: { zitiPorts: [] } }, "dev"), /networkPolicy\.zitiPorts.*non-empty list/);
        assert.throws(() => parseConfig({ ...dev, networkPolicy: { ziti: [443] } }, "dev"), /networkPolicy/);
    });
});
