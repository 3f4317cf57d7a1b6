// The upstream flavor's Ziti entities, as plain data (zitiGraph.ts types). One identity per pod: the
// tunneler sidecar of that pod. Each hosted service's host.v1 points at the pod's loopback; each service a
// Prometheus dials has a proxy.v1 on loopback at a port derived from its name (proxyPorts.ts).
//
// Cluster <c>:  <c>.prometheus.id  Binds <c>.prometheus.svc (host.v1 127.0.0.1:9090), Dials <c>.exporter.svc
//               <c>.exporter.id    Binds <c>.exporter.svc   (host.v1 127.0.0.1:9100)
// Central <n>:  <n>.prometheus.id  Binds <n>.prometheus.svc, Dials every cluster's prometheus and exporter svc
// Clients:      each human identity Dials everything a Prometheus serves (for `npm run ui` / verify)
import { proxyPort } from "./proxyPorts";
import { NODE_EXPORTER } from "./workloads/nodeExporter";
import { PROMETHEUS3 } from "./workloads/prometheus";
import type * as pulumi from "@pulumi/pulumi";
import { emptyEntitySet, ZitiConfigData, ZitiEntitySet } from "./zitiGraph";

type RouterRoles = pulumi.Input<pulumi.Input<string>[]>;

/** Attribute of identities that may dial every scrape target (central, human clients); a cluster's own Prometheus is named. */
export const EXPORTER_CLIENTS = "exporter-clients";
/** Attribute of identities that may dial (federate) every cluster Prometheus. */
export const FEDERATION_CLIENTS = "federation-clients";
/** Attribute of identities that may dial the central Prometheus (its UI and API). */
export const PROMETHEUS_CLIENTS = "prometheus-clients";
/** The port tunneling clients (intercept.v1, e.g. a desktop tunneler) use for every service, as in the article flavor. */
export const INTERCEPT_PORT = 80;
/** Nothing listens on any interface but loopback: proxies bind here (proxy.v1 `binding`). */
export const LOOPBACK = "127.0.0.1";

/**
 * A proxy.v1 config's data: a `ziti tunnel proxy` that dials the service listens on 127.0.0.1:`port` only.
 * The config replaces the command line's `service:port` entirely, and `binding` is resolved with openziti/
 * transport ResolveLocalBinding (openziti/ziti v1.7.2 tunnel/intercept/proxy/proxy.go Intercept, handleTCP;
 * tunnel/entities/service.go ProxyV1Config{port, protocols, binding}). Also the cluster API service's
 * (components/zitiEntities.ts createKubernetesApiZiti).
 */
export function loopbackProxyV1(port: number): { binding: string; port: number; protocols: string[] } {
    return { binding: LOOPBACK, port, protocols: ["tcp"] };
}

export interface UpstreamServiceNames { prometheus: string; exporter: string }

/** The default service names of cluster `c` (overridable per cluster, like the article flavor's). */
export function upstreamServiceNames(c: string): UpstreamServiceNames {
    return { prometheus: `${c}.prometheus.svc`, exporter: `${c}.exporter.svc` };
}

/** What a dialer needs to reach one service through its sidecar: exported by cluster stacks, read by central. */
export interface DialedService { cluster: string; service: string; port: number; role: "prometheus" | "exporter" }

const at = (name: string) => `@${name}`;

/**
 * The configs of a service hosted by `binder` on the pod's loopback `hostPort` and dialed through loopback proxies.
 * The host.v1 binds with the edge identity (terminators carry the binder's name, the article's addressing), and
 * then a dial must name that identity: tested, a dial without one fails "service ... has no terminators for
 * instanceId" (tier upstream). The tunneler takes the identity to dial from intercept.v1 `dialOptions.identity`
 * for every interceptor, the proxy included (openziti/ziti tunnel/intercept/svcpoll.go addService ->
 * configureDialIdentityProvider), so the intercept.v1 config carries it.
 */
