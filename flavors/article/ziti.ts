// The article flavor's Ziti entities, named and granted as in the published walkthrough
// (openziti/ziti-doc docusaurus/blog/configuring-openziti-to-enable-prometheus.md): per cluster `<c>.reflect.id`,
// `<c>.prometheus.id` and, when something is hosted by the in-cluster tunneler, `<c>.ziti.id`; three services with
// intercept.v1 configs (the hybrid Prometheus service also host.v1 to its ClusterIP Service); Bind/Dial policies;
// an edge router policy and a service edge router policy. Plain data; components/ makes the resources.
import * as pulumi from "@pulumi/pulumi";
import type { CentralPlace, ClusterPlace, ClusterTargets, ZitiEntity } from "../types";

/** Role attribute of identities allowed to dial reflectz services. */
export const REFLECTZ_CLIENTS = "reflectz-clients";
/** Role attribute of identities allowed to dial Prometheus services. */
export const PROMETHEUS_CLIENTS = "prometheus-clients";
/** The port intercepted by tunneling clients for every service. */
export const INTERCEPT_PORT = 80;
/** The ClusterIP Service in front of a hybrid cluster's Prometheus, which the tunneler's host.v1 forwards to. */
export const HYBRID_SERVICE = { name: "prometheus", port: 80 };

/** An intercept.v1 config on `<service>.ziti:80`, dialling `dialIdentity`'s terminator when given. */
export function interceptConfig(resourceName: string, service: string, dialIdentity?: string): ZitiEntity {
    return {
        kind: "Config", resourceName, name: `${service}.intercept.v1`, configType: "intercept.v1",
        data: {
            protocols: ["tcp"],
            addresses: [`${service}.ziti`],
            portRanges: [{ low: INTERCEPT_PORT, high: INTERCEPT_PORT }],
            ...(dialIdentity ? { dialOptions: { identity: dialIdentity } } : {}),
        },
    };
}

/** Whether a cluster runs the in-cluster tunneler `<c>.ziti.id` (hybrid always; dark only for the Kubernetes API). */
export function hasTunneler(place: ClusterPlace): boolean {
    return place.kind === "hybrid" || place.kubernetesApi !== undefined;
}

/** A cluster's entities; `p` is the resource name prefix (the component's name). */
export function clusterZitiEntities(place: ClusterPlace, p = place.resourcePrefix): ZitiEntity[] {
    const c = place.name;
    const svc = place.serviceNames;
    const hybrid = place.kind === "hybrid";
    const ids = { reflect: `${c}.reflect.id`, prometheus: `${c}.prometheus.id`, tunneler: `${c}.ziti.id` };
    const prometheusHost = hybrid ? ids.tunneler : ids.prometheus;
    const e: ZitiEntity[] = [
        { kind: "Identity", resourceName: `${p}-reflect-id`, name: ids.reflect, type: "Device" },
        { kind: "Identity", resourceName: `${p}-prometheus-id`, name: ids.prometheus, type: "Device", roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS] },
        ...(hasTunneler(place) ? [{ kind: "Identity" as const, resourceName: `${p}-ziti-id`, name: ids.tunneler, type: "Device" as const }] : []),
        interceptConfig(`${p}-reflect-intercept`, svc.reflect),
        interceptConfig(`${p}-reflect-scrape-intercept`, svc.reflectScrape, ids.reflect),
        interceptConfig(`${p}-prometheus-intercept`, svc.prometheus, hybrid ? undefined : ids.prometheus),
        ...(hybrid ? [{
            kind: "Config" as const, resourceName: `${p}-prometheus-host`, name: `${svc.prometheus}.host.v1`, configType: "host.v1",
            data: pulumi.output(place.namespace).apply(ns => ({ protocol: "tcp", address: `${HYBRID_SERVICE.name}.${ns}.svc`, port: HYBRID_SERVICE.port })),
        }] : []),
        { kind: "Service", resourceName: `${p}-reflect-svc`, name: svc.reflect, configs: [`${svc.reflect}.intercept.v1`] },
        { kind: "Service", resourceName: `${p}-reflect-scrape-svc`, name: svc.reflectScrape, configs: [`${svc.reflectScrape}.intercept.v1`] },
        { kind: "Service", resourceName: `${p}-prometheus-svc`, name: svc.prometheus,
            configs: [`${svc.prometheus}.intercept.v1`, ...(hybrid ? [`${svc.prometheus}.host.v1`] : [])] },
    ];
    const policies: [string, "Bind" | "Dial", string[], string][] = [
        ["reflect-bind", "Bind", [svc.reflect, svc.reflectScrape], `@${ids.reflect}`],
        ["reflect-dial", "Dial", [svc.reflect, svc.reflectScrape], `#${REFLECTZ_CLIENTS}`],
        ["prometheus-bind", "Bind", [svc.prometheus], `@${prometheusHost}`],
        ["prometheus-dial", "Dial", [svc.prometheus], `#${PROMETHEUS_CLIENTS}`],
    ];
    for (const [n, type, services, identityRole] of policies) {
        e.push({ kind: "ServicePolicy", resourceName: `${p}-${n}`, name: `${c}.${n.replace("-", ".")}`, type, semantic: "AnyOf",
            serviceRoles: services.map(s => `@${s}`), identityRoles: [identityRole] });
    }
    const identities = [ids.reflect, ids.prometheus, ...(hybrid ? [ids.tunneler] : [])];
    e.push({ kind: "EdgeRouterPolicy", resourceName: `${p}-erp`, name: `${c}.edge-router-policy`, semantic: "AnyOf",
        edgeRouterRoles: place.edgeRouterRoles, identityRoles: identities.map(i => `@${i}`) });
    e.push({ kind: "ServiceEdgeRouterPolicy", resourceName: `${p}-serp`, name: `${c}.service-edge-router-policy`, semantic: "AnyOf",
        edgeRouterRoles: place.edgeRouterRoles, serviceRoles: [svc.reflect, svc.reflectScrape, svc.prometheus].map(s => `@${s}`) });
    return e;
}

