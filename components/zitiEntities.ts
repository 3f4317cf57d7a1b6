// The Ziti entities of one place (a cluster, the central Prometheus, the human clients), named and
// granted as in the published walkthrough. Roles are written `@${entity.name}` from the entities'
// outputs so the policies really depend on them; the provider resolves `@name` to `@id`.
import * as pulumi from "@pulumi/pulumi";
import { ClusterServiceNames } from "../config";
import { DEFAULT_FLAVOR, flavorNamed } from "../flavors";
import type { CentralPlace, ClusterPlace } from "../flavors/types";
import { createZitiEntities, splitByWorkloads } from "./zitiBuilder";
import { Config, EdgeRouterPolicy, Identity, Service, ServiceEdgeRouterPolicy, ServicePolicy } from "../provider";

import { PROMETHEUS_CLIENTS, REFLECTZ_CLIENTS } from "../flavors/article/ziti";
import { proxyPort } from "../flavors/upstream/proxyPorts";
import { loopbackProxyV1 } from "../flavors/upstream/zitiEntities";

export { INTERCEPT_PORT, PROMETHEUS_CLIENTS, REFLECTZ_CLIENTS } from "../flavors/article/ziti";

const at = (e: { name: pulumi.Output<string> }) => pulumi.interpolate`@${e.name}`;

export interface ClusterZitiArgs {
    /** Cluster name; the identities are `<c>.reflect.id`, `<c>.prometheus.id` (and `<c>.ziti.id` with a tunneler). */
    clusterName: string;
    /** hybrid: a tunneler `<c>.ziti.id` binds the Prometheus service, forwarding to its ClusterIP Service; dark: Prometheus binds it. */
    kind: "hybrid" | "dark";
    /** The workloads' namespace (the hybrid host.v1 address names the ClusterIP Service in it). */
    namespace: pulumi.Input<string>;
    /** Ziti service names of the cluster. */
    serviceNames: ClusterServiceNames;
    /** The tunneler identity `<c>.ziti.id` when the caller made it already (the Kubernetes API path needs it first); made here otherwise. */
    tunnelerIdentity?: Identity;
    /** Set when the cluster's Kubernetes API is a Ziti service (its tunneler hosts it). */
    kubernetesApi?: { serviceName: string };
    /** Edge router roles for the policies; `#all` on a quickstart network. */
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
    /** The workload flavor (flavors/index.ts); default `article`. */
    flavor?: string;
}

export interface ClusterZiti {
    /** Every identity of the place, in plan order, by Ziti name (a flavor may plan more, e.g. one per pod). */
    identities: Map<string, Identity>;
    /** The tunneler identity that binds the Prometheus service (hybrid places of the article flavor). */
    tunnelerIdentity?: Identity;
    /** The cluster's services by role, where the flavor planned them (names of ClusterServiceNames). */
    reflectService?: Service;
    reflectScrapeService?: Service;
    prometheusService?: Service;
    /** `<prometheus svc>-<terminator or empty>`, what the central Prometheus federates. */
    federationTarget: pulumi.Output<string>;
    /** `<reflect scrape svc>-<reflect identity>`, what Prometheus scrapes. */
    reflectzScrapeTarget: pulumi.Output<string>;
}

/** The in-cluster tunneler's identity `<c>.ziti.id` (one resource name, whoever makes it). */
export function createTunnelerIdentity(prefix: string, clusterName: string, parent: pulumi.Resource): Identity {
    return new Identity(`${prefix}-ziti-id`, { name: `${clusterName}.ziti.id`, type: "Device" }, { parent });
}

/** The flavor's place description of a cluster, for the plan's questions. */
export function clusterPlace(prefix: string, args: ClusterZitiArgs): ClusterPlace {
    return {
        kind: args.kind, resourcePrefix: prefix, name: args.clusterName, namespace: args.namespace, serviceNames: args.serviceNames,
        images: {}, scrapeInterval: "", edgeRouterRoles: args.edgeRouterRoles, ...(args.kubernetesApi ? { kubernetesApi: args.kubernetesApi } : {}),
    };
}

