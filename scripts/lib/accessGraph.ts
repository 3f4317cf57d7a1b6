// Who may dial and bind what on a Ziti network, for one stack's services: a small graph model built
// from the controller's own lists (identities, services, service policies), written as Mermaid text
// (to paste into docs) and as Graphviz DOT, rendered to SVG with @viz-js/viz (Graphviz compiled to
// WebAssembly: no system package, works offline).
//
// Nodes: identities, the role attributes that policies name (`#prometheus-clients`, with an edge from
// each identity holding it), and services; the Kubernetes API services (DESIGN 4c) are marked. Edges:
// a Dial or Bind grant, labelled with the policy's name. `#all` is drawn as one node, "every identity".

/** The parts of the controller's entities the graph reads (Management API list items). */
export interface GraphInput {
    identities: { id: string; name: string; roleAttributes?: string[] | null }[];
    services: { id: string; name: string; roleAttributes?: string[] | null }[];
    policies: { name: string; type: "Dial" | "Bind"; identityRoles: string[]; serviceRoles: string[] }[];
}

export type NodeKind = "identity" | "attribute" | "service" | "k8sService";

export interface GraphNode {
    id: string;
    label: string;
    kind: NodeKind;
}

export interface GraphEdge {
    from: string;
    to: string;
    /** `Dial` / `Bind` grant (labelled with the policy), or `holds` (identity -> its attribute). */
    kind: "Dial" | "Bind" | "holds";
    label?: string;
}

export interface AccessGraph {
    nodes: GraphNode[];
    edges: GraphEdge[];
}

/** A name as a node id both Mermaid and DOT accept. */
function nodeId(prefix: string, name: string): string {
    return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/**
 * The graph of the grants on `serviceNames` (this stack's services). `isKubernetesApi` marks the API
 * services (default: names ending in `.k8s.svc`).
 */
export function accessGraph(input: GraphInput, serviceNames: string[], isKubernetesApi: (name: string) => boolean = (n) => /\.k8s\.svc$/.test(n)): AccessGraph {
    const nodes = new Map<string, GraphNode>();
    const edges: GraphEdge[] = [];
    const seen = new Set<string>();
    const edge = (e: GraphEdge) => {
        const k = `${e.from}|${e.to}|${e.kind}|${e.label ?? ""}`;
        if (!seen.has(k)) { seen.add(k); edges.push(e); }
    };
    const identityById = new Map(input.identities.map((i) => [i.id, i]));
    const services = input.services.filter((s) => serviceNames.includes(s.name));
    for (const s of services) nodes.set(nodeId("svc", s.name), { id: nodeId("svc", s.name), label: s.name, kind: isKubernetesApi(s.name) ? "k8sService" : "service" });

    const identityNode = (name: string) => {
        const id = nodeId("id", name);
        if (!nodes.has(id)) nodes.set(id, { id, label: name, kind: "identity" });
        return id;
    };
    const attributeNode = (attr: string) => {
        const id = nodeId("attr", attr);
        if (!nodes.has(id)) {
            nodes.set(id, { id, label: attr === "all" ? "#all (every identity)" : `#${attr}`, kind: "attribute" });
            if (attr !== "all") {
                for (const i of input.identities.filter((i) => (i.roleAttributes ?? []).includes(attr))) edge({ from: identityNode(i.name), to: id, kind: "holds" });
            }
        }
        return id;
    };

    for (const p of input.policies) {
        const targets = services.filter((s) => p.serviceRoles.some((r) =>
            r === "#all" || r === `@${s.id}` || r === `@${s.name}` || (r.startsWith("#") && (s.roleAttributes ?? []).includes(r.slice(1)))));
        if (!targets.length) continue;
        for (const role of p.identityRoles) {
            let from: string | undefined;
            if (role.startsWith("@")) {
                const ref = role.slice(1);
                from = identityNode(identityById.get(ref)?.name ?? ref);
            } else if (role.startsWith("#")) {
                from = attributeNode(role.slice(1));
            }
            if (!from) continue;
            for (const s of targets) edge({ from, to: nodeId("svc", s.name), kind: p.type, label: p.name });
        }
    }
    // Stable output: services, attributes, identities, each sorted by label.
    const order: NodeKind[] = ["k8sService", "service", "attribute", "identity"];
    const sorted = [...nodes.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.label.localeCompare(b.label));
    const rank = { holds: 0, Bind: 1, Dial: 2 };
    edges.sort((a, b) => rank[a.kind] - rank[b.kind] || a.to.localeCompare(b.to) || a.from.localeCompare(b.from));
    return { nodes: sorted, edges };
}

const quote = (s: string) => s.replace(/"/g, "'");

/** Mermaid `flowchart LR` text of the graph. */
export function toMermaid(g: AccessGraph): string {
    const lines = ["flowchart LR"];
    for (const n of g.nodes) {
        const label = quote(n.label);
        lines.push(`    ${n.id}${n.kind === "identity" ? `(["${label}"])` : n.kind === "attribute" ? `{{"${label}"}}` : n.kind === "k8sService" ? `[["${label} (Kubernetes API)"]]` : `["${label}"]`}`);
    }
    for (const e of g.edges) {
        if (e.kind === "holds") lines.push(`    ${e.from} --- ${e.to}`);
        else if (e.kind === "Dial") lines.push(`    ${e.from} -- "dial: ${quote(e.label ?? "")}" --> ${e.to}`);
        else lines.push(`    ${e.from} -. "bind: ${quote(e.label ?? "")}" .-> ${e.to}`);
    }
    lines.push("    classDef k8s fill:#fde2e1,stroke:#c0392b,stroke-width:2px");
    const k8s = g.nodes.filter((n) => n.kind === "k8sService").map((n) => n.id);
    if (k8s.length) lines.push(`    class ${k8s.join(",")} k8s`);
    return lines.join("\n");
}

/** Graphviz DOT text of the graph (`title` as its label). */
export function toDot(g: AccessGraph, title: string): string {
    const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
    const lines = [
        "digraph access {",
        `  graph [rankdir=LR, fontname="Helvetica", label="${esc(title)}", labelloc=t];`,
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ];
    for (const n of g.nodes) {
        const attrs = n.kind === "identity" ? 'shape=ellipse'
            : n.kind === "attribute" ? 'shape=hexagon, style=filled, fillcolor="#eef3fb"'
                : n.kind === "k8sService" ? 'shape=box, style="filled,bold", fillcolor="#fde2e1", color="#c0392b", peripheries=2'
                    : 'shape=box, style=filled, fillcolor="#eaf7ea"';
        const label = n.kind === "k8sService" ? `${n.label}\\nKubernetes API` : esc(n.label);
        lines.push(`  ${n.id} [label="${label}", ${attrs}];`);
    }
    for (const e of g.edges) {
        if (e.kind === "holds") lines.push(`  ${e.from} -> ${e.to} [arrowhead=none, style=dotted, color=gray50];`);
        else lines.push(`  ${e.from} -> ${e.to} [label="${e.kind.toLowerCase()}: ${esc(e.label ?? "")}"${e.kind === "Bind" ? ", style=dashed, color=\"#1f6f3f\"" : ", color=\"#1d4f91\""}];`);
    }
    lines.push("}");
    return lines.join("\n");
}

/** SVG of DOT text, laid out by Graphviz (@viz-js/viz 3.x: `instance()`, `renderString(dot, {format: "svg"})`). */
export async function renderSvg(dot: string): Promise<string> {
    const { instance } = await import("@viz-js/viz");
    const viz = await instance();
    return viz.renderString(dot, { format: "svg" });
}
