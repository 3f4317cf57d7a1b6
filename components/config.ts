// The stack configuration, typed and validated in one place. `readConfig()` reads the
// `scrape-anywhere:*` keys of the current stack; `parseConfig()` is the pure part the tests call.
// Every rule here runs before the program creates any resource, so bad config fails the preview.
import * as pulumi from "@pulumi/pulumi";
import { CONFIGMAP_RELOAD_IMAGE } from "./workloads/configmapReload";
import { CONFIGMAP_RELOADZ_IMAGE } from "./workloads/configmapReloadz";
import { PROMETHEUS_IMAGE } from "./workloads/prometheus";
import { REFLECTZ_IMAGE } from "./workloads/reflectz";
import { ZITI_HOST_IMAGE } from "./workloads/zitiHost";
import { DEFAULT_FLAVOR, FLAVORS } from "../flavors";

/** What this stack builds: everything (`dev`), one cluster (`cluster`) or the central Prometheus (`central`). */
export type StackRole = "dev" | "cluster" | "central";
export const STACK_ROLES: readonly StackRole[] = ["dev", "cluster", "central"];

/** `hybrid` = ClusterA (Prometheus on the underlay behind a tunneler); `dark` = ClusterB (overlay only). */
export type ClusterKind = "hybrid" | "dark";
export const CLUSTER_KINDS: readonly ClusterKind[] = ["hybrid", "dark"];

/** Where the central Prometheus runs. */
export type CentralPlacement = "kubernetes" | "docker";

/** How the program reaches one Kubernetes cluster. */
export interface KubernetesTarget {
    /** Path or content of a kubeconfig; absent = the ambient kubeconfig. */
    kubeconfig?: string;
    /** kubeconfig context to use. */
    context?: string;
    /**
     * Set when the cluster is not contacted at all: manifests are rendered into this folder
     * (`rendered/<stack>/<cluster>`) instead. Chosen when neither kubeconfig nor context is given.
     */
    renderDirectory?: string;
}

export interface ClusterSpec {
    /** Cluster name, used in every Ziti entity name (`<name>.reflect.id`); letters, digits, `_` only. */
    name: string;
    kind: ClusterKind;
    /** Kubernetes namespace for the workloads. */
    namespace: string;
    kubernetes: KubernetesTarget;
    /** Ziti service names; default `<name>.reflect.svc`, `<name>.reflect.scrape.svc`, `<name>.prometheus.svc`. */
    serviceNames: ClusterServiceNames;
    /**
     * The cluster's Kubernetes API as a Ziti service (DESIGN 4c), when `kubernetesApi` is on: the service
     * name (`<name>.k8s.svc`) and the admin identities that may dial it (names from `kubernetesAdmins`).
     */
    kubernetesApi?: KubernetesApiSpec;
    /**
     * Set when the program reaches this cluster's API server only over Ziti: the deploy scripts run a
     * local `ziti tunnel proxy` for `service` with `identityFile` and hand its address to the program
     * (SCRAPE_ANYWHERE_API_ENDPOINTS, see components/apiOverZiti.ts).
     */
    apiOverZiti?: ApiOverZitiSpec;
}

export interface KubernetesApiSpec {
    /** The Ziti service of the API server, `<cluster>.k8s.svc`. */
    serviceName: string;
    /** Names of the admin identities granted Dial (never empty). */
    admins: string[];
}

export interface ApiOverZitiSpec {
    /** The Ziti service that reaches the API server (default `<cluster>.k8s.svc`). */
    service: string;
    /** An enrolled admin identity file with Dial on `service` (used by the local tunnel, never by the program). */
    identityFile: string;
    /**
     * The name the API server's certificate is checked against behind the local tunnel (the service's
     * host.v1 address): `kubernetes.default.svc` by default, which the API server's serving certificate
     * carries as a SAN on a standard cluster.
     */
    tlsServerName: string;
    /**
     * The loopback port of the local tunnel (default 16443, 16444, ... in cluster order). Fixed, not random:
     * the provider's kubeconfig in state names it, and `pulumi destroy` (which does not run the program)
     * reaches the cluster through a tunnel started again on the same port.
     */
    localPort: number;
}

/** The first default `apiOverZiti.localPort`. */
export const DEFAULT_API_TUNNEL_PORT = 16443;

/** The Ziti service name of a cluster's Kubernetes API (walkthrough style). */
export function kubernetesApiServiceName(cluster: string): string {
    return `${cluster}.k8s.svc`;
}

