// One function lists every place's Ziti entities (issue 25): each cluster and the central Prometheus as the stack's
// flavor plans them, the human clients and the Kubernetes API admins. What needs the program's entity names derives
// from it: the config's admin-name clash check (config/parse.ts), the tests (test/unit/places.spec.ts).
// The resource layer makes the same lists (components/zitiEntities.ts asks the flavor through the same seam).
import { flavorNamed } from "../flavors";
import type { ClusterServiceNames } from "./names";
import type { ZitiEntity } from "./types";

/** What the listing needs of a validated stack config (config/types.ts ScrapeAnywhereConfig fits). */
export interface StackPlaces {
    flavor: string;
    clusters: { name: string; kind: "hybrid" | "dark"; namespace: string; serviceNames: ClusterServiceNames }[];
    central?: { name: string; placement: "kubernetes" | "docker"; namespace: string };
    clientIdentities: string[];
    kubernetesApi: boolean;
    kubernetesAdmins: string[];
    edgeRouterRoles: string[];
}

/** Every place's Ziti entities by place name (clusters, central, `clients`, `k8s-admins`), in creation order. */
export function placeZitiEntities(s: StackPlaces): Record<string, ZitiEntity[]> {
    const flavor = flavorNamed(s.flavor);
    const out: Record<string, ZitiEntity[]> = {};
    for (const c of s.clusters) {
        out[c.name] = flavor.zitiEntities({
            kind: c.kind, resourcePrefix: c.name, name: c.name, namespace: c.namespace, serviceNames: c.serviceNames, images: {}, scrapeInterval: "",
            edgeRouterRoles: s.edgeRouterRoles, ...(s.kubernetesApi ? { kubernetesApi: { serviceName: `${c.name}.k8s.svc` } } : {}),
        });
    }
    if (s.central) {
        out[s.central.name] = flavor.zitiEntities({
            kind: "central", resourcePrefix: s.central.name, name: s.central.name, placement: s.central.placement, namespace: s.central.namespace,
            images: {}, scrapeInterval: "", federationMatch: [], edgeRouterRoles: s.edgeRouterRoles,
        });
    }
    out.clients = s.clientIdentities.map(n => ({ kind: "Identity" as const, resourceName: `clients-${n}`, name: n, type: "User" as const }));
    out["k8s-admins"] = s.kubernetesAdmins.map(n => ({ kind: "Identity" as const, resourceName: `k8s-admins-${n}`, name: n, type: "User" as const, enroll: false }));
    return out;
}

/** The names of the identities the program makes for workloads and clients (everything but the admins). */
export function programIdentityNames(s: StackPlaces): Set<string> {
    const places = placeZitiEntities({ ...s, kubernetesAdmins: [] });
    return new Set(Object.values(places).flat().filter(e => e.kind === "Identity").map(e => e.name));
}
