// From the stack's raw config to the validated config the plan reads. The schema (./schema.ts) checks every value
// and fills every fixed default first (./validate.ts); what is left here is what one key cannot say alone: defaults
// computed from other keys, names unique across clusters, what each role needs, the flavor's image keys, the
// Kubernetes API admins. Every failure is a ConfigError naming the key and the fix.
import { FLAVORS } from "../flavors";
import { ConfigError, defaultServiceNames, kubernetesApiServiceName, validateScrapeName } from "../plan/names";
import { programIdentityNames } from "../plan/places";
import { CheckedCluster, CheckedConfig, ClusterKind, ConfigSchema, networkPolicyDefault, RawConfig, StackRole } from "./schema";
import { ApiOverZitiSpec, CentralSpec, ClusterSpec, Images, KubernetesTarget, ScrapeAnywhereConfig } from "./types";
import { fail, validated } from "./validate";
import { parseCollection } from "./collection";


/** Names of generated clusters: `gen001`, `gen002`, ... (zero-padded to at least three digits). */
export function generatedClusterName(i: number, count: number): string {
    return `gen${String(i + 1).padStart(Math.max(3, String(count).length), "0")}`;
}

/** Rendered to `rendered/<stack>/<name>` unless a kubeconfig or context names a real cluster. */
function kubernetesTarget(stack: string, name: string, r: { kubeconfig?: string; context?: string }): KubernetesTarget {
    if (r.kubeconfig === undefined && r.context === undefined) return { renderDirectory: `rendered/${stack}/${name}` };
    return { kubeconfig: r.kubeconfig, context: r.context };
}

function apiOverZiti(key: string, r: NonNullable<CheckedCluster["apiOverZiti"]>, cluster: string, kubernetes: KubernetesTarget): ApiOverZitiSpec {
    if (kubernetes.renderDirectory) {
        fail(key, `cluster "${cluster}" is rendered to files (no kubeconfig or context), so there is no API server to reach over Ziti: ` +
            `set clusters[].kubeconfig and/or clusters[].context (the credentials; the server address is replaced by the local tunnel), or remove apiOverZiti.`);
    }
    const spec: ApiOverZitiSpec = { service: r.service ?? kubernetesApiServiceName(cluster), identityFile: r.identityFile, tlsServerName: r.tlsServerName! };
    if (r.localPort !== undefined) spec.localPort = r.localPort;
    return spec;
}

function cluster(r: CheckedCluster, i: number, stack: string, namespace: string): ClusterSpec {
    const key = `clusters[${i}]`;
    const serviceNames = { ...defaultServiceNames(r.name), ...r.serviceNames };
    for (const [k, v] of Object.entries(serviceNames)) validateScrapeName(`scrape-anywhere:${key}.serviceNames.${k}: Ziti service name`, v);
    const kubernetes = kubernetesTarget(stack, r.name, r);
    const spec: ClusterSpec = { name: r.name, kind: r.kind!, namespace: r.namespace ?? namespace, kubernetes, serviceNames };
    if (r.apiOverZiti) spec.apiOverZiti = apiOverZiti(`${key}.apiOverZiti`, r.apiOverZiti, r.name, kubernetes);
    return spec;
}

/** The listed clusters, then `clusterCount` generated ones. */
function clusters(raw: CheckedConfig, stack: string, namespace: string): ClusterSpec[] {
    const out = (raw.clusters ?? []).map((c, i) => cluster(c, i, stack, namespace));
    const count = raw.clusterCount!;
    for (let i = 0; i < count; i++) {
        const name = generatedClusterName(i, count);
        const genKind = raw.generatedClusterKind!;
        const kind: ClusterKind = genKind === "alternate" ? (i % 2 === 0 ? "hybrid" : "dark") : genKind;
        out.push({ name, kind, namespace, kubernetes: { renderDirectory: `rendered/${stack}/${name}` }, serviceNames: defaultServiceNames(name) });
    }
    return out;
}

