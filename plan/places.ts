// One function lists every place's Ziti entities (issue 25): each cluster and the central Prometheus as the stack's
// flavor plans them, each cluster's Kubernetes API path, the human clients and the Kubernetes API admins. What needs
// the program's entity names derives from it: the config's admin-name clash check (config/parse.ts), the bench
// baselines (test/helpers/planEntities.ts), the tests (test/unit/places.spec.ts, which also checks that the program
// registers exactly these). The resource layer makes the same lists (components/zitiEntities.ts asks the flavor
// through the same seam).
import { flavorNamed } from "../flavors";
import { PROMETHEUS_CLIENTS, REFLECTZ_CLIENTS } from "../flavors/article/ziti";
import { kubernetesApiZitiEntities } from "./kubernetesApi";
import type { ClusterServiceNames } from "./names";
import type { RemoteWriteSpec, ZitiEntity } from "./types";

/** What the listing needs of a validated stack config (config/types.ts ScrapeAnywhereConfig fits). */
export interface StackPlaces {
    flavor: string;
    clusters: {
        name: string; kind: "hybrid" | "dark"; namespace: string; serviceNames: ClusterServiceNames;
        /** The cluster's API service and the admins that may dial it (config/parse.ts sets it when kubernetesApi is on). */
        kubernetesApi?: { serviceName: string; admins: string[] };
    }[];
    central?: { name: string; placement: "kubernetes" | "docker"; namespace: string };
    clientIdentities: string[];
    kubernetesApi: boolean;
    kubernetesAdmins: string[];
    edgeRouterRoles: string[];
    /** Collection by remote write: where the clusters write (config/collection.ts); absent = central federates. */
    remoteWrite?: RemoteWriteSpec;
}

/**
 * Every place's Ziti entities by place name (`clients`, `k8s-admins`, the clusters, central), in creation order: the
 * program makes the clients and the admins first (index.ts), and a cluster's API Dial policy names the admins. With
 * remote write, central's write Dial policy names the writers of this stack's clusters; a central stack's writers
 * come from its StackReferences, which the plan does not read (`writers` names them where a caller knows them).
 */
export function placeZitiEntities(s: StackPlaces, writers: string[] = []): Record<string, ZitiEntity[]> {
    const flavor = flavorNamed(s.flavor);
    const out: Record<string, ZitiEntity[]> = { clients: [], "k8s-admins": [] };
    const remoteWrite = s.remoteWrite ? { remoteWrite: s.remoteWrite } : {};
    for (const c of s.clusters) {
        const place = {
            kind: c.kind, resourcePrefix: c.name, name: c.name, namespace: c.namespace, serviceNames: c.serviceNames, images: {}, scrapeInterval: "",
            edgeRouterRoles: s.edgeRouterRoles, ...(s.kubernetesApi ? { kubernetesApi: { serviceName: `${c.name}.k8s.svc` } } : {}), ...remoteWrite,
        };
        out[c.name] = flavor.zitiEntities(place);
        const writer = flavor.clusterWrite?.(place)?.writer;
        if (writer) writers = [...writers, writer];
        // A hybrid cluster's tunneler identity, and a dark one's when the API path needs it, is made by the cluster
        // component before the flavor's entities (components/zitiEntities.ts createTunnelerIdentity): its resource
        // name and fields are that one's, wherever the flavor lists it (or first, when the flavor does not).
        if (c.kind === "hybrid" || (s.kubernetesApi && c.kubernetesApi)) {
            const tunneler: ZitiEntity = { kind: "Identity", resourceName: `${c.name}-ziti-id`, name: `${c.name}.ziti.id`, type: "Device" };
            const i = out[c.name].findIndex(e => e.kind === "Identity" && e.name === tunneler.name);
            if (i >= 0) out[c.name][i] = tunneler;
            else out[c.name].unshift(tunneler);
        }
        if (s.kubernetesApi && c.kubernetesApi) {
            out[c.name].push(...kubernetesApiZitiEntities({
                resourcePrefix: c.name, clusterName: c.name, serviceName: c.kubernetesApi.serviceName, tunnelerIdentity: `${c.name}.ziti.id`,
                admins: c.kubernetesApi.admins, edgeRouterRoles: s.edgeRouterRoles,
            }));
        }
    }
    if (s.central) {
        out[s.central.name] = flavor.zitiEntities({
            kind: "central", resourcePrefix: s.central.name, name: s.central.name, placement: s.central.placement, namespace: s.central.namespace,
            images: {}, scrapeInterval: "", federationMatch: [], edgeRouterRoles: s.edgeRouterRoles,
            ...(s.remoteWrite ? { remoteWrite: { spec: s.remoteWrite, writers } } : {}),
        });
    }
    // Human clients (un-enrolled `User`s with both client attributes, one edge router policy), made with a central
    // Prometheus only (index.ts).
    const clients = s.central ? s.clientIdentities : [];
    out.clients = clients.map(n => ({
        kind: "Identity" as const, resourceName: `clients-${n}`, name: n, type: "User" as const, roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS], enroll: false,
    }));
    if (clients.length) {
        out.clients.push({ kind: "EdgeRouterPolicy", resourceName: "clients-erp", name: "clients.edge-router-policy", semantic: "AnyOf",
            edgeRouterRoles: s.edgeRouterRoles, identityRoles: clients.map(n => `@${n}`) });
    }
    out["k8s-admins"] = s.kubernetesAdmins.map(n => ({ kind: "Identity" as const, resourceName: `k8s-admins-${n}`, name: n, type: "User" as const, enroll: false }));
    return out;
}

/** The names of the identities the program makes for workloads and clients (everything but the admins). */
export function programIdentityNames(s: StackPlaces): Set<string> {
    const places = placeZitiEntities({ ...s, kubernetesAdmins: [] });
    return new Set(Object.values(places).flat().filter(e => e.kind === "Identity").map(e => e.name));
}