export function serviceConfigs(service: string, hostPort: number, binder: string): ZitiConfigData[] {
    return [
        {
            name: `${service}.host.v1`, configType: "host.v1",
            // bindUsingEdgeIdentity: the terminator carries the hosting identity's name, as the article addresses services.
            data: { protocol: "tcp", address: LOOPBACK, port: hostPort, listenOptions: { bindUsingEdgeIdentity: true } },
        },
        { name: `${service}.proxy.v1`, configType: "proxy.v1", data: loopbackProxyV1(proxyPort(service)) },
        {
            name: `${service}.intercept.v1`, configType: "intercept.v1",
            data: { protocols: ["tcp"], addresses: [`${service}.ziti`], portRanges: [{ low: INTERCEPT_PORT, high: INTERCEPT_PORT }], dialOptions: { identity: binder } },
        },
    ];
}

function hostedService(set: ZitiEntitySet, service: string, hostPort: number, binder: string): void {
    const configs = serviceConfigs(service, hostPort, binder);
    set.configs.push(...configs);
    set.services.push({ name: service, configs: configs.map(c => c.name) });
}

function bindAndDial(set: ZitiEntitySet, service: string, binder: string, dialers: string[]): void {
    const base = service.replace(/\.svc$/, "");
    set.servicePolicies.push(
        { name: `${base}.bind`, type: "Bind", semantic: "AnyOf", identityRoles: [at(binder)], serviceRoles: [at(service)] },
        { name: `${base}.dial`, type: "Dial", semantic: "AnyOf", identityRoles: dialers, serviceRoles: [at(service)] },
    );
}

/** A cluster's entities: its Prometheus pod's and its exporter pod's identities, their two services, policies. */
export function clusterEntities(args: { clusterName: string; serviceNames?: UpstreamServiceNames; edgeRouterRoles: RouterRoles }): ZitiEntitySet {
    const c = args.clusterName;
    const svc = args.serviceNames ?? upstreamServiceNames(c);
    const set = emptyEntitySet();
    const prometheusId = `${c}.prometheus.id`;
    const exporterId = `${c}.exporter.id`;
    set.identities.push({ name: prometheusId, roleAttributes: [] }, { name: exporterId, roleAttributes: [] });
    hostedService(set, svc.prometheus, PROMETHEUS3.port, prometheusId);
    hostedService(set, svc.exporter, NODE_EXPORTER.port, exporterId);
    // Central federates (#federation-clients); people open it with the clients' attribute (#prometheus-clients).
    bindAndDial(set, svc.prometheus, prometheusId, [`#${FEDERATION_CLIENTS}`, `#${PROMETHEUS_CLIENTS}`]);
    bindAndDial(set, svc.exporter, exporterId, [at(prometheusId), `#${EXPORTER_CLIENTS}`]);
    set.edgeRouterPolicies.push({ name: `${c}.edge-router-policy`, identityRoles: [at(prometheusId), at(exporterId)], edgeRouterRoles: args.edgeRouterRoles });
    set.serviceEdgeRouterPolicies.push({ name: `${c}.service-edge-router-policy`, serviceRoles: [at(svc.prometheus), at(svc.exporter)], edgeRouterRoles: args.edgeRouterRoles });
    return set;
}

/** What a cluster stack exports for central: the services central dials and their loopback ports. */
export function clusterDialedServices(clusterName: string, serviceNames = upstreamServiceNames(clusterName)): DialedService[] {
    return [
        { cluster: clusterName, service: serviceNames.prometheus, port: proxyPort(serviceNames.prometheus), role: "prometheus" },
        { cluster: clusterName, service: serviceNames.exporter, port: proxyPort(serviceNames.exporter), role: "exporter" },
    ];
}

/** Central's entities: its Prometheus pod's identity (federates and scrapes every cluster), its service. */
export function centralEntities(args: { centralName: string; edgeRouterRoles: RouterRoles }): ZitiEntitySet {
    const n = args.centralName;
    const set = emptyEntitySet();
    const id = `${n}.prometheus.id`;
    const service = `${n}.prometheus.svc`;
    set.identities.push({ name: id, roleAttributes: [FEDERATION_CLIENTS, EXPORTER_CLIENTS] });
    hostedService(set, service, PROMETHEUS3.port, id);
    bindAndDial(set, service, id, [`#${PROMETHEUS_CLIENTS}`]);
    set.edgeRouterPolicies.push({ name: `${n}.edge-router-policy`, identityRoles: [at(id)], edgeRouterRoles: args.edgeRouterRoles });
    set.serviceEdgeRouterPolicies.push({ name: `${n}.service-edge-router-policy`, serviceRoles: [at(service)], edgeRouterRoles: args.edgeRouterRoles });
    return set;
}
