// The `upstream` flavor: stock Prometheus 3, plain configmap-reload, an unmodified node_exporter as the scrape
// target, and OpenZiti's own tunneler (`ziti tunnel proxy`) as a sidecar in every pod that touches the overlay.
// Prometheus never speaks Ziti: it scrapes plain HTTP on loopback ports the sidecar proxies to Ziti services
// (proxy.v1), and the sidecar hosts Prometheus' own port for the overlay (host.v1 to 127.0.0.1).
import * as pulumi from "@pulumi/pulumi";
import type { CentralPlace, ClusterPlace, ClusterTargets, ClusterWrite, Flavor, ZitiEntity } from "../types";
import { proxyPort } from "./proxyPorts";
import { centralPrometheusConfig, clusterPrometheusConfig, receiverPrometheusConfig } from "./prometheusConfig";
import { centralWriteEntities, clusterMode, writerIdentity } from "./remoteWrite";
import { CONFIGMAP_RELOAD_UPSTREAM_IMAGE } from "./workloads/configmapReload";
import { NODE_EXPORTER_IMAGE } from "./workloads/nodeExporter";
import { PROMETHEUS3_IMAGE } from "./workloads/prometheus";
import { ZITI_TUNNEL_IMAGE } from "./workloads/zitiTunnel";
import { centralEntities, clusterEntities, DialedService, upstreamServiceNames } from "./zitiEntities";
import { mergeEntitySets, ZitiEntitySet } from "./zitiGraph";
import { upstreamCentralKubernetes, upstreamClusterWorkloads } from "./workloads";
import { upstreamCentralDocker } from "./docker";

/** The flavor's plain entity set as the seam's entities; resource names are `<prefix>-<entity name>` (unique per kind and place). */
export function toPlanEntities(set: ZitiEntitySet, prefix: string): ZitiEntity[] {
    const r = (name: string) => `${prefix}-${name}`;
    return [
        ...set.identities.map(i => ({
            kind: "Identity" as const, resourceName: r(i.name), name: i.name, type: "Device" as const, roleAttributes: i.roleAttributes,
            ...(i.enroll === false ? { enroll: false } : {}),
        })),
        ...set.configs.map(c => ({ kind: "Config" as const, resourceName: r(c.name), name: c.name, configType: c.configType, data: c.data })),
        ...set.services.map(s => ({ kind: "Service" as const, resourceName: r(s.name), name: s.name, configs: s.configs })),
        ...set.servicePolicies.map(p => ({ kind: "ServicePolicy" as const, resourceName: r(p.name), ...p })),
        ...set.edgeRouterPolicies.map(p => ({ kind: "EdgeRouterPolicy" as const, resourceName: r(p.name), semantic: "AnyOf" as const, ...p })),
        ...set.serviceEdgeRouterPolicies.map(p => ({ kind: "ServiceEdgeRouterPolicy" as const, resourceName: r(p.name), semantic: "AnyOf" as const, ...p })),
    ];
}

/** The cluster's service names in this flavor: its Prometheus service as configured, its exporter `<c>.exporter.svc`. */
function serviceNames(place: ClusterPlace) {
    return { prometheus: place.serviceNames.prometheus, exporter: upstreamServiceNames(place.name).exporter };
}

/** A cluster's Ziti entities, plus `<c>.ziti.id` when its Kubernetes API is a Ziti service (the plan's policies bind it). */
function clusterZiti(place: ClusterPlace): ZitiEntity[] {
    const set = clusterEntities({ clusterName: place.name, serviceNames: serviceNames(place), edgeRouterRoles: place.edgeRouterRoles });
    if (place.kubernetesApi) {
        set.identities.push({ name: `${place.name}.ziti.id`, roleAttributes: [] });
        set.edgeRouterPolicies[0].identityRoles.push(`@${place.name}.ziti.id`);
    }
    return toPlanEntities(set, place.resourcePrefix);
}

/**
 * Cluster stack outputs in the seam's shape: the Ziti service names (no prometheuz `service-terminator`);
 * central derives each one's loopback port from the name (proxyPorts.ts), as the cluster stack did.
 */
