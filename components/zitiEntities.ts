// The Ziti entities of each place (a cluster, the central Prometheus, the human clients, the API admins), made from the
// plan's lists (plan/places.ts) by zitiBuilder.ts. Roles are written `@${entity.name}` from the entities' outputs so the
// policies really depend on them; the provider resolves `@name` to `@id`.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterServiceNames } from "../config";
import { DEFAULT_FLAVOR, flavorNamed } from "../flavors";
import type { CentralPlace, IdentityJsons } from "../flavors/types";
import { kubernetesApiInterceptHost } from "../plan/kubernetesApi";
import { adminZitiEntities, ClusterPlan, clientZitiEntities, ENTITIES_ONLY } from "../plan/places";
import { createZitiEntities, splitByWorkloads, ZitiResources } from "./zitiBuilder";
import { ClusterKubernetesApi, deployThroughOptions } from "./kubernetesApi";
import { Identity, Service } from "../provider";

export { INTERCEPT_PORT, PROMETHEUS_CLIENTS, REFLECTZ_CLIENTS } from "../flavors/article/ziti";
export { KUBERNETES_API_HOST, KUBERNETES_API_PORT } from "../plan/kubernetesApi";

/** What createClusterZiti reads of a cluster's resolved arguments (cluster.ts ResolvedClusterArgs fits). */
export interface ClusterZitiArgs {
    clusterName: string;
    serviceNames: ClusterServiceNames;
    /** The cluster's Kubernetes provider: the namespace and tunneler options around the API path name it. */
    provider: k8s.Provider;
    kubernetesApi?: { serviceName: string; admins: pulumi.Input<string>[]; deployThrough: boolean };
}

export interface ClusterZiti {
    /** Every identity of the place, in plan order, by Ziti name (a flavor may plan more, e.g. one per pod). */
    identities: Map<string, Identity>;
    /** The enrolled identity JSON (secret) of each, by Ziti name: what the plan's workloads mount. */
    identityJsons: IdentityJsons;
    /** The cluster's services by role, where the flavor planned them (names of ClusterServiceNames). */
    reflectService?: Service;
    reflectScrapeService?: Service;
    prometheusService?: Service;
    /** `<prometheus svc>-<terminator or empty>`, what the central Prometheus federates. */
    federationTarget: pulumi.Output<string>;
    /** `<reflect scrape svc>-<reflect identity>`, what Prometheus scrapes. */
    reflectzScrapeTarget: pulumi.Output<string>;
    /** The Kubernetes API service, when `kubernetesApi` is set. */
    kubernetesApi?: ClusterKubernetesApi;
    /** Options of the cluster's namespace (`ns`) and tunneler workload (`tunneler`) around the API path (kubernetesApi.ts). */
    through: ReturnType<typeof deployThroughOptions>;
}

/**
 * Creates a cluster's Ziti entities under `parent`, as its plan lists them (plan/places.ts clusterPlan: the flavor's,
 * the tunneler first, then the Kubernetes API path), and returns everything the cluster needs of them.
 */