/** Creates a cluster's Ziti entities under `parent`, as its flavor lists them (flavor.zitiEntities). */
export function createClusterZiti(prefix: string, args: ClusterZitiArgs, parent: pulumi.Resource): ClusterZiti {
    const flavor = flavorNamed(args.flavor ?? DEFAULT_FLAVOR);
    const place = clusterPlace(prefix, args);
    const c = args.clusterName;
    const svc = args.serviceNames;
    const existing = new Map(args.tunnelerIdentity ? [[`${c}.ziti.id`, args.tunnelerIdentity]] : []);
    const made = createZitiEntities(flavor.zitiEntities(place), parent, existing);
    const targets = flavor.clusterTargets(place);
    const identities = new Map([...made].filter((e): e is [string, Identity] => e[1] instanceof Identity));
    const services = [svc.reflect, svc.reflectScrape, svc.prometheus].map(n => made.get(n) as Service | undefined);
    const nameOf = (n: string) => made.get(n)?.name ?? pulumi.output(n);
    return {
        identities,
        tunnelerIdentity: args.kind === "hybrid" ? identities.get(`${c}.ziti.id`) : undefined,
        reflectService: services[0], reflectScrapeService: services[1], prometheusService: services[2],
        // Plain values from the plan, carried as outputs of the services and identities they name (same text as before).
        federationTarget: pulumi.all([nameOf(svc.prometheus)]).apply(() => targets.federationTarget),
        reflectzScrapeTarget: pulumi.all([nameOf(svc.reflectScrape), nameOf(`${c}.reflect.id`)]).apply(() => targets.reflectzScrapeTarget),
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
        ...(remoteWrite ? { remoteWrite } : {}),
    }));
    const made = createZitiEntities(before, parent);
    const identity = made.get(`${n}.prometheus.id`) as Identity;
    const service = made.get(`${n}.prometheus.svc`) as Service;
    const host = remoteWrite?.spec.external && made.get(remoteWrite.spec.external.hostIdentity);
    return {
        identity, service, target: pulumi.interpolate`${service.name}-${identity.name}`,
        ...(remoteWrite ? { writeService: made.get(remoteWrite.spec.service) as Service } : {}),
        ...(host instanceof Identity ? { writeHost: host } : {}),
        afterWorkloads: workloads => void createZitiEntities(after, parent, made, workloads),
    };
}

/**
 * Human client identities (`User`, both client attributes), left un-enrolled: each person enrolls
 * the one-time JWT in their own tunneling app. One edge router policy covers them all.
 */
export function createClientIdentities(prefix: string, names: string[], edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>,
    opts?: pulumi.CustomResourceOptions): Identity[] {
    const identities = names.map(n => new Identity(`${prefix}-${n}`, {
        name: n,
        type: "User",
        roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS],
        enroll: false,
    }, opts));
    if (identities.length > 0) {
        new EdgeRouterPolicy(`${prefix}-erp`, {
            name: `${prefix}.edge-router-policy`, semantic: "AnyOf",
            edgeRouterRoles, identityRoles: identities.map(at),
        }, opts);
    }
    return identities;
}

/** The port of the Kubernetes API server behind `kubernetes.default.svc` (the `kubernetes` Service's port). */
export const KUBERNETES_API_PORT = 443;
/**
 * Where the in-cluster tunneler forwards API connections: the `kubernetes` Service of the `default`
 * namespace, which every cluster has and whose name the API server's serving certificate carries.
 */
export const KUBERNETES_API_HOST = "kubernetes.default.svc";

export interface KubernetesApiZitiArgs {
    /** Cluster name (policy names `<c>.k8s.bind`, `<c>.k8s.dial`, ...). */
    clusterName: string;
    /** The Ziti service name, `<c>.k8s.svc`. */
    serviceName: string;
    /** The in-cluster tunneler identity that binds the service (`<c>.ziti.id`). */
    tunnelerIdentity: Identity;
    /** Names of the admin identities that may dial it, e.g. the `name` outputs of `createKubernetesAdmins`. Never empty. */
    admins: pulumi.Input<string>[];
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
}

export interface KubernetesApiZiti {
    service: Service;
    /** Every entity of the path (configs, service, policies): what Kubernetes objects deployed through it wait for. */
    entities: pulumi.Resource[];
    /** The hostname a tunneling app intercepts (`<c>.k8s.svc.ziti`, port 443). */
    interceptHost: string;
}

