// A cluster's Kubernetes API over Ziti (DESIGN 4c), as plain data: the entities of `<c>.k8s.svc` that every flavor
// shares. plan/places.ts clusterPlan lists them after the flavor's; components/zitiEntities.ts makes them from there.
import * as pulumi from "@pulumi/pulumi";
import { proxyPort } from "../flavors/upstream/proxyPorts";
import { loopbackProxyV1 } from "../flavors/upstream/zitiEntities";
import type { ZitiEntity } from "./types";

/** The port of the Kubernetes API server behind `kubernetes.default.svc` (the `kubernetes` Service's port). */
export const KUBERNETES_API_PORT = 443;
/**
 * Where the in-cluster tunneler forwards API connections: the `kubernetes` Service of the `default`
 * namespace, which every cluster has and whose name the API server's serving certificate carries.
 */
export const KUBERNETES_API_HOST = "kubernetes.default.svc";

/** The hostname a tunneling app intercepts for API service `serviceName` (port KUBERNETES_API_PORT). */
export function kubernetesApiInterceptHost(serviceName: string): string {
    return `${serviceName}.ziti`;
}

export interface KubernetesApiPlace {
    /** Prefix of the resource names (the cluster component's name). */
    resourcePrefix: string;
    clusterName: string;
    /** `<c>.k8s.svc`. */
    serviceName: string;
    /** The identity that binds it: the cluster's tunneler `<c>.ziti.id`. */
    tunnelerIdentity: string;
    /**
     * Admin identity names that may dial it (never empty). In the component they are the admins' `name` outputs,
     * so the Dial and edge router policies wait for those identities.
     */
    admins: pulumi.Input<string>[];
    edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>;
}

/** `@name` of an admin, as an output when the name is one (the policy then depends on the admin's identity). */
const dialer = (n: pulumi.Input<string>): pulumi.Input<string> => (typeof n === "string" ? `@${n}` : pulumi.interpolate`@${n}`);

/**
 * host.v1 to `kubernetes.default.svc:443` (tcp), intercept.v1 on `<svc>.ziti:443` for tunneling apps, proxy.v1 on
 * 127.0.0.1 for an admin's `ziti tunnel proxy`, the service, its Bind policy for the in-cluster tunneler, a Dial policy
 * naming each admin (`@name`, never an attribute, never `#all`), and its own edge router and service edge router policies.
 */
export function kubernetesApiZitiEntities(a: KubernetesApiPlace): ZitiEntity[] {
    const p = `${a.resourcePrefix}-k8s`;
    const c = a.clusterName;
    const svc = a.serviceName;
    const admins = a.admins.map(dialer);
    return [
        { kind: "Config", resourceName: `${p}-intercept`, name: `${svc}.intercept.v1`, configType: "intercept.v1",
            data: { protocols: ["tcp"], addresses: [kubernetesApiInterceptHost(svc)], portRanges: [{ low: KUBERNETES_API_PORT, high: KUBERNETES_API_PORT }] } },
        { kind: "Config", resourceName: `${p}-host`, name: `${svc}.host.v1`, configType: "host.v1",
            data: { protocol: "tcp", address: KUBERNETES_API_HOST, port: KUBERNETES_API_PORT } },
        // An admin's `ziti tunnel proxy` (scripts/lib/zitiTunnel.ts) listens where this says: loopback only, at a port
        // derived from the service name (as the upstream flavor's proxies: every admin and stack agree on it without
        // knowing each other), whatever port its command line names.
        { kind: "Config", resourceName: `${p}-proxy`, name: `${svc}.proxy.v1`, configType: "proxy.v1", data: loopbackProxyV1(proxyPort(svc)) },
        { kind: "Service", resourceName: `${p}-svc`, name: svc, configs: [`${svc}.intercept.v1`, `${svc}.host.v1`, `${svc}.proxy.v1`] },
        { kind: "ServicePolicy", resourceName: `${p}-bind`, name: `${c}.k8s.bind`, type: "Bind", semantic: "AnyOf", serviceRoles: [`@${svc}`], identityRoles: [`@${a.tunnelerIdentity}`] },
        { kind: "ServicePolicy", resourceName: `${p}-dial`, name: `${c}.k8s.dial`, type: "Dial", semantic: "AnyOf", serviceRoles: [`@${svc}`], identityRoles: admins },
        { kind: "EdgeRouterPolicy", resourceName: `${p}-erp`, name: `${c}.k8s.edge-router-policy`, semantic: "AnyOf", edgeRouterRoles: a.edgeRouterRoles,
            identityRoles: [`@${a.tunnelerIdentity}`, ...admins] },
        { kind: "ServiceEdgeRouterPolicy", resourceName: `${p}-serp`, name: `${c}.k8s.service-edge-router-policy`, semantic: "AnyOf", edgeRouterRoles: a.edgeRouterRoles,
            serviceRoles: [`@${svc}`] },
    ];
}