export function createClusterZiti(plan: ClusterPlan, a: ClusterZitiArgs, parent: pulumi.Resource): ClusterZiti {
    const c = a.clusterName;
    const svc = a.serviceNames;
    const made = createZitiEntities([...plan.zitiEntities, ...plan.kubernetesApiEntities], { parent });
    const identities = new Map([...made].filter((e): e is [string, Identity] => e[1] instanceof Identity));
    const services = [svc.reflect, svc.reflectScrape, svc.prometheus].map(n => made.get(n) as Service | undefined);
    const nameOf = (n: string) => made.get(n)?.name ?? pulumi.output(n);
    const tunneler = identities.get(`${c}.ziti.id`);
    const api: ClusterKubernetesApi | undefined = a.kubernetesApi && tunneler && {
        serviceName: (made.get(a.kubernetesApi.serviceName) as Service).name,
        interceptHost: kubernetesApiInterceptHost(a.kubernetesApi.serviceName),
        tunnelerIdentityName: tunneler.name,
        admins: pulumi.all(a.kubernetesApi.admins),
        entities: [...plan.kubernetesApiEntities.map(e => made.get(e.name) as pulumi.Resource), tunneler],
    };
    return {
        identities,
        identityJsons: Object.fromEntries([...identities].map(([n, i]) => [n, i.identityJson])),
        reflectService: services[0], reflectScrapeService: services[1], prometheusService: services[2],
        // Plain values from the plan, carried as outputs of the services and identities they name (same text as before).
        federationTarget: pulumi.all([nameOf(svc.prometheus)]).apply(() => plan.targets.federationTarget),
        reflectzScrapeTarget: pulumi.all([nameOf(svc.reflectScrape), nameOf(`${c}.reflect.id`)]).apply(() => plan.targets.reflectzScrapeTarget),
        ...(api ? { kubernetesApi: api } : {}),
        through: deployThroughOptions(api, a.kubernetesApi?.deployThrough, { parent, provider: a.provider }),
    };
}

export interface CentralZiti {
    identity: Identity;
    service: Service;
    /** `<central>.prometheus.svc-<central>.prometheus.id`. */
    target: pulumi.Output<string>;
    /** With remote write: the write service, and for an external target the identity that hosts it (un-enrolled). */
    writeService?: Service;
    writeHost?: Identity;
    /** Makes the planned entities that wait for the workloads (`afterWorkloads`), each depending on `workloads`. */
    afterWorkloads(workloads: pulumi.Resource[]): void;
}

/** The central Prometheus' Ziti entities, as its flavor lists them (with remote write, the write path too). */
export function createCentralZiti(prefix: string, centralName: string, edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>, parent: pulumi.Resource,
    flavor = DEFAULT_FLAVOR, remoteWrite?: CentralPlace["remoteWrite"]): CentralZiti {
    const n = centralName;
    const { before, after } = splitByWorkloads(flavorNamed(flavor).zitiEntities({
        kind: "central", resourcePrefix: prefix, name: n, placement: "kubernetes", images: {}, scrapeInterval: "", federationMatch: [], edgeRouterRoles,
        networkPolicy: ENTITIES_ONLY, ...(remoteWrite ? { remoteWrite } : {}),
    }));
    const made = createZitiEntities(before, { parent });
    const identity = made.get(`${n}.prometheus.id`) as Identity;
    const service = made.get(`${n}.prometheus.svc`) as Service;
    const host = remoteWrite?.spec.external && made.get(remoteWrite.spec.external.hostIdentity);
    return {
        identity, service, target: pulumi.interpolate`${service.name}-${identity.name}`,
        ...(remoteWrite ? { writeService: made.get(remoteWrite.spec.service) as Service } : {}),
        ...(host instanceof Identity ? { writeHost: host } : {}),
        afterWorkloads: workloads => void createZitiEntities(after, { parent }, made, workloads),
    };
}

/**
 * Human client identities (`User`, both client attributes), left un-enrolled: each person enrolls
 * the one-time JWT in their own tunneling app. One edge router policy covers them all (plan/places.ts clientZitiEntities).
 */
export function createClientIdentities(prefix: string, names: string[], edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>,
    opts?: pulumi.CustomResourceOptions): Identity[] {
    return identitiesOf(createZitiEntities(clientZitiEntities(prefix, names, edgeRouterRoles), opts ?? {}));
}

/**
 * The Kubernetes API admins (`User`, no role attributes: they dial only what a policy names them in),
 * left un-enrolled like the human clients: each admin enrolls the one-time JWT for kubeztl or a tunneler.
 */
export function createKubernetesAdmins(prefix: string, names: string[], opts?: pulumi.CustomResourceOptions): Identity[] {
    return identitiesOf(createZitiEntities(adminZitiEntities(prefix, names), opts ?? {}));
}

const identitiesOf = (made: ZitiResources) => [...made.values()].filter((r): r is Identity => r instanceof Identity);
