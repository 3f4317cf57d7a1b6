// A cluster's Kubernetes API over Ziti (DESIGN 4c), as plain data: the entities of `<c>.k8s.svc` that every flavor
// shares. components/zitiEntities.ts createKubernetesApiZiti makes the same entities as resources (with the
// tunneler's and the admins' names as outputs, so the policies wait for them); test/unit/places.spec.ts checks that
// the program registers exactly what this lists, so the bench baselines built from it cannot drift.
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

export interface KubernetesApiPlace {
    /** Prefix of the resource names (the cluster component's name). */
    resourcePrefix: string;
    clusterName: string;
    /** `<c>.k8s.svc`. */
    serviceName: string;
    /** The identity that binds it: the cluster's tunneler `<c>.ziti.id`. */
    tunnelerIdentity: string;
    /** Admin identity names that may dial it (never empty). */
    admins: string[];
    edgeRouterRoles: string[];
}

/** host.v1 to the API, intercept.v1 on `<svc>.ziti:443`, proxy.v1 on loopback, the service, its four policies. */
export function kubernetesApiZitiEntities(a: KubernetesApiPlace): ZitiEntity[] {
    const p = `${a.resourcePrefix}-k8s`;
    const c = a.clusterName;
    const svc = a.serviceName;
    const admins = a.admins.map(n => `@${n}`);
    return [
        { kind: "Config", resourceName: `${p}-intercept`, name: `${svc}.intercept.v1`, configType: "intercept.v1",
            data: { protocols: ["tcp"], addresses: [`${svc}.ziti`], portRanges: [{ low: KUBERNETES_API_PORT, high: KUBERNETES_API_PORT }] } },
        { kind: "Config", resourceName: `${p}-host`, name: `${svc}.host.v1`, configType: "host.v1",
            data: { protocol: "tcp", address: KUBERNETES_API_HOST, port: KUBERNETES_API_PORT } },
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
