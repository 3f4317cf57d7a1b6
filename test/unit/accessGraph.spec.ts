// The dial/bind picture of the summary (scripts/lib/accessGraph.ts): the graph from controller-shaped
// lists, its Mermaid and DOT text, and the SVG Graphviz (WebAssembly) lays out from it.
import * as assert from "assert";
import { accessGraph, renderSvg, toDot, toMermaid } from "../../scripts/lib/accessGraph";

/** What the Management API lists for a dark cluster with its Kubernetes API service (ids as the controller gives them). */
const input = {
    identities: [
        { id: "i1", name: "kubeB.prometheus.id", roleAttributes: ["reflectz-clients", "prometheus-clients"] },
        { id: "i2", name: "kubeB.ziti.id", roleAttributes: [] },
        { id: "i3", name: "ops.admin", roleAttributes: null },
        { id: "i4", name: "central.prometheus.id", roleAttributes: ["prometheus-clients"] },
    ],
    services: [
        { id: "s1", name: "kubeB.prometheus.svc" },
        { id: "s2", name: "kubeB.k8s.svc" },
        { id: "s9", name: "someone.elses.svc" },
    ],
    policies: [
        { name: "kubeB.prometheus.bind", type: "Bind" as const, identityRoles: ["@i1"], serviceRoles: ["@s1"] },
        { name: "kubeB.prometheus.dial", type: "Dial" as const, identityRoles: ["#prometheus-clients"], serviceRoles: ["@s1"] },
        { name: "kubeB.k8s.bind", type: "Bind" as const, identityRoles: ["@i2"], serviceRoles: ["@s2"] },
        { name: "kubeB.k8s.dial", type: "Dial" as const, identityRoles: ["@i3"], serviceRoles: ["@s2"] },
        { name: "other.dial", type: "Dial" as const, identityRoles: ["#all"], serviceRoles: ["@s9"] },
    ],
};

describe("access graph (summary picture)", function () {
    const g = accessGraph(input, ["kubeB.prometheus.svc", "kubeB.k8s.svc"]);

    it("draws each grant on the stack's services, attributes expanded to the identities holding them", function () {
        const edges = g.edges.map((e) => `${e.from} ${e.kind} ${e.to}${e.label ? ` (${e.label})` : ""}`).sort();
        assert.deepStrictEqual(edges, [
            "attr_prometheus_clients Dial svc_kubeB_prometheus_svc (kubeB.prometheus.dial)",
            "id_central_prometheus_id holds attr_prometheus_clients",
            "id_kubeB_prometheus_id Bind svc_kubeB_prometheus_svc (kubeB.prometheus.bind)",
            "id_kubeB_prometheus_id holds attr_prometheus_clients",
            "id_kubeB_ziti_id Bind svc_kubeB_k8s_svc (kubeB.k8s.bind)",
            "id_ops_admin Dial svc_kubeB_k8s_svc (kubeB.k8s.dial)",
        ]);
        assert.ok(!g.nodes.some((n) => n.label === "someone.elses.svc"), "another stack's service is not drawn");
        assert.deepStrictEqual(g.nodes.filter((n) => n.kind === "k8sService").map((n) => n.label), ["kubeB.k8s.svc"]);
    });

    it("writes Mermaid with the Kubernetes API service marked and Bind dashed", function () {
        const m = toMermaid(g);
        assert.ok(m.startsWith("flowchart LR\n"));
        assert.match(m, /svc_kubeB_k8s_svc\[\["kubeB\.k8s\.svc \(Kubernetes API\)"\]\]/);
        assert.match(m, /id_ops_admin -- "dial: kubeB\.k8s\.dial" --> svc_kubeB_k8s_svc/);
        assert.match(m, /id_kubeB_ziti_id -\. "bind: kubeB\.k8s\.bind" \.-> svc_kubeB_k8s_svc/);
        assert.match(m, /class svc_kubeB_k8s_svc k8s$/m);
    });

    it("renders an SVG with Graphviz that shows every node and marks the API service", async function () {
        this.timeout(30000);
        // Graphviz writes some characters as numeric entities (# as &#35;): compare the decoded text.
        const svg = (await renderSvg(toDot(g, "stack kubeB"))).replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n)));
        assert.match(svg, /^<\?xml[^]*<svg[^]*<\/svg>\s*$/);
        for (const label of ["kubeB.prometheus.svc", "kubeB.k8s.svc", "Kubernetes API", "ops.admin", "#prometheus-clients", "dial: kubeB.k8s.dial", "bind: kubeB.k8s.bind"]) {
            assert.ok(svg.includes(label), `the SVG shows ${label}`);
        }
        assert.match(svg, /fill="#fde2e1"/, "the API service is filled in its own colour");
    });

    it("draws #all as one node for every identity", function () {
        const all = accessGraph(input, ["someone.elses.svc"]);
        assert.deepStrictEqual(all.nodes.map((n) => n.label), ["someone.elses.svc", "#all (every identity)"]);
    });
});