/** The central Prometheus' entities: `<n>.prometheus.id` dials every service; it binds `<n>.prometheus.svc` itself. */
export function centralZitiEntities(place: CentralPlace, p = place.resourcePrefix): ZitiEntity[] {
    const n = place.name;
    const id = `${n}.prometheus.id`;
    const svc = `${n}.prometheus.svc`;
    return [
        { kind: "Identity", resourceName: `${p}-prometheus-id`, name: id, type: "Device", roleAttributes: [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS] },
        interceptConfig(`${p}-prometheus-intercept`, svc, id),
        { kind: "Service", resourceName: `${p}-prometheus-svc`, name: svc, configs: [`${svc}.intercept.v1`] },
        { kind: "ServicePolicy", resourceName: `${p}-prometheus-bind`, name: `${n}.prometheus.bind`, type: "Bind", semantic: "AnyOf", serviceRoles: [`@${svc}`], identityRoles: [`@${id}`] },
        { kind: "ServicePolicy", resourceName: `${p}-prometheus-dial`, name: `${n}.prometheus.dial`, type: "Dial", semantic: "AnyOf", serviceRoles: [`@${svc}`], identityRoles: [`#${PROMETHEUS_CLIENTS}`] },
        { kind: "EdgeRouterPolicy", resourceName: `${p}-erp`, name: `${n}.edge-router-policy`, semantic: "AnyOf", edgeRouterRoles: place.edgeRouterRoles, identityRoles: [`@${id}`] },
        { kind: "ServiceEdgeRouterPolicy", resourceName: `${p}-serp`, name: `${n}.service-edge-router-policy`, semantic: "AnyOf", edgeRouterRoles: place.edgeRouterRoles, serviceRoles: [`@${svc}`] },
    ];
}

/**
 * prometheuz targets (`service-terminator`): a tunneler binds without an addressable terminator (`svc-`); a dark
 * Prometheus binds as its own identity; reflectz always as `<c>.reflect.id`.
 */
export function articleClusterTargets(place: ClusterPlace): ClusterTargets {
    const c = place.name;
    return {
        clusterName: c,
        federationTarget: place.kind === "hybrid" ? `${place.serviceNames.prometheus}-` : `${place.serviceNames.prometheus}-${c}.prometheus.id`,
        reflectzScrapeTarget: `${place.serviceNames.reflectScrape}-${c}.reflect.id`,
    };
}
