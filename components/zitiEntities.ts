// The Ziti entities of one place (a cluster, the central Prometheus, the human clients), named and
// granted as in the published walkthrough. Roles are written `@${entity.name}` from the entities'
// outputs so the policies really depend on them; the provider resolves `@name` to `@id`.
import * as pulumi from "@pulumi/pulumi";
import { ClusterServiceNames } from "./config";
import { Config, EdgeRouterPolicy, Identity, Service, ServiceEdgeRouterPolicy, ServicePolicy } from "../provider";

/** Role attribute of identities allowed to dial reflectz services. */
export const REFLECTZ_CLIENTS = "reflectz-clients";
/** Role attribute of identities allowed to dial Prometheus services. */
export const PROMETHEUS_CLIENTS = "prometheus-clients";
/** The port intercepted by tunneling clients for every service. */
export const INTERCEPT_PORT = 80;

const at = (e: { name: pulumi.Output<string> }) => pulumi.interpolate`@${e.name}`;

export interface ClusterZitiArgs {
    /** Cluster name; the identities are `<c>.reflect.id`, `<c>.prometheus.id` (and `<c>.ziti.id` for hybrid). */
    clusterName: string;
    /** Ziti service names of the cluster. */
    serviceNames: ClusterServiceNames;
    /**
     * Set for a hybrid cluster: a tunneler identity `<c>.ziti.id` binds the Prometheus service and
     * forwards (host.v1) to this underlay address and port (the ClusterIP Service).
     * Absent for a dark cluster: Prometheus binds its service itself, terminator `<c>.prometheus.id`.
     */
    hostedAt?: { address: pulumi.Input<string>; port: pulumi.Input<number> };
    /** The tunneler identity `<c>.ziti.id` when the caller made it already (hybrid with `kubernetesApi`); made here otherwise. */
    tunnelerIdentity?: Identity;
    /** Edge router roles for the policies; `#all` on a quickstart network. */
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ClusterZiti {
    reflectIdentity: Identity;
    prometheusIdentity: Identity;
    /** The tunneler identity (hybrid clusters only). */
    tunnelerIdentity?: Identity;
    reflectService: Service;
    reflectScrapeService: Service;
    prometheusService: Service;
    /** `<prometheus svc>-<terminator or empty>`, what the central Prometheus federates. */
    federationTarget: pulumi.Output<string>;
    /** `<reflect scrape svc>-<reflect identity>`, what Prometheus scrapes. */
    reflectzScrapeTarget: pulumi.Output<string>;
}

/** The in-cluster tunneler's identity `<c>.ziti.id` (one resource name, whoever makes it). */
export function createTunnelerIdentity(prefix: string, clusterName: string, parent: pulumi.Resource): Identity {
    return new Identity(`${prefix}-ziti-id`, { name: `${clusterName}.ziti.id`, type: "Device" }, { parent });
}

function intercept(prefix: string, name: string, service: string, opts: pulumi.CustomResourceOptions, dialIdentity?: pulumi.Input<string>): Config {
    return new Config(`${prefix}-${name}-intercept`, {
        name: `${service}.intercept.v1`,
        configType: "intercept.v1",
        data: pulumi.output(dialIdentity).apply(identity => ({
            protocols: ["tcp" as const],
            addresses: [`${service}.ziti`],
            portRanges: [{ low: INTERCEPT_PORT, high: INTERCEPT_PORT }],
            ...(identity ? { dialOptions: { identity } } : {}),
        })),
    }, opts);
}

/**
 * Creates a cluster's Ziti entities under `parent`: identities, intercept/host configs, the three
 * services, Bind policies for the workloads' own identities, Dial policies for `#reflectz-clients`
 * and `#prometheus-clients`, and an edge router policy plus a service edge router policy.
 */
export function createClusterZiti(prefix: string, args: ClusterZitiArgs, parent: pulumi.Resource): ClusterZiti {
    const c = args.clusterName;
    const opts: pulumi.CustomResourceOptions = { parent };
    const svc = args.serviceNames;

    const reflectIdentity = new Identity(`${prefix}-reflect-id`, { name: `${c}.reflect.id`, type: "Device" }, opts);
    // Prometheus scrapes reflectz; in a dark cluster the zitified configmap-reload dials Prometheus with it too.
    const prometheusIdentity = new Identity(`${prefix}-prometheus-id`, {
        name: `${c}.prometheus.id`,
        type: "Device",
        roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS],
    }, opts);
    const tunnelerIdentity = args.hostedAt ? (args.tunnelerIdentity ?? createTunnelerIdentity(prefix, c, parent)) : undefined;