export interface ClusterServiceNames {
    /** The reflectz echo service. */
    reflect: string;
    /** The reflectz metrics (scrape) service. */
    reflectScrape: string;
    /** The cluster Prometheus service (federation, UI). */
    prometheus: string;
}

/** The default Ziti service names of a cluster, as in the published walkthrough. */
export function defaultServiceNames(cluster: string): ClusterServiceNames {
    return { reflect: `${cluster}.reflect.svc`, reflectScrape: `${cluster}.reflect.scrape.svc`, prometheus: `${cluster}.prometheus.svc` };
}

export interface Images {
    /** Prometheus with the Ziti SDK inside. */
    prometheus: string;
    /** Plain configmap-reload, calls `http://127.0.0.1:9090/-/reload` (HybridCluster). */
    configmapReload: string;
    /** Zitified configmap-reload, reaches Prometheus over Ziti (DarkCluster, central). */
    zitiConfigmapReload: string;
    /** The zitified reflectz echo server and scrape target. */
    reflectz: string;
    /** The Ziti tunneler that hosts ClusterA's Prometheus service and, with kubernetesApi, each cluster's API service. */
    tunneler: string;
}

/**
 * The images the upstream charts pin, from each workload's contract (components/workloads/*.ts, where
 * the sources are named); `scrape-anywhere:images` overrides any of them per stack.
 */
export const DEFAULT_IMAGES: Images = {
    prometheus: PROMETHEUS_IMAGE,
    configmapReload: CONFIGMAP_RELOAD_IMAGE,
    zitiConfigmapReload: CONFIGMAP_RELOADZ_IMAGE,
    reflectz: REFLECTZ_IMAGE,
    tunneler: ZITI_HOST_IMAGE,
};

export interface CentralSpec {
    /** Name used in the central Ziti entities (`<name>.prometheus.id`) and its render folder. */
    name: string;
    placement: CentralPlacement;
    /** Namespace when placed in Kubernetes. */
    namespace: string;
    /** Kubernetes target when `placement` is `kubernetes`. */
    kubernetes: KubernetesTarget;
    /** Docker daemon address (e.g. `ssh://user@host`) when `placement` is `docker`; absent = local default. */
    dockerHost?: string;
    /**
     * The container's network when `placement` is `docker`: `bridge` (absent: the Docker provider's default),
     * `none`, or a user-defined network; never `host`. It only needs outbound connections to the Ziti routers.
     */
    dockerNetworkMode?: string;
}

export interface ScrapeAnywhereConfig {
    stack: string;
    role: StackRole;
    /** The workload flavor (flavors/index.ts): which images run in each place and how they reach the overlay. */
    flavor: string;
    /** Clusters this stack builds (dev: all of them; cluster: exactly one; central: none). */
    clusters: ClusterSpec[];
    /** The central Prometheus (dev and central roles). */
    central?: CentralSpec;
    /** Cluster stacks the central stack reads (central role), e.g. `organization/scrape-anywhere/clusterA`. */
    stackReferences: string[];
    images: Images;
    scrapeInterval: string;
    /** `match[]` selectors of the federation jobs. */
    federationMatch: string[];
    /** Edge router roles for the edge router policies and service edge router policies. */
    edgeRouterRoles: string[];
    /** Human client identities to create (dev and central roles), with both client attributes. */
    clientIdentities: string[];
    /** Whether each cluster gets a Ziti service for its Kubernetes API (`kubernetesApi`, dev and cluster roles). */
    kubernetesApi: boolean;
    /** Admin identities this stack creates (un-enrolled `User`s) to dial the clusters' API services. */
    kubernetesAdmins: string[];
}

/** The raw shapes accepted in stack config (everything optional, checked by `parseConfig`). */
export interface RawClusterSpec {
    name?: unknown;
    kind?: unknown;
    namespace?: unknown;
    kubeconfig?: unknown;
    context?: unknown;
    serviceNames?: unknown;
    kubernetesAdmins?: unknown;
    apiOverZiti?: unknown;
}

export interface RawConfig {
    role?: unknown;
    flavor?: unknown;
    clusters?: unknown;
    clusterCount?: unknown;
    generatedClusterKind?: unknown;
    central?: unknown;
    stackReferences?: unknown;
    images?: unknown;
    namespace?: unknown;
    scrapeInterval?: unknown;
    federationMatch?: unknown;
    edgeRouterRoles?: unknown;
    clientIdentities?: unknown;
    kubernetesApi?: unknown;
    kubernetesAdmins?: unknown;
}