/** Cluster names (case-insensitively: render folders may not tell case) and Ziti service names are unique; local tunnel ports too. */
function checkUnique(clusters: ClusterSpec[]): { seen: Set<string>; services: Set<string> } {
    const seen = new Set<string>();
    const services = new Set<string>();
    const ports = new Set<number>();
    for (const c of clusters) {
        if (seen.has(c.name.toLowerCase())) fail("clusters", `duplicate cluster name "${c.name}": every cluster needs its own name (Ziti entity names are built from it).`);
        seen.add(c.name.toLowerCase());
    }
    for (const c of clusters) {
        for (const svc of Object.values(c.serviceNames)) {
            if (services.has(svc)) fail("clusters", `duplicate Ziti service name "${svc}" (cluster "${c.name}"): Ziti service names are unique on a network.`);
            services.add(svc);
        }
        const port = c.apiOverZiti?.localPort;
        if (port && ports.has(port)) fail("clusters", `two clusters use the local tunnel port ${port}: give each its own apiOverZiti.localPort, or remove them.`);
        if (port) ports.add(port);
    }
    return { seen, services };
}

function central(raw: CheckedConfig, stack: string, namespace: string, seen: Set<string>): CentralSpec | undefined {
    if (raw.role === "cluster") return undefined;
    const r = raw.central!;
    const name = r.name!;
    if (seen.has(name.toLowerCase())) fail("central.name", `"${name}" is also a cluster name; pick another name for the central Prometheus.`);
    return {
        name, placement: r.placement!, namespace: r.namespace ?? namespace, kubernetes: kubernetesTarget(stack, name, r),
        dockerHost: r.dockerHost, dockerNetworkMode: r.dockerNetworkMode,
    };
}

/** What each role needs and refuses. */
function checkRole(role: StackRole, clusters: ClusterSpec[], raw: CheckedConfig): void {
    const refs = raw.stackReferences ?? [];
    if (new Set(refs).size !== refs.length) fail("stackReferences", `lists the same stack twice: ${JSON.stringify(refs)}`);
    if (role === "dev" && clusters.length === 0) {
        fail("clusters", `the dev stack builds the central Prometheus, which needs at least one cluster to scrape: ` +
            `list clusters in scrape-anywhere:clusters or set scrape-anywhere:clusterCount.`);
    }
    if (role === "cluster" && clusters.length !== 1) {
        fail("clusters", `a cluster stack builds exactly one cluster, got ${clusters.length}` +
            (clusters.length ? ` (${clusters.map(c => c.name).join(", ")})` : "") + `; use role dev for several.`);
    }
    if (role !== "central" && refs.length > 0) {
        fail("stackReferences", role === "dev" ? `only the central role reads stack references; the dev stack builds its clusters itself.` : `only the central role reads stack references.`);
    }
    if (role === "central" && refs.length === 0) {
        fail("stackReferences", `the central stack has no clusters: list the cluster stacks it federates, ` +
            `e.g. [organization/scrape-anywhere/clusterA, organization/scrape-anywhere/clusterB].`);
    }
    if (role === "central" && clusters.length > 0) fail("clusters", `the central stack builds no cluster; it reads them from scrape-anywhere:stackReferences.`);
    const clients = raw.clientIdentities ?? [];
    if (role === "cluster" && clients.length > 0) fail("clientIdentities", `client identities are made by the dev or central stack.`);
    if (new Set(clients).size !== clients.length) fail("clientIdentities", `lists the same identity twice.`);
}

/** The flavor's images (its own keys and defaults, flavors/<flavor>), each overridable by `scrape-anywhere:images`. */
function images(raw: CheckedConfig): Images {
    const flavor = raw.flavor!;
    const defaults = FLAVORS[flavor].images;
    for (const k of Object.keys(raw.images ?? {})) {
        if (!(k in defaults)) fail(`images.${k}`, `unknown image of flavor ${flavor}; known: ${Object.keys(defaults).join(", ")}.`);
    }
    return { ...defaults, ...raw.images } as unknown as Images;
}