function targets(place: ClusterPlace): ClusterTargets {
    const s = serviceNames(place);
    return { clusterName: place.name, federationTarget: s.prometheus, reflectzScrapeTarget: s.exporter };
}

/** With remote write, what the cluster stack exports for central: its route and its writing identity (by name). */
function clusterWrite(place: ClusterPlace): ClusterWrite | undefined {
    return place.remoteWrite && { service: place.remoteWrite.service, path: place.remoteWrite.path, writer: writerIdentity(place.name) };
}

/** Central's entities; with remote write also the write service, whose Dial policy names each writer (Inputs: resources or StackReferences). */
function centralZiti(place: CentralPlace): ZitiEntity[] {
    const own = centralEntities({ centralName: place.name, edgeRouterRoles: place.edgeRouterRoles });
    if (!place.remoteWrite) return toPlanEntities(own, place.resourcePrefix);
    const { set, dialPolicy } = centralWriteEntities(place.name, place.remoteWrite.spec, place.edgeRouterRoles);
    const plan = toPlanEntities(mergeEntitySets(own, set), place.resourcePrefix);
    const dial = plan.find(e => e.kind === "ServicePolicy" && e.name === dialPolicy) as Extract<ZitiEntity, { kind: "ServicePolicy" }>;
    dial.identityRoles = place.remoteWrite.writers.map(w => pulumi.interpolate`@${w}`);
    // Central's own receiver: writers are granted the service once its Prometheus runs with the receiver on. Before
    // that (a switch from federation) the old one answers 404 (prometheus v3.16.0 web/api/v1/api.go), which remote
    // write does not retry (storage/remote/client.go Store: only 5xx and 429): the batch would be lost. Without the
    // grant the sidecar does not proxy the port, the connection is refused, and the agent retries from its WAL.
    if (!place.remoteWrite.spec.external) dial.afterWorkloads = true;
    return plan;
}

function dialed(t: ClusterTargets): DialedService[] {
    return [
        { cluster: t.clusterName, service: t.federationTarget, port: proxyPort(t.federationTarget), role: "prometheus" },
        { cluster: t.clusterName, service: t.reflectzScrapeTarget, port: proxyPort(t.reflectzScrapeTarget), role: "exporter" },
    ];
}

export const upstream: Flavor = {
    name: "upstream",
    description: "stock Prometheus 3 with OpenZiti's tunneler as a sidecar, plain configmap-reload, node_exporter as the target",
    images: {
        prometheus: PROMETHEUS3_IMAGE,
        reload: CONFIGMAP_RELOAD_UPSTREAM_IMAGE,
        exporter: NODE_EXPORTER_IMAGE,
        tunneler: ZITI_TUNNEL_IMAGE,
    },
    // Federate by default, as the article and as issue 21's end-to-end tier checks; the README says when to switch.
    collection: { default: "federate", supported: ["federate", "remoteWrite"] },
    zitiEntities: place => (place.kind === "central" ? centralZiti(place) : clusterZiti(place)),
    clusterTargets: place => ({ ...targets(place), ...(place.remoteWrite ? { remoteWrite: clusterWrite(place) } : {}) }),
    clusterWrite,
    clusterPrometheusConfig: place => clusterPrometheusConfig({
        clusterName: place.name, exporter: dialed(targets(place))[1], scrapeInterval: place.scrapeInterval,
        ...(place.remoteWrite ? { remoteWrite: place.remoteWrite, mode: clusterMode(place.kind, "remoteWrite") } : {}),
    }),
    centralPrometheusConfig: (place, clusters) => place.remoteWrite
        ? receiverPrometheusConfig({ centralName: place.name, scrapeInterval: place.scrapeInterval })
        : centralPrometheusConfig({
            centralName: place.name, dialed: clusters.flatMap(dialed), federationMatch: place.federationMatch, scrapeInterval: place.scrapeInterval,
        }),
    clusterWorkloads: upstreamClusterWorkloads,
    centralKubernetes: upstreamCentralKubernetes,
    centralDocker: (place, config, ids) => upstreamCentralDocker(place, config, ids[`${place.name}.prometheus.id`]),
};