/** The config keys read from the stack, all under the `scrape-anywhere:` namespace. */
export const CONFIG_KEYS: readonly (keyof RawConfig)[] = [
    "role", "flavor", "clusters", "clusterCount", "generatedClusterKind", "central", "stackReferences", "images",
    "namespace", "scrapeInterval", "federationMatch", "edgeRouterRoles", "clientIdentities", "kubernetesApi", "kubernetesAdmins",
];
/** Keys whose values are structured (lists, objects, numbers) and arrive as JSON text. */
const STRUCTURED_KEYS = new Set<keyof RawConfig>([
    "clusters", "clusterCount", "central", "stackReferences", "images", "federationMatch", "edgeRouterRoles", "clientIdentities",
    "kubernetesApi", "kubernetesAdmins",
]);

/** A config mistake: a `pulumi.RunError`, so the engine prints the message alone, without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a name that ends up inside a prometheuz scrape target (`service-terminator`, split on `-`):
 * cluster names, and the Ziti service and identity names built from them.
 */
export function validateScrapeName(what: string, name: string): void {
    if (name.includes("-")) {
        throw new ConfigError(
            `${what} "${name}" contains '-': prometheuz splits scrape targets written 'service-terminator' on '-', ` +
            `so Ziti service, identity and cluster names must not contain it. Use '_' or camelCase, e.g. "${name.replace(/-/g, "_")}".`);
    }
}

function fail(key: string, message: string): never {
    throw new ConfigError(`scrape-anywhere:${key}: ${message}`);
}

function optString(key: string, v: unknown, dflt: string): string;
function optString(key: string, v: unknown, dflt?: undefined): string | undefined;
function optString(key: string, v: unknown, dflt?: string): string | undefined {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "string") fail(key, `must be a string, got ${JSON.stringify(v)}`);
    return v;
}

function optBool(key: string, v: unknown, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    // Stack config holds text: `pulumi config set kubernetesApi true` arrives as "true".
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    return fail(key, `must be true or false, got ${JSON.stringify(v)}`);
}

function optStringList(key: string, v: unknown, dflt: string[]): string[] {
    if (v === undefined || v === null) return dflt;
    if (!Array.isArray(v) || v.some(x => typeof x !== "string" || x === "")) {
        fail(key, `must be a list of non-empty strings, got ${JSON.stringify(v)}`);
    }
    return v as string[];
}

function kubernetesTarget(key: string, stack: string, name: string, kubeconfig: unknown, context: unknown): KubernetesTarget {
    const kc = optString(`${key}.kubeconfig`, kubeconfig);
    const ctx = optString(`${key}.context`, context);
    if (kc === undefined && ctx === undefined) {
        return { renderDirectory: `rendered/${stack}/${name}` };
    }
    return { kubeconfig: kc, context: ctx };
}

function checkClusterName(key: string, name: unknown): string {
    if (typeof name !== "string" || name === "") fail(key, `a cluster needs a non-empty string name, got ${JSON.stringify(name)}`);
    validateScrapeName(`scrape-anywhere:${key}: cluster name`, name);
    if (!NAME_RE.test(name)) {
        fail(key, `cluster name "${name}" must start with a letter and hold only letters, digits and '_' ` +
            `(it is used in Ziti names like "${name}.reflect.id" and in the folder rendered/<stack>/${name}).`);
    }
    return name;
}

function checkNamespace(key: string, ns: string): string {
    if (!DNS_LABEL_RE.test(ns) || ns.length > 63) {
        fail(key, `namespace "${ns}" is not a valid Kubernetes namespace (lowercase letters, digits and '-', at most 63).`);
    }
    return ns;
}