    // dialOptions.identity is a name the tunneler matches at dial time, not a reference the controller checks: give
    // the known name, not the identity's output, so the configs (and the services after them) need not wait for
    // the identities' creation and enrollment (one dependency level less on `up`, bench/RESULTS.md).
    const reflectIntercept = intercept(prefix, "reflect", svc.reflect, opts);
    const scrapeIntercept = intercept(prefix, "reflect-scrape", svc.reflectScrape, opts, `${c}.reflect.id`);
    const prometheusIntercept = intercept(prefix, "prometheus", svc.prometheus, opts, tunnelerIdentity ? undefined : `${c}.prometheus.id`);
    const prometheusConfigs: pulumi.Input<string>[] = [prometheusIntercept.id];
    if (args.hostedAt) {
        const host = new Config(`${prefix}-prometheus-host`, {
            name: `${svc.prometheus}.host.v1`,
            configType: "host.v1",
            data: pulumi.all([args.hostedAt.address, args.hostedAt.port]).apply(([address, port]) => ({
                protocol: "tcp" as const,
                address,
                port,
            })),
        }, opts);
        prometheusConfigs.push(host.id);
    }

    const reflectService = new Service(`${prefix}-reflect-svc`, { name: svc.reflect, configs: [reflectIntercept.id] }, opts);
    const reflectScrapeService = new Service(`${prefix}-reflect-scrape-svc`, { name: svc.reflectScrape, configs: [scrapeIntercept.id] }, opts);
    const prometheusService = new Service(`${prefix}-prometheus-svc`, { name: svc.prometheus, configs: prometheusConfigs }, opts);

    const prometheusHost = tunnelerIdentity ?? prometheusIdentity;
    const policies: [string, "Bind" | "Dial", Service[], pulumi.Input<string>][] = [
        ["reflect-bind", "Bind", [reflectService, reflectScrapeService], at(reflectIdentity)],
        ["reflect-dial", "Dial", [reflectService, reflectScrapeService], `#${REFLECTZ_CLIENTS}`],
        ["prometheus-bind", "Bind", [prometheusService], at(prometheusHost)],
        ["prometheus-dial", "Dial", [prometheusService], `#${PROMETHEUS_CLIENTS}`],
    ];
    for (const [name, type, services, identityRole] of policies) {
        new ServicePolicy(`${prefix}-${name}`, {
            name: `${c}.${name.replace("-", ".")}`,
            type,
            semantic: "AnyOf",
            serviceRoles: services.map(at),
            identityRoles: [identityRole],
        }, opts);
    }

    const identities = [reflectIdentity, prometheusIdentity, ...(tunnelerIdentity ? [tunnelerIdentity] : [])];
    new EdgeRouterPolicy(`${prefix}-erp`, {
        name: `${c}.edge-router-policy`,
        semantic: "AnyOf",
        edgeRouterRoles: args.edgeRouterRoles,
        identityRoles: identities.map(at),
    }, opts);
    new ServiceEdgeRouterPolicy(`${prefix}-serp`, {
        name: `${c}.service-edge-router-policy`,
        semantic: "AnyOf",
        edgeRouterRoles: args.edgeRouterRoles,
        serviceRoles: [reflectService, reflectScrapeService, prometheusService].map(at),
    }, opts);

