// One listing of every place's Ziti entities (issue 25), and the whole plan of a cluster. A cluster's plan is asked of
// the stack's flavor in one place (clusterPlan): its Ziti entities with the cluster's tunneler and Kubernetes API path
// added, the targets and write route it exports, its prometheus.yml, and its workloads as a function of what exists
// only once resources do. The cluster component builds from that plan (components/cluster.ts); the clients and the
// admins are made from the lists here too (components/zitiEntities.ts). What else needs the program's entity names
// derives from placeZitiEntities: the config's admin-name clash check (config/parse.ts), the bench baselines and the
// tests' expectations (test/helpers/planEntities.ts; test/unit/places.spec.ts checks the program registers exactly these).
import type * as pulumi from "@pulumi/pulumi";
import { flavorNamed } from "../flavors";
import { PROMETHEUS_CLIENTS, REFLECTZ_CLIENTS } from "../flavors/article/ziti";
import type { ClusterPlace, IdentityJsons, Workload } from "../flavors/types";
import { kubernetesApiZitiEntities } from "./kubernetesApi";
import type { ClusterServiceNames } from "./names";
import { renderPrometheusConfig } from "./prometheusConfig";
import type { ClusterTargets, ClusterWrite, NetworkPolicyPorts, RemoteWriteSpec, ZitiEntity } from "./types";

/** Everything a cluster is, as data, but for what needs its resources first (`workloads`). */
export interface ClusterPlan {
    /** The flavor's Ziti entities, the cluster's tunneler `<c>.ziti.id` first when it has one (creation order). */
    zitiEntities: ZitiEntity[];
    /** The entities of the Kubernetes API path `<c>.k8s.svc` (plan/kubernetesApi.ts), made after those; empty when it is off. */
    kubernetesApiEntities: ZitiEntity[];
    /** What the cluster exports for the central Prometheus. */
    targets: ClusterTargets;
    /** With remote write: the write route and its writing identity (by name). */
    write?: ClusterWrite;
    /** The cluster Prometheus' prometheus.yml. */
    prometheusConfig: string;
    /** The flavor's Kubernetes workloads in `namespace`, with each identity's enrolled JSON (secret) by Ziti name. */
    workloads(namespace: pulumi.Input<string>, identities: IdentityJsons): Workload[];
}

/**
 * The tunneler `<c>.ziti.id` of a hybrid cluster, and of any cluster whose Kubernetes API is a Ziti service, as the
 * cluster component has always made it (resource `<prefix>-ziti-id`, a `Device` without attributes), first: the
 * flavor's policies and the API path's Bind name it. Where the flavor lists it too, this one stands in its place.
 */
function withTunneler(place: ClusterPlace, entities: ZitiEntity[]): ZitiEntity[] {
    if (place.kind !== "hybrid" && !place.kubernetesApi) return entities;
    const tunneler: ZitiEntity = { kind: "Identity", resourceName: `${place.resourcePrefix}-ziti-id`, name: `${place.name}.ziti.id`, type: "Device" };
    return [tunneler, ...entities.filter(e => !(e.kind === "Identity" && e.name === tunneler.name))];
}

/**
 * The plan of cluster `place` in the stack's flavor `flavorName`. `admins` may dial its Kubernetes API service (when
 * `place.kubernetesApi` is set): names, or in the component the admins' `name` outputs.
 */
export function clusterPlan(flavorName: string, place: ClusterPlace, admins: pulumi.Input<string>[] = []): ClusterPlan {
    // The flavor's answers, asked together; what every flavor shares is added after.
    const flavor = flavorNamed(flavorName);
    const entities = flavor.zitiEntities(place);
    const targets = flavor.clusterTargets(place);
    const write = place.remoteWrite ? flavor.clusterWrite?.(place) : undefined;
    const prometheusConfig = renderPrometheusConfig(flavor.clusterPrometheusConfig(place));
    return {
        zitiEntities: withTunneler(place, entities),
        kubernetesApiEntities: place.kubernetesApi
            ? kubernetesApiZitiEntities({
                resourcePrefix: place.resourcePrefix, clusterName: place.name, serviceName: place.kubernetesApi.serviceName, tunnelerIdentity: `${place.name}.ziti.id`,
                admins, edgeRouterRoles: place.edgeRouterRoles,
            })
            : [],
        targets,
        ...(write ? { write } : {}),
        prometheusConfig,
        workloads: (namespace, identities) => flavor.clusterWorkloads({ ...place, namespace }, prometheusConfig, identities),
    };
}