/**
 * A cluster's Kubernetes API as a Ziti service (DESIGN 4c): host.v1 to `kubernetes.default.svc:443`
 * (tcp), intercept.v1 on `<svc>.ziti:443` for tunneling apps, proxy.v1 on 127.0.0.1 for an admin's
 * `ziti tunnel proxy`, its own Bind policy for the in-cluster
 * tunneler, a Dial policy naming each admin (`@name`, never an attribute, never `#all`), and its own
 * edge router and service edge router policies.
 */
export function createKubernetesApiZiti(prefix: string, args: KubernetesApiZitiArgs, parent: pulumi.Resource): KubernetesApiZiti {
    if (args.admins.length === 0) {
        throw new pulumi.ResourceError(`${prefix}: the Kubernetes API service ${args.serviceName} needs at least one admin identity to dial it.`, parent);
    }
    const c = args.clusterName;
    const svc = args.serviceName;
    const opts: pulumi.CustomResourceOptions = { parent };
    const interceptHost = `${svc}.ziti`;
    const intercept = new Config(`${prefix}-k8s-intercept`, {
        name: `${svc}.intercept.v1`,
        configType: "intercept.v1",
        data: { protocols: ["tcp"], addresses: [interceptHost], portRanges: [{ low: KUBERNETES_API_PORT, high: KUBERNETES_API_PORT }] },
    }, opts);
    const host = new Config(`${prefix}-k8s-host`, {
        name: `${svc}.host.v1`,
        configType: "host.v1",
        data: { protocol: "tcp", address: KUBERNETES_API_HOST, port: KUBERNETES_API_PORT },
    }, opts);
    // An admin's `ziti tunnel proxy` (scripts/lib/zitiTunnel.ts) listens where this says: loopback only,
    // at a port derived from the service name (as the upstream flavor's proxies: every admin and stack agree on
    // it without knowing each other), whatever port its command line names.
    const proxy = new Config(`${prefix}-k8s-proxy`, {
        name: `${svc}.proxy.v1`,
        configType: "proxy.v1",
        data: loopbackProxyV1(proxyPort(svc)),
    }, opts);
    const service = new Service(`${prefix}-k8s-svc`, { name: svc, configs: [intercept.id, host.id, proxy.id] }, opts);
    const admins = args.admins.map(a => pulumi.interpolate`@${a}`);
    const bind = new ServicePolicy(`${prefix}-k8s-bind`, {
        name: `${c}.k8s.bind`, type: "Bind", semantic: "AnyOf",
        serviceRoles: [at(service)], identityRoles: [at(args.tunnelerIdentity)],
    }, opts);
    const dial = new ServicePolicy(`${prefix}-k8s-dial`, {
        name: `${c}.k8s.dial`, type: "Dial", semantic: "AnyOf",
        serviceRoles: [at(service)], identityRoles: admins,
    }, opts);
    const erp = new EdgeRouterPolicy(`${prefix}-k8s-erp`, {
        name: `${c}.k8s.edge-router-policy`, semantic: "AnyOf",
        edgeRouterRoles: args.edgeRouterRoles, identityRoles: [at(args.tunnelerIdentity), ...admins],
    }, opts);
    const serp = new ServiceEdgeRouterPolicy(`${prefix}-k8s-serp`, {
        name: `${c}.k8s.service-edge-router-policy`, semantic: "AnyOf",
        edgeRouterRoles: args.edgeRouterRoles, serviceRoles: [at(service)],
    }, opts);
    return { service, interceptHost, entities: [intercept, host, proxy, service, bind, dial, erp, serp, args.tunnelerIdentity] };
}

/**
 * The Kubernetes API admins (`User`, no role attributes: they dial only what a policy names them in),
 * left un-enrolled like the human clients: each admin enrolls the one-time JWT for kubeztl or a tunneler.
 */
export function createKubernetesAdmins(prefix: string, names: string[], opts?: pulumi.CustomResourceOptions): Identity[] {
    return names.map(n => new Identity(`${prefix}-${n}`, { name: n, type: "User", enroll: false }, opts));
}