    // A tunneler binds without an addressable terminator (`svc-`); a dark Prometheus binds as its identity.
    const federationTarget = tunnelerIdentity
        ? pulumi.interpolate`${prometheusService.name}-`
        : pulumi.interpolate`${prometheusService.name}-${prometheusIdentity.name}`;
    const reflectzScrapeTarget = pulumi.interpolate`${reflectScrapeService.name}-${reflectIdentity.name}`;

    return {
        reflectIdentity, prometheusIdentity, tunnelerIdentity,
        reflectService, reflectScrapeService, prometheusService,
        federationTarget, reflectzScrapeTarget,
    };
}

export interface CentralZiti {
    identity: Identity;
    service: Service;
    /** `<central>.prometheus.svc-<central>.prometheus.id`. */
    target: pulumi.Output<string>;
}

/**
 * The central Prometheus' Ziti entities: `<n>.prometheus.id` (dials every reflectz and Prometheus
 * service through the client attributes), `<n>.prometheus.svc` that it binds itself, a Dial policy
 * for `#prometheus-clients`, and its edge router policies.
 */
export function createCentralZiti(prefix: string, centralName: string, edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>, parent: pulumi.Resource): CentralZiti {
    const n = centralName;
    const opts: pulumi.CustomResourceOptions = { parent };
    const identity = new Identity(`${prefix}-prometheus-id`, {
        name: `${n}.prometheus.id`,
        type: "Device",
        roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS],
    }, opts);
    const serviceName = `${n}.prometheus.svc`;
    // The known name, not `identity.name`: the config need not wait for the identity (see createClusterZiti).
    const cfg = intercept(prefix, "prometheus", serviceName, opts, `${n}.prometheus.id`);
    const service = new Service(`${prefix}-prometheus-svc`, { name: serviceName, configs: [cfg.id] }, opts);
    new ServicePolicy(`${prefix}-prometheus-bind`, {
        name: `${n}.prometheus.bind`, type: "Bind", semantic: "AnyOf",
        serviceRoles: [at(service)], identityRoles: [at(identity)],
    }, opts);
    new ServicePolicy(`${prefix}-prometheus-dial`, {
        name: `${n}.prometheus.dial`, type: "Dial", semantic: "AnyOf",
        serviceRoles: [at(service)], identityRoles: [`#${PROMETHEUS_CLIENTS}`],
    }, opts);
    new EdgeRouterPolicy(`${prefix}-erp`, {
        name: `${n}.edge-router-policy`, semantic: "AnyOf",
        edgeRouterRoles, identityRoles: [at(identity)],
    }, opts);
    new ServiceEdgeRouterPolicy(`${prefix}-serp`, {
        name: `${n}.service-edge-router-policy`, semantic: "AnyOf",
        edgeRouterRoles, serviceRoles: [at(service)],
    }, opts);
    return { identity, service, target: pulumi.interpolate`${service.name}-${identity.name}` };
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
 * (tcp), intercept.v1 on `<svc>.ziti:443` for tunneling apps, its own Bind policy for the in-cluster
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
    const service = new Service(`${prefix}-k8s-svc`, { name: svc, configs: [intercept.id, host.id] }, opts);
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
    return { service, interceptHost, entities: [intercept, host, service, bind, dial, erp, serp, args.tunnelerIdentity] };
}

/**
 * The Kubernetes API admins (`User`, no role attributes: they dial only what a policy names them in),
 * left un-enrolled like the human clients: each admin enrolls the one-time JWT for kubeztl or a tunneler.
 */
export function createKubernetesAdmins(prefix: string, names: string[], opts?: pulumi.CustomResourceOptions): Identity[] {
    return names.map(n => new Identity(`${prefix}-${n}`, { name: n, type: "User", enroll: false }, opts));
}