/** Human clients: un-enrolled `User`s with both client attributes, and one edge router policy `<prefix>.edge-router-policy` for them all. */
export function clientZitiEntities(prefix: string, names: string[], edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>): ZitiEntity[] {
    const identities = names.map(n => ({
        kind: "Identity" as const, resourceName: `${prefix}-${n}`, name: n, type: "User" as const, roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS], enroll: false,
    }));
    if (names.length === 0) return identities;
    return [...identities, {
        kind: "EdgeRouterPolicy", resourceName: `${prefix}-erp`, name: `${prefix}.edge-router-policy`, semantic: "AnyOf", edgeRouterRoles, identityRoles: names.map(n => `@${n}`),
    }];
}

/** The Kubernetes API admins: un-enrolled `User`s without attributes (they dial only what a policy names them in). */
export function adminZitiEntities(prefix: string, names: string[]): ZitiEntity[] {
    return names.map(n => ({ kind: "Identity" as const, resourceName: `${prefix}-${n}`, name: n, type: "User" as const, enroll: false }));
}

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

/** The egress of a place asked only for its Ziti entities (as its images are `{}`): no workload is planned from it. */
export const ENTITIES_ONLY: NetworkPolicyPorts = { zitiPorts: [], kubernetesApiPorts: [] };

/**
 * Every place's Ziti entities by place name (`clients`, `k8s-admins`, the clusters, central), in creation order: the
 * program makes the clients and the admins first (index.ts), and a cluster's API Dial policy names the admins. With
 * remote write, central's write Dial policy names the writers of this stack's clusters; a central stack's writers
 * come from its StackReferences, which the plan does not read (`writers` names them where a caller knows them).
 */
export function placeZitiEntities(s: StackPlaces, writers: string[] = []): Record<string, ZitiEntity[]> {
    // Human clients are made with a central Prometheus only (index.ts).
    const out: Record<string, ZitiEntity[]> = {
        clients: clientZitiEntities("clients", s.central ? s.clientIdentities : [], s.edgeRouterRoles),
        "k8s-admins": adminZitiEntities("k8s-admins", s.kubernetesAdmins),
    };
    for (const c of s.clusters) {
        const api = s.kubernetesApi ? c.kubernetesApi : undefined;
        const plan = clusterPlan(s.flavor, {
            kind: c.kind, resourcePrefix: c.name, name: c.name, namespace: c.namespace, serviceNames: c.serviceNames, images: {}, scrapeInterval: "",
            edgeRouterRoles: s.edgeRouterRoles, networkPolicy: ENTITIES_ONLY, ...(api ? { kubernetesApi: { serviceName: api.serviceName } } : {}),
            ...(s.remoteWrite ? { remoteWrite: s.remoteWrite } : {}),
        }, api?.admins);
        out[c.name] = [...plan.zitiEntities, ...plan.kubernetesApiEntities];
        if (plan.write) writers = [...writers, plan.write.writer];
    }
    if (s.central) {
        out[s.central.name] = flavorNamed(s.flavor).zitiEntities({
            kind: "central", resourcePrefix: s.central.name, name: s.central.name, placement: s.central.placement, namespace: s.central.namespace,
            images: {}, scrapeInterval: "", federationMatch: [], edgeRouterRoles: s.edgeRouterRoles, networkPolicy: ENTITIES_ONLY,
            ...(s.remoteWrite ? { remoteWrite: { spec: s.remoteWrite, writers } } : {}),
        });
    }
    return out;
}

/** The names of the identities the program makes for workloads and clients (everything but the admins). */
export function programIdentityNames(s: StackPlaces): Set<string> {
    const places = placeZitiEntities({ ...s, kubernetesAdmins: [] });
    return new Set(Object.values(places).flat().filter(e => e.kind === "Identity").map(e => e.name));
}