/** The Kubernetes API over Ziti (DESIGN 4c): admins are named, created here, and the only dialers. */
function kubernetesApi(raw: CheckedConfig, clusters: ClusterSpec[], central: CentralSpec | undefined, services: Set<string>): void {
    const on = raw.kubernetesApi!;
    const admins = raw.kubernetesAdmins ?? [];
    if (new Set(admins).size !== admins.length) fail("kubernetesAdmins", `lists the same identity twice: ${JSON.stringify(admins)}`);
    if (on && raw.role === "central") fail("kubernetesApi", `the central stack builds no cluster; turn the Kubernetes API services on in the dev or cluster stacks.`);
    if (on && admins.length === 0) {
        fail("kubernetesAdmins", `kubernetesApi is on but no admin may dial the clusters' API services: name at least one admin identity, ` +
            `e.g. \`pulumi config set --path 'scrape-anywhere:kubernetesAdmins[0]' ops.admin\` (or set kubernetesApi false).`);
    }
    if (!on && admins.length > 0) fail("kubernetesAdmins", `lists admins ${JSON.stringify(admins)} but kubernetesApi is off: set scrape-anywhere:kubernetesApi true, or remove the admins.`);
    clusters.forEach((c, i) => {
        const own = raw.clusters?.[i]?.kubernetesAdmins; // generated clusters take the stack-wide admins
        const key = `clusters[${i}].kubernetesAdmins`;
        if (own !== undefined && !on) fail(key, `cluster "${c.name}" names API admins but scrape-anywhere:kubernetesApi is off.`);
        if (!on) return;
        for (const a of own ?? []) {
            if (!admins.includes(a)) {
                fail(key, `unknown admin "${a}" for cluster "${c.name}": a cluster's API admins must be listed in scrape-anywhere:kubernetesAdmins ` +
                    `(${admins.join(", ")}), which creates them.`);
            }
        }
        if ((own ?? admins).length === 0) fail(key, `cluster "${c.name}" has no API admin left: name at least one of ${admins.join(", ")}, or set kubernetesApi false.`);
        c.kubernetesApi = { serviceName: kubernetesApiServiceName(c.name), admins: [...new Set(own ?? admins)] };
        if (services.has(c.kubernetesApi.serviceName)) fail("clusters", `duplicate Ziti service name "${c.kubernetesApi.serviceName}" (cluster "${c.name}").`);
        services.add(c.kubernetesApi.serviceName);
    });
    // The names come from the one listing of every place's entities (plan/places.ts), as the flavor plans them
    // (after each cluster got its API service above: the listing adds the tunneler and the path for it).
    const programIdentities = programIdentityNames({
        flavor: raw.flavor!, clusters, central, clientIdentities: raw.clientIdentities ?? [], kubernetesApi: on, kubernetesAdmins: [], edgeRouterRoles: [],
    });
    for (const a of admins.filter(a => programIdentities.has(a))) {
        fail("kubernetesAdmins", `"${a}" is an identity the program makes for a workload or a client (${a.endsWith(".prometheus.id") ? "a Prometheus identity" : "not an admin"}); ` +
            `the Kubernetes API is dialled only by dedicated admin identities: pick another name, e.g. "${a.split(".")[0]}.admin".`);
    }
}

/** Validates raw stack config and fills in defaults. Throws a `ConfigError` naming the key and the fix. */
export function parseConfig(input: RawConfig, stack: string): ScrapeAnywhereConfig {
    const raw = validated(ConfigSchema, input);
    const role = raw.role!;
    const namespace = raw.namespace!;
    const listed = clusters(raw, stack, namespace);
    const { seen, services } = checkUnique(listed);
    const centralSpec = central(raw, stack, namespace, seen);
    checkRole(role, listed, raw);
    const imageSet = images(raw);
    kubernetesApi(raw, listed, centralSpec, services);
    return {
        stack, role, flavor: raw.flavor!, clusters: listed, central: centralSpec, stackReferences: raw.stackReferences ?? [], images: imageSet,
        scrapeInterval: raw.scrapeInterval!, federationMatch: raw.federationMatch!, edgeRouterRoles: raw.edgeRouterRoles!,
        clientIdentities: raw.clientIdentities ?? [], kubernetesApi: raw.kubernetesApi!, kubernetesAdmins: raw.kubernetesAdmins ?? [],
        ...parseCollection(raw, raw.flavor!, centralSpec?.name),
        networkPolicy: { ...networkPolicyDefault(), ...(raw.networkPolicy ?? {}) },
    };
}
