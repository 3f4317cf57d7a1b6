// The checks parse.ts applies to single values: each failure is a ConfigError naming the key and the fix.
import { ConfigError, validateScrapeName } from "../plan/names";
import { ApiOverZitiSpec, ClusterKind, CLUSTER_KINDS, ClusterSpec, KubernetesTarget, RawClusterSpec } from "./types";
import { ClusterServiceNames, defaultServiceNames, kubernetesApiServiceName } from "../plan/names";

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
export const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function fail(key: string, message: string): never {
    throw new ConfigError(`scrape-anywhere:${key}: ${message}`);
}

export function optString(key: string, v: unknown, dflt: string): string;
export function optString(key: string, v: unknown, dflt?: undefined): string | undefined;
export function optString(key: string, v: unknown, dflt?: string): string | undefined {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "string") fail(key, `must be a string, got ${JSON.stringify(v)}`);
    return v;
}

export function optBool(key: string, v: unknown, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    // Stack config holds text: `pulumi config set kubernetesApi true` arrives as "true".
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    return fail(key, `must be true or false, got ${JSON.stringify(v)}`);
}

export function optStringList(key: string, v: unknown, dflt: string[]): string[] {
    if (v === undefined || v === null) return dflt;
    if (!Array.isArray(v) || v.some(x => typeof x !== "string" || x === "")) {
        fail(key, `must be a list of non-empty strings, got ${JSON.stringify(v)}`);
    }
    return v as string[];
}

export function kubernetesTarget(key: string, stack: string, name: string, kubeconfig: unknown, context: unknown): KubernetesTarget {
    const kc = optString(`${key}.kubeconfig`, kubeconfig);
    const ctx = optString(`${key}.context`, context);
    if (kc === undefined && ctx === undefined) {
        return { renderDirectory: `rendered/${stack}/${name}` };
    }
    return { kubeconfig: kc, context: ctx };
}

export function checkClusterName(key: string, name: unknown): string {
    if (typeof name !== "string" || name === "") fail(key, `a cluster needs a non-empty string name, got ${JSON.stringify(name)}`);
    validateScrapeName(`scrape-anywhere:${key}: cluster name`, name);
    if (!NAME_RE.test(name)) {
        fail(key, `cluster name "${name}" must start with a letter and hold only letters, digits and '_' ` +
            `(it is used in Ziti names like "${name}.reflect.id" and in the folder rendered/<stack>/${name}).`);
    }
    return name;
}

export function checkNamespace(key: string, ns: string): string {
    if (!DNS_LABEL_RE.test(ns) || ns.length > 63) {
        fail(key, `namespace "${ns}" is not a valid Kubernetes namespace (lowercase letters, digits and '-', at most 63).`);
    }
    return ns;
}

export function parseCluster(raw: unknown, i: number, stack: string, defaultNamespace: string): ClusterSpec {
    const key = `clusters[${i}]`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        fail(key, `must be an object like {name: kubeA, kind: hybrid}, got ${JSON.stringify(raw)}`);
    }
    const r = raw as RawClusterSpec;
    const name = checkClusterName(`${key}.name`, r.name);
    const kind = optString(`${key}.kind`, r.kind, "hybrid");
    if (!CLUSTER_KINDS.includes(kind as ClusterKind)) {
        fail(`${key}.kind`, `unknown cluster kind "${kind}" for cluster "${name}"; use one of: ${CLUSTER_KINDS.join(", ")}.`);
    }
    const namespace = checkNamespace(`${key}.namespace`, optString(`${key}.namespace`, r.namespace, defaultNamespace));
    const serviceNames = defaultServiceNames(name);
    if (r.serviceNames !== undefined && r.serviceNames !== null) {
        if (typeof r.serviceNames !== "object" || Array.isArray(r.serviceNames)) {
            fail(`${key}.serviceNames`, `must be an object like {prometheus: ${name}.prometheus.svc}`);
        }
        for (const [k, v] of Object.entries(r.serviceNames as Record<string, unknown>)) {
            if (!(k in serviceNames)) fail(`${key}.serviceNames.${k}`, `unknown service; known: ${Object.keys(serviceNames).join(", ")}.`);
            if (typeof v !== "string" || v === "") fail(`${key}.serviceNames.${k}`, `must be a non-empty string`);
            serviceNames[k as keyof ClusterServiceNames] = v;
        }
    }
    for (const [k, v] of Object.entries(serviceNames)) validateScrapeName(`scrape-anywhere:${key}.serviceNames.${k}: Ziti service name`, v);
    const kubernetes = kubernetesTarget(key, stack, name, r.kubeconfig, r.context);
    const spec: ClusterSpec = { name, kind: kind as ClusterKind, namespace, kubernetes, serviceNames };
    if (r.apiOverZiti !== undefined && r.apiOverZiti !== null) spec.apiOverZiti = parseApiOverZiti(`${key}.apiOverZiti`, r.apiOverZiti, name, kubernetes);
    return spec;
}

export function parseApiOverZiti(key: string, raw: unknown, cluster: string, kubernetes: KubernetesTarget): ApiOverZitiSpec {
    const example = `{service: ${kubernetesApiServiceName(cluster)}, identityFile: ./${cluster}.admin.json}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(key, `must be an object like ${example}, got ${JSON.stringify(raw)}`);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) {
        if (!["service", "identityFile", "tlsServerName", "localPort"].includes(k)) fail(`${key}.${k}`, `unknown key; known: service, identityFile, tlsServerName, localPort.`);
    }
    const identityFile = optString(`${key}.identityFile`, r.identityFile);
    if (!identityFile) {
        fail(`${key}.identityFile`, `cluster "${cluster}" is reached only over Ziti and needs an enrolled admin identity file with Dial on its API service, ` +
            `e.g. ${example} (enroll the admin's JWT with \`ziti edge enroll\`).`);
    }
    if (kubernetes.renderDirectory) {
        fail(key, `cluster "${cluster}" is rendered to files (no kubeconfig or context), so there is no API server to reach over Ziti: ` +
            `set clusters[].kubeconfig and/or clusters[].context (the credentials; the server address is replaced by the local tunnel), or remove apiOverZiti.`);
    }
    const service = optString(`${key}.service`, r.service, kubernetesApiServiceName(cluster));
    const tlsServerName = optString(`${key}.tlsServerName`, r.tlsServerName, "kubernetes.default.svc");
    if (service === "" || tlsServerName === "") fail(key, `service and tlsServerName must not be empty.`);
    if (r.localPort === undefined || r.localPort === null) return { service, identityFile, tlsServerName };
    const localPort = typeof r.localPort === "string" ? Number(r.localPort) : (r.localPort as number);
    if (!Number.isInteger(localPort) || localPort < 1 || localPort > 65535) fail(`${key}.localPort`, `must be a port number 1-65535, got ${JSON.stringify(r.localPort)}`);
    return { service, identityFile, tlsServerName, localPort };
}
