// Validates raw stack config and fills in defaults, section by section, in the order the checks have always run
// (the first mistake found is the one reported). Every failure is a ConfigError naming the key and the fix.
import { DEFAULT_FLAVOR, FLAVORS } from "../flavors";
import { defaultServiceNames } from "../plan/names";
import { checkClusterName, checkNamespace, fail, kubernetesTarget, optBool, optString, optStringList, parseCluster } from "./checks";
import {
    CentralSpec, CLUSTER_KINDS, ClusterKind, ClusterSpec, DEFAULT_IMAGES, Images, RawClusterSpec, RawConfig,
    ScrapeAnywhereConfig, STACK_ROLES, StackRole,
} from "./types";
import { kubernetesApiServiceName } from "../plan/names";
import { programIdentityNames } from "../plan/places";
import { parseCollection } from "./collection";

/** Names of generated clusters: `gen001`, `gen002`, ... (zero-padded to at least three digits). */
export function generatedClusterName(i: number, count: number): string {
    return `gen${String(i + 1).padStart(Math.max(3, String(count).length), "0")}`;
}

function parseRole(raw: RawConfig): StackRole {
    const role = optString("role", raw.role, "dev");
    if (!STACK_ROLES.includes(role as StackRole)) {
        fail("role", `unknown role "${role}"; use one of: ${STACK_ROLES.join(", ")} ` +
            `(dev = whole topology in one stack, cluster = one cluster, central = the central Prometheus).`);
    }
    return role as StackRole;
}

/** The listed clusters, then `clusterCount` generated ones. */
function parseClusters(raw: RawConfig, stack: string, namespace: string): { clusters: ClusterSpec[]; rawClusters: unknown[] } {
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
    return { clusters, rawClusters };
}

/** Cluster names (case-insensitively) and Ziti service names are unique; returns the names seen and services. */
function checkUnique(clusters: ClusterSpec[]): { seen: Set<string>; services: Set<string> } {
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

    return { seen, services };
}

/** Explicit local tunnel ports (the default is each service's own proxy.v1 port): never one port for two clusters. */
function checkTunnelPorts(clusters: ClusterSpec[]): void {
    const claimed = new Set<number>();
    for (const c of clusters) {
        const port = c.apiOverZiti?.localPort;
        if (!port) continue;
        if (claimed.has(port)) fail("clusters", `two clusters use the local tunnel port ${port}: give each its own apiOverZiti.localPort, or remove them.`);
        claimed.add(port);
    }
}

function parseCentral(raw: RawConfig, role: StackRole, stack: string, namespace: string, seen: Set<string>): CentralSpec | undefined {
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

    return central;
}

/** What each role needs and refuses. */
function checkRole(role: StackRole, clusters: ClusterSpec[], stackReferences: string[]): void {
    switch (role) {
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

}

/** The flavor's images (its own keys and defaults, flavors/<flavor>), each overridable by `scrape-anywhere:images`. */
function parseImages(raw: RawConfig, flavor: string): Images {
    const defaults = FLAVORS[flavor].images;
    const first = Object.keys(defaults)[0];
    const ri = raw.images ?? {};
    if (typeof ri !== "object" || Array.isArray(ri)) fail("images", `must be an object like {${first}: ${defaults[first]}}`);
    const images: Record<string, string> = { ...defaults };
    for (const [k, v] of Object.entries(ri as Record<string, unknown>)) {
        if (!(k in defaults)) fail(`images.${k}`, `unknown image of flavor ${flavor}; known: ${Object.keys(defaults).join(", ")}.`);
        if (typeof v !== "string" || v.trim() === "") fail(`images.${k}`, `image must be a non-empty string like "${defaults[k]}", got ${JSON.stringify(v)}`);
        images[k] = v;
    }

    return images as unknown as Images;
}

/** The Kubernetes API over Ziti (DESIGN 4c): admins are named, created here, and the only dialers. */
function parseKubernetesApi(raw: RawConfig, role: StackRole, flavor: string, c: { clusters: ClusterSpec[]; rawClusters: unknown[]; services: Set<string> },
    central: CentralSpec | undefined, clientIdentities: string[]): { kubernetesApi: boolean; kubernetesAdmins: string[] } {
    const { clusters, rawClusters, services } = c;
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
    // The names come from the one listing of every place's entities (plan/places.ts), as the flavor plans them.
    const programIdentities = programIdentityNames({ flavor, clusters, central, clientIdentities, kubernetesApi, kubernetesAdmins: [], edgeRouterRoles: [] });
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

    return { kubernetesApi, kubernetesAdmins };
}

/**
 * Validates raw stack config and fills in defaults. Throws a `ConfigError` naming the key and the fix.
 */
export function parseConfig(raw: RawConfig, stack: string): ScrapeAnywhereConfig {
    const role = parseRole(raw);
    const namespace = checkNamespace("namespace", optString("namespace", raw.namespace, "monitoring"));
    const flavor = optString("flavor", raw.flavor, DEFAULT_FLAVOR);
    if (!(flavor in FLAVORS)) fail("flavor", `unknown workload flavor "${flavor}"; use one of: ${Object.keys(FLAVORS).join(", ")}.`);
    const { clusters, rawClusters } = parseClusters(raw, stack, namespace);
    const { seen, services } = checkUnique(clusters);
    checkTunnelPorts(clusters);
    const stackReferences = optStringList("stackReferences", raw.stackReferences, []);
    if (new Set(stackReferences).size !== stackReferences.length) {
        fail("stackReferences", `lists the same stack twice: ${JSON.stringify(stackReferences)}`);
    }

    const central = parseCentral(raw, role, stack, namespace, seen);
    checkRole(role, clusters, stackReferences);
    const images = parseImages(raw, flavor);
    const scrapeInterval = optString("scrapeInterval", raw.scrapeInterval, "15s");
    if (!/^([0-9]+(ms|s|m|h|d|w|y))+$/.test(scrapeInterval)) fail("scrapeInterval", `"${scrapeInterval}" is not a Prometheus duration like 15s or 1m.`);

    const clientIdentities = optStringList("clientIdentities", raw.clientIdentities, []);
    if (role === "cluster" && clientIdentities.length > 0) fail("clientIdentities", `client identities are made by the dev or central stack.`);
    if (new Set(clientIdentities).size !== clientIdentities.length) fail("clientIdentities", `lists the same identity twice.`);

    const { kubernetesApi, kubernetesAdmins } = parseKubernetesApi(raw, role, flavor, { clusters, rawClusters, services }, central, clientIdentities);
    const { collection, remoteWrite } = parseCollection(raw, flavor, central?.name);
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
        collection,
        ...(remoteWrite ? { remoteWrite } : {}),
    };
}