function parseCluster(raw: unknown, i: number, stack: string, defaultNamespace: string): ClusterSpec {
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

function parseApiOverZiti(key: string, raw: unknown, cluster: string, kubernetes: KubernetesTarget): ApiOverZitiSpec {
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
    let localPort = 0; // 0 = the default, filled in by parseConfig in cluster order
    if (r.localPort !== undefined && r.localPort !== null) {
        localPort = typeof r.localPort === "string" ? Number(r.localPort) : (r.localPort as number);
        if (!Number.isInteger(localPort) || localPort < 1 || localPort > 65535) fail(`${key}.localPort`, `must be a port number 1-65535, got ${JSON.stringify(r.localPort)}`);
    }
    return { service, identityFile, tlsServerName, localPort };
}

/** Names of generated clusters: `gen001`, `gen002`, ... (zero-padded to at least three digits). */
export function generatedClusterName(i: number, count: number): string {
    return `gen${String(i + 1).padStart(Math.max(3, String(count).length), "0")}`;
}

/**
 * Validates raw stack config and fills in defaults. Throws a `ConfigError` naming the key and the fix.
 */
export function parseConfig(raw: RawConfig, stack: string): ScrapeAnywhereConfig {
    const role = optString("role", raw.role, "dev");
    if (!STACK_ROLES.includes(role as StackRole)) {
        fail("role", `unknown role "${role}"; use one of: ${STACK_ROLES.join(", ")} ` +
            `(dev = whole topology in one stack, cluster = one cluster, central = the central Prometheus).`);
    }

    const namespace = checkNamespace("namespace", optString("namespace", raw.namespace, "monitoring"));
    const flavor = optString("flavor", raw.flavor, DEFAULT_FLAVOR);
    if (!(flavor in FLAVORS)) fail("flavor", `unknown workload flavor "${flavor}"; use one of: ${Object.keys(FLAVORS).join(", ")}.`);

    // Clusters: the listed ones, then `clusterCount` generated ones.
    if (raw.clusters !== undefined && raw.clusters !== null && !Array.isArray(raw.clusters)) {
        fail("clusters", `must be a list of clusters like [{name: kubeA, kind: hybrid}], got ${JSON.stringify(raw.clusters)}`);
    }
    const rawClusters = (raw.clusters as unknown[] | undefined) ?? [];
    const clusters = rawClusters.map((c, i) => parseCluster(c, i, stack, namespace));
    let count = 0;
    if (raw.clusterCount !== undefined && raw.clusterCount !== null) {
        count = typeof raw.clusterCount === "string" ? Number(raw.clusterCount) : (raw.clusterCount as number);
        if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
            fail("clusterCount", `must be a whole number >= 0, got ${JSON.stringify(raw.clusterCount)}`);
        }
    }
    const genKind = optString("generatedClusterKind", raw.generatedClusterKind, "alternate");
    if (![...CLUSTER_KINDS, "alternate"].includes(genKind)) {
        fail("generatedClusterKind", `unknown kind "${genKind}"; use hybrid, dark or alternate.`);
    }
    for (let i = 0; i < count; i++) {
        const name = generatedClusterName(i, count);
        const kind: ClusterKind = genKind === "alternate" ? (i % 2 === 0 ? "hybrid" : "dark") : (genKind as ClusterKind);
        clusters.push({ name, kind, namespace, kubernetes: { renderDirectory: `rendered/${stack}/${name}` }, serviceNames: defaultServiceNames(name) });
    }
    const seen = new Set<string>();
    for (const c of clusters) {
        // Ziti names are case-sensitive but render folders may not be: compare case-insensitively.
        const k = c.name.toLowerCase();
        if (seen.has(k)) fail("clusters", `duplicate cluster name "${c.name}": every cluster needs its own name (Ziti entity names are built from it).`);
        seen.add(k);
    }
    const services = new Set<string>();
    for (const c of clusters) {
        for (const svc of Object.values(c.serviceNames)) {
            if (services.has(svc)) fail("clusters", `duplicate Ziti service name "${svc}" (cluster "${c.name}"): Ziti service names are unique on a network.`);
            services.add(svc);
        }
    }

    // Local tunnel ports: as configured, else the next free default, never one port for two clusters.
    const ports = new Set(clusters.flatMap(c => (c.apiOverZiti?.localPort ? [c.apiOverZiti.localPort] : [])));
    let nextPort = DEFAULT_API_TUNNEL_PORT;
    const claimed = new Set<number>();
    for (const c of clusters) {
        if (!c.apiOverZiti) continue;
        if (!c.apiOverZiti.localPort) {
            while (ports.has(nextPort)) nextPort++;
            c.apiOverZiti.localPort = nextPort;
            ports.add(nextPort);
        }
        if (claimed.has(c.apiOverZiti.localPort)) fail("clusters", `two clusters use the local tunnel port ${c.apiOverZiti.localPort}: give each its own apiOverZiti.localPort.`);
        claimed.add(c.apiOverZiti.localPort);
    }

    const stackReferences = optStringList("stackReferences", raw.stackReferences, []);
    if (new Set(stackReferences).size !== stackReferences.length) {
        fail("stackReferences", `lists the same stack twice: ${JSON.stringify(stackReferences)}`);
    }

    let central: CentralSpec | undefined;
    if (role !== "cluster") {
        const rc = raw.central ?? {};
        if (typeof rc !== "object" || Array.isArray(rc)) fail("central", `must be an object like {placement: kubernetes}, got ${JSON.stringify(rc)}`);
        const r = rc as Record<string, unknown>;
        const name = checkClusterName("central.name", r.name ?? "central");
        if (seen.has(name.toLowerCase())) fail("central.name", `"${name}" is also a cluster name; pick another name for the central Prometheus.`);
        const placement = optString("central.placement", r.placement, "kubernetes");
        if (placement !== "kubernetes" && placement !== "docker") {
            fail("central.placement", `unknown placement "${placement}"; use kubernetes or docker.`);
        }
        central = {
            name,
            placement,
            namespace: checkNamespace("central.namespace", optString("central.namespace", r.namespace, namespace)),
            kubernetes: kubernetesTarget("central", stack, name, r.kubeconfig, r.context),
            dockerHost: optString("central.dockerHost", r.dockerHost),
            dockerNetworkMode: optString("central.dockerNetworkMode", r.dockerNetworkMode),
        };
        if (central.dockerNetworkMode === "host" || central.dockerNetworkMode === "") {
            fail("central.dockerNetworkMode", `"${central.dockerNetworkMode}" is not allowed: the host network would expose Prometheus' ` +
                `listeners on the host; use bridge (the default), none, or a user-defined network.`);
        }
    }

    switch (role as StackRole) {
        case "dev":
            if (clusters.length === 0) {
                fail("clusters", `the dev stack builds the central Prometheus, which needs at least one cluster to scrape: ` +
                    `list clusters in scrape-anywhere:clusters or set scrape-anywhere:clusterCount.`);
            }
            if (stackReferences.length > 0) fail("stackReferences", `only the central role reads stack references; the dev stack builds its clusters itself.`);
            break;
        case "cluster":
            if (clusters.length !== 1) {
                fail("clusters", `a cluster stack builds exactly one cluster, got ${clusters.length}` +
                    (clusters.length ? ` (${clusters.map(c => c.name).join(", ")})` : "") + `; use role dev for several.`);
            }
            if (stackReferences.length > 0) fail("stackReferences", `only the central role reads stack references.`);
            break;
        case "central":
            if (stackReferences.length === 0) {
                fail("stackReferences", `the central stack has no clusters: list the cluster stacks it federates, ` +
                    `e.g. [organization/scrape-anywhere/clusterA, organization/scrape-anywhere/clusterB].`);
            }
            if (clusters.length > 0) fail("clusters", `the central stack builds no cluster; it reads them from scrape-anywhere:stackReferences.`);
            break;
    }

    const ri = raw.images ?? {};
    if (typeof ri !== "object" || Array.isArray(ri)) fail("images", `must be an object like {prometheus: ${DEFAULT_IMAGES.prometheus}}`);
    const images: Images = { ...DEFAULT_IMAGES };
    for (const [k, v] of Object.entries(ri as Record<string, unknown>)) {
        if (!(k in DEFAULT_IMAGES)) fail(`images.${k}`, `unknown image; known: ${Object.keys(DEFAULT_IMAGES).join(", ")}.`);
        if (typeof v !== "string" || v.trim() === "") fail(`images.${k}`, `image must be a non-empty string like "${DEFAULT_IMAGES[k as keyof Images]}", got ${JSON.stringify(v)}`);
        images[k as keyof Images] = v;
    }

    const scrapeInterval = optString("scrapeInterval", raw.scrapeInterval, "15s");
    if (!/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(scrapeInterval)) fail("scrapeInterval", `"${scrapeInterval}" is not a Prometheus duration like 15s or 1m.`);

    const clientIdentities = optStringList("clientIdentities", raw.clientIdentities, []);
    if (role === "cluster" && clientIdentities.length > 0) fail("clientIdentities", `client identities are made by the dev or central stack.`);
    if (new Set(clientIdentities).size !== clientIdentities.length) fail("clientIdentities", `lists the same identity twice.`);

    // The Kubernetes API over Ziti (DESIGN 4c): admins are named, created here, and the only dialers.
    const kubernetesApi = optBool("kubernetesApi", raw.kubernetesApi, false);
    const kubernetesAdmins = optStringList("kubernetesAdmins", raw.kubernetesAdmins, []);
    if (new Set(kubernetesAdmins).size !== kubernetesAdmins.length) fail("kubernetesAdmins", `lists the same identity twice: ${JSON.stringify(kubernetesAdmins)}`);
    if (kubernetesApi && role === "central") fail("kubernetesApi", `the central stack builds no cluster; turn the Kubernetes API services on in the dev or cluster stacks.`);
    if (kubernetesApi && kubernetesAdmins.length === 0) {
        fail("kubernetesAdmins", `kubernetesApi is on but no admin may dial the clusters' API services: name at least one admin identity, ` +
            `e.g. \`pulumi config set --path 'scrape-anywhere:kubernetesAdmins[0]' ops.admin\` (or set kubernetesApi false).`);
    }
    if (!kubernetesApi && kubernetesAdmins.length > 0) {
        fail("kubernetesAdmins", `lists admins ${JSON.stringify(kubernetesAdmins)} but kubernetesApi is off: set scrape-anywhere:kubernetesApi true, or remove the admins.`);
    }
    const programIdentities = new Set([
        ...clusters.flatMap(c => [`${c.name}.reflect.id`, `${c.name}.prometheus.id`, `${c.name}.ziti.id`]),
        ...(central ? [`${central.name}.prometheus.id`] : []),
        ...clientIdentities,
    ]);
    for (const a of kubernetesAdmins) {
        if (programIdentities.has(a)) {
            fail("kubernetesAdmins", `"${a}" is an identity the program makes for a workload or a client (${a.endsWith(".prometheus.id") ? "a Prometheus identity" : "not an admin"}); ` +
                `the Kubernetes API is dialled only by dedicated admin identities: pick another name, e.g. "${a.split(".")[0]}.admin".`);
        }
    }
    clusters.forEach((c, i) => {
        const r = (rawClusters[i] ?? {}) as RawClusterSpec; // generated clusters take the stack-wide admins
        const key = `clusters[${i}].kubernetesAdmins`;
        if (r.kubernetesAdmins !== undefined && r.kubernetesAdmins !== null && !kubernetesApi) {
            fail(key, `cluster "${c.name}" names API admins but scrape-anywhere:kubernetesApi is off.`);
        }
        if (!kubernetesApi) return;
        const admins = optStringList(key, r.kubernetesAdmins, kubernetesAdmins);
        for (const a of admins) {
            if (!kubernetesAdmins.includes(a)) {
                fail(key, `unknown admin "${a}" for cluster "${c.name}": a cluster's API admins must be listed in scrape-anywhere:kubernetesAdmins ` +
                    `(${kubernetesAdmins.join(", ")}), which creates them.`);
            }
        }
        if (admins.length === 0) fail(key, `cluster "${c.name}" has no API admin left: name at least one of ${kubernetesAdmins.join(", ")}, or set kubernetesApi false.`);
        c.kubernetesApi = { serviceName: kubernetesApiServiceName(c.name), admins: [...new Set(admins)] };
        if (services.has(c.kubernetesApi.serviceName)) fail("clusters", `duplicate Ziti service name "${c.kubernetesApi.serviceName}" (cluster "${c.name}").`);
        services.add(c.kubernetesApi.serviceName);
    });

    return {
        stack,
        role: role as StackRole,
        flavor,
        clusters,
        central,
        stackReferences,
        images,
        scrapeInterval,
        federationMatch: optStringList("federationMatch", raw.federationMatch, ['{job=~".+"}']),
        edgeRouterRoles: optStringList("edgeRouterRoles", raw.edgeRouterRoles, ["#all"]),
        clientIdentities,
        kubernetesApi,
        kubernetesAdmins,
    };
}

/** Reads and validates the current stack's `scrape-anywhere:*` config. */
export function readConfig(): ScrapeAnywhereConfig {
    const config = new pulumi.Config("scrape-anywhere");
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        const text = config.get(key);
        if (text === undefined) continue;
        let value: unknown = text;
        if (STRUCTURED_KEYS.has(key)) {
            try {
                value = JSON.parse(text);
            } catch {
                // A bare word where a list or object belongs: parseConfig reports it with the key's expected shape.
            }
        }
        (raw as Record<string, unknown>)[key] = value;
    }
    return parseConfig(raw, pulumi.getStack());
}
