// The stack config declared once, as a TypeBox schema (plain JSON Schema objects; docs/DESIGN.md says why
// TypeBox). Each key carries its type, its default, the message a bad value gets (naming the fix) and its README
// row; config/validate.ts checks values against it, config/docs.ts writes the README's config table and
// Pulumi.yaml's `config:` block from it. What the schema cannot say (rules between keys, defaults derived from
// other keys) is config/parse.ts. Message templates: `{value}` is the value as text, `{got}` as JSON.
import { ArrayOptions, SchemaOptions, StaticDecode, StringOptions, TSchema, Type } from "@sinclair/typebox";
import { DEFAULT_FLAVOR, FLAVORS } from "../flavors";
import { scrapeNameProblem } from "../plan/names";
import { COLLECTIONS, NetworkPolicyPorts } from "../plan/types";

/** Extra schema options this project reads (TypeBox keeps unknown options on the schema object). */
export interface KeyDocs {
    /** The message of a bad value: a template, or a function of the value and the values enclosing it (nearest first). */
    errorMessage?: string | ((value: unknown, enclosing?: unknown[]) => string);
    /** README: which stacks read the key. */
    stacks?: string;
    /** README: the type column's text when the schema's own would read worse (e.g. a number that may arrive as text). */
    docType?: string;
    /** README: a default computed from other keys, in words. */
    defaultText?: string;
    /** README: this nested key gets a row of its own, `parent[].key`. */
    ownRow?: boolean;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const DURATION = "^([0-9]+(ms|s|m|h|d|w|y))+$";

/** One of the given words. */
const OneOf = <T extends string>(values: readonly T[], opts: SchemaOptions & KeyDocs = {}) =>
    Type.Union(values.map(v => Type.Literal(v)), opts);

const NonEmptyString = (opts: StringOptions & KeyDocs = {}) => Type.String({ minLength: 1, ...opts });

/** A list of non-empty strings. */
const Names = (opts: ArrayOptions & KeyDocs = {}) =>
    Type.Array(NonEmptyString(), { errorMessage: "must be a list of non-empty strings, got {got}", docType: "list of names", ...opts });

/** `true`/`false`, also as text: `pulumi config set kubernetesApi true` stores "true". */
const Bool = (opts: SchemaOptions & KeyDocs = {}) =>
    Type.Transform(Type.Union([Type.Boolean(), Type.Literal("true"), Type.Literal("false")],
        { errorMessage: "must be true or false, got {got}", docType: "`true` \\| `false`", ...opts }))
        .Decode(v => v === true || v === "true")
        .Encode(v => v);

/** A non-empty list of TCP ports, each also as text ("443"). */
const TcpPorts = () => Type.Array(Whole(1, 65535, { errorMessage: "must be a TCP port (1-65535), got {got}" }), {
    minItems: 1, errorMessage: "must be a non-empty list of TCP ports, got {got}", docType: "list of ports",
});

/** A whole number from `minimum`, also as text ("10"). */
const Whole = (minimum: number, maximum: number, opts: SchemaOptions & KeyDocs) =>
    Type.Transform(Type.Union([Type.Integer({ minimum, maximum }), Type.String({ pattern: "^[0-9]+$" })], opts))
        .Decode(v => Number(v))
        .Encode(v => v);

/** A cluster's or the central's name: it is part of every Ziti name of the place and of its render folder. */
const placeName = (what: string, opts: StringOptions = {}) => NonEmptyString({
    ...opts,
    pattern: NAME_RE.source,
    errorMessage: (v: unknown) => {
        if (typeof v !== "string" || v === "") return `a ${what} needs a non-empty string name, got ${JSON.stringify(v)}`;
        const dash = scrapeNameProblem(`${what} name`, v); // the '-' rule first: it says why (prometheuz)
        return dash ?? `${what} name "${v}" must start with a letter and hold only letters, digits and '_' ` +
            `(it is used in Ziti names like "${v}.reflect.id" and in the folder rendered/<stack>/${v}).`;
    },
});

const namespace = (opts: StringOptions & KeyDocs) => Type.String({
    pattern: DNS_LABEL, maxLength: 63,
    errorMessage: `namespace "{value}" is not a valid Kubernetes namespace (lowercase letters, digits and '-', at most 63).`, ...opts,
});

const kubernetesTarget = {
    context: Type.Optional(Type.String({ description: "kubeconfig context; with neither context nor kubeconfig the place is rendered to files" })),
    kubeconfig: Type.Optional(Type.String({ description: "a kubeconfig's path or content" })),
};

export const CLUSTER_KINDS = ["hybrid", "dark"] as const;
export const STACK_ROLES = ["dev", "cluster", "central"] as const;
export const CENTRAL_PLACEMENTS = ["kubernetes", "docker"] as const;
const SERVICE_KEYS = ["reflect", "reflectScrape", "prometheus"] as const;

export const ApiOverZitiSchema = Type.Object({
    service: Type.Optional(NonEmptyString({ defaultText: "`<c>.k8s.svc`", errorMessage: "must be a non-empty string, got {got}" })),
    identityFile: NonEmptyString({
        errorMessage: (v: unknown, [, cluster]: unknown[] = []) => {
            const name = (cluster as { name?: string } | undefined)?.name ?? "<c>";
            return `cluster "${name}" is reached only over Ziti and needs an enrolled admin identity file with Dial on its API service, ` +
                `e.g. {service: ${name}.k8s.svc, identityFile: ./${name}.admin.json} (enroll the admin's JWT with \`ziti edge enroll\`), got ${JSON.stringify(v) ?? "nothing"}.`;
        },
    }),
    tlsServerName: Type.Optional(NonEmptyString({ default: "kubernetes.default.svc", errorMessage: "must be a non-empty string, got {got}" })),
    localPort: Type.Optional(Whole(1, 65535, { errorMessage: "must be a port number 1-65535, got {got}", docType: "port" })),
}, {
    additionalProperties: false, ownRow: true, stacks: "a cluster with `kubeconfig`/`context`",
    errorMessage: "must be an object like {service: <c>.k8s.svc, identityFile: ./<c>.admin.json}, got {got}",
    description: "deploy through a local `ziti tunnel proxy` instead of reaching the API server directly " +
        "(localPort: checked against the service's proxy.v1 port)",
});

export const ClusterSchema = Type.Object({
    name: placeName("cluster"),
    kind: Type.Optional(OneOf(CLUSTER_KINDS, {
        default: "hybrid",
        errorMessage: (v: unknown, [cluster]: unknown[] = []) =>
            `unknown cluster kind "${v}" for cluster "${(cluster as { name?: string } | undefined)?.name ?? "?"}"; use one of: ${CLUSTER_KINDS.join(", ")}.`,
    })),
    namespace: Type.Optional(namespace({ defaultText: "the stack's `namespace`" })),
    ...kubernetesTarget,
    serviceNames: Type.Optional(Type.Object(Object.fromEntries(SERVICE_KEYS.map(k => [k, Type.Optional(NonEmptyString({ errorMessage: "must be a non-empty string, got {got}" }))])),
        { additionalProperties: false, errorMessage: "must be an object like {prometheus: kubeA.prometheus.svc}, got {got}" })),
    kubernetesAdmins: Type.Optional(Names({
        ownRow: true, stacks: "with `kubernetesApi`", docType: "list", defaultText: "all of `kubernetesAdmins`",
        description: "the admins of this cluster's API (each must be in `kubernetesAdmins`)",
    })),
    apiOverZiti: Type.Optional(ApiOverZitiSchema),
}, { additionalProperties: false, errorMessage: "must be an object like {name: kubeA, kind: hybrid}, got {got}" });

export const CentralSchema = Type.Object({
    name: Type.Optional(placeName("central", { default: "central" })),
    placement: Type.Optional(OneOf(CENTRAL_PLACEMENTS, { default: "kubernetes", errorMessage: `unknown placement "{value}"; use ${CENTRAL_PLACEMENTS.join(" or ")}.` })),
    namespace: Type.Optional(namespace({ defaultText: "the stack's `namespace`" })),
    ...kubernetesTarget,
    dockerHost: Type.Optional(Type.String({ description: "Docker daemon address, e.g. ssh://user@host" })),
    dockerNetworkMode: Type.Optional(Type.String({
        pattern: "^(?!host$).+",
        errorMessage: `"{value}" is not allowed: the host network would expose Prometheus' listeners on the host; ` +
            "use bridge (the default), none, or a user-defined network.",
    })),
}, {
    additionalProperties: false, default: {}, errorMessage: "must be an object like {placement: kubernetes}, got {got}",
    stacks: "dev, central", description: "where the central Prometheus runs; `dockerNetworkMode`: `bridge` (default), `none` or a user network, never `host`",
});

/** Per flavor, its image keys: which exist is the flavor's (checked by parse.ts once the flavor is known). */
const imagesDoc = Object.entries(FLAVORS).map(([n, f]) => `${n}: \`{${Object.keys(f.images).join(", ")}}\``).join("; ");

/** Every `scrape-anywhere:*` key, in the order they are checked (the first mistake is the one reported). */
export const ConfigSchema = Type.Object({
    role: Type.Optional(OneOf(STACK_ROLES, {
        default: "dev", stacks: "all", description: "What this stack builds: dev (whole topology), cluster (one cluster), central (central Prometheus over StackReferences).",
        errorMessage: `unknown role "{value}"; use one of: ${STACK_ROLES.join(", ")} ` +
            "(dev = whole topology in one stack, cluster = one cluster, central = the central Prometheus).",
    })),
    flavor: Type.Optional(OneOf(Object.keys(FLAVORS), {
        default: DEFAULT_FLAVOR, stacks: "all",
        description: `Workload flavor (flavors/index.ts): ${Object.entries(FLAVORS).map(([n, f]) => `${n} (${f.description})`).join(", ")}.`,
        errorMessage: `unknown workload flavor "{value}"; use one of: ${Object.keys(FLAVORS).join(", ")}.`,
    })),
    namespace: Type.Optional(namespace({ default: "monitoring", stacks: "all", description: "Default Kubernetes namespace of the workloads." })),
    clusters: Type.Optional(Type.Array(ClusterSchema, {
        stacks: "dev (≥ 1), cluster (exactly 1)",
        description: "the clusters this stack builds; names: letters, digits, `_`, never `-`. With no context or kubeconfig a cluster is rendered to `rendered/<stack>/<name>/`",
        errorMessage: "must be a list of clusters like [{name: kubeA, kind: hybrid}], got {got}",
    })),
    clusterCount: Type.Optional(Whole(0, Number.MAX_SAFE_INTEGER, {
        default: 0, stacks: "dev, cluster", docType: "integer",
        description: "Number of extra generated clusters (gen001, gen002, ...), rendered to manifests; for benchmarks.",
        errorMessage: "must be a whole number >= 0, got {got}",
    })),
    generatedClusterKind: Type.Optional(OneOf([...CLUSTER_KINDS, "alternate"], {
        default: "alternate", stacks: "with clusterCount", description: "Kind of the generated clusters: hybrid, dark or alternate (hybrid, dark, hybrid, ...).",
        errorMessage: `unknown kind "{value}"; use hybrid, dark or alternate.`,
    })),
    stackReferences: Type.Optional(Names({
        stacks: "central (≥ 1)", docType: "list, e.g. `organization/scrape-anywhere/clusterA`", description: "the cluster stacks the central stack federates",
    })),
    central: Type.Optional(CentralSchema),
    images: Type.Optional(Type.Record(Type.String(), Type.String({ pattern: "\\S", errorMessage: `image must be a non-empty string, got {got}` }), {
        stacks: "all", docType: `per flavor, ${imagesDoc}`,
        description: "image overrides (defaults: the flavor's pinned tags, see [Workload contracts](#workload-contracts)); empty is an error",
        errorMessage: "must be an object of image overrides like {prometheus: <image>}, got {got}",
    })),
    scrapeInterval: Type.Optional(Type.String({
        pattern: DURATION, default: "15s", stacks: "all", description: "Prometheus scrape interval of every Prometheus.",
        errorMessage: `"{value}" is not a Prometheus duration like 15s or 1m.`,
    })),
    clientIdentities: Type.Optional(Names({
        stacks: "dev, central", description: "human `User` identities with both client attributes, left un-enrolled; their JWTs are the secret output `clientEnrollmentJwts`",
    })),
    kubernetesApi: Type.Optional(Bool({
        default: false, stacks: "dev, cluster",
        description: "each cluster's Kubernetes API as the Ziti service `<c>.k8s.svc` (README: The Kubernetes API over Ziti)",
    })),
    kubernetesAdmins: Type.Optional(Names({
        stacks: "dev, cluster (≥ 1 with `kubernetesApi`)",
        description: "admin `User` identities, un-enrolled, the only ones that may dial the API services; JWTs in the secret output `kubernetesAdminJwts`",
    })),
    federationMatch: Type.Optional(Names({ default: ['{job=~".+"}'], docType: "list", stacks: "dev, central", description: "`match[]` of the federation jobs" })),
    edgeRouterRoles: Type.Optional(Names({ default: ["#all"], docType: "list", stacks: "all", description: "edge routers in the edge router and service edge router policies" })),
    collection: Type.Optional(OneOf(COLLECTIONS, {
        stacks: "all", defaultText: "the flavor's: `federate` (both flavors; README: Collection)",
        description: "how central gets the clusters' series: `federate` (central pulls `/federate`) or `remoteWrite` (the clusters push over Ziti; upstream flavor only)",
        errorMessage: `unknown collection "{value}"; use one of: ${COLLECTIONS.join(", ")}.`,
    })),
    remoteWrite: Type.Optional(Type.Object({
        service: Type.Optional(Type.String({
            pattern: "^[A-Za-z][A-Za-z0-9_.]*\\.svc$", defaultText: "`<central>.write.svc`",
            errorMessage: `"{value}" must be a Ziti service name of letters, digits, '_' and '.', ending in .svc (e.g. thanos.write.svc).`,
        })),
        path: Type.Optional(Type.String({ pattern: "^/", defaultText: "`/api/v1/write`", errorMessage: `"{value}" must be an absolute HTTP path like /api/v1/write.` })),
        address: Type.Optional(NonEmptyString({ errorMessage: "must be a non-empty host name or address, got {got}" })),
        port: Type.Optional(Whole(1, 65535, { errorMessage: "the endpoint's TCP port (1-65535), got {got}", docType: "port" })),
        hostIdentity: Type.Optional(NonEmptyString({ errorMessage: "must be a non-empty identity name, got {got}" })),
    }, {
        additionalProperties: false, stacks: "with `collection: remoteWrite`",
        description: "where the clusters write: another remote-write store behind its own tunneler ({service, address, port, path, hostIdentity}); unset: the central Prometheus",
        errorMessage: "must be an object like {service: thanos.write.svc, address: thanos-receive.monitoring.svc, port: 19291, path: /api/v1/receive}, got {got}",
    })),
    networkPolicy: Type.Optional(Type.Object({
        zitiPorts: Type.Optional(TcpPorts()),
        kubernetesApiPorts: Type.Optional(TcpPorts()),
    }, {
        additionalProperties: false, stacks: "dev, cluster, central (upstream flavor, Kubernetes)",
        default: { zitiPorts: [443, 1280, 3022], kubernetesApiPorts: [443, 6443] },
        description: "the upstream flavor's NetworkPolicies in each namespace it makes (README: NetworkPolicies): egress only to DNS and " +
            "`zitiPorts` (the Ziti controller's and edge routers' ports the tunnelers dial; default `[443, 1280, 3022]`: 443 and the quickstart's " +
            "controller and router ports), the API tunneler also to `kubernetesApiPorts` (the API server's endpoint port after the Service's DNAT; " +
            "default `[443, 6443]`); no ingress, but Prometheus' 9090 from the cluster's own pods in a hybrid cluster",
        errorMessage: "must be an object like {zitiPorts: [443], kubernetesApiPorts: [6443]}, got {got}",
    })),
});

/** The config after the schema's checks, defaults and text conversions (what parse.ts starts from). */
export type CheckedConfig = StaticDecode<typeof ConfigSchema>;
export type CheckedCluster = StaticDecode<typeof ClusterSchema>;
/** The raw config as the stack holds it: any value under any known key (the schema says which are good). */
export type RawConfig = { [K in keyof CheckedConfig]?: unknown };
export type StackRole = (typeof STACK_ROLES)[number];
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
export type CentralPlacement = (typeof CENTRAL_PLACEMENTS)[number];

/** The config keys read from the stack, all under the `scrape-anywhere:` namespace. */
export const CONFIG_KEYS = Object.keys(ConfigSchema.properties) as (keyof RawConfig)[];

/** `scrape-anywhere:networkPolicy`'s default, whole (its schema default names both lists). */
export function networkPolicyDefault(): NetworkPolicyPorts {
    return keyDefault("networkPolicy") as NetworkPolicyPorts;
}

/** Whether a key's schema accepts only text: such a value is never JSON-parsed (a role "123" stays a string). */
function textOnly(s: TSchema): boolean {
    return s.type === "string" || (Array.isArray(s.anyOf) && s.anyOf.every((m: TSchema) => m.type === "string"));
}
/** Keys whose values are structured (lists, objects, numbers, booleans) and arrive from the engine as JSON text. */
export const STRUCTURED_KEYS = new Set(CONFIG_KEYS.filter(k => !textOnly(ConfigSchema.properties[k])));

/**
 * A key's fixed default, read from its schema: what a component falls back to when a program builds it without the
 * stack config (components/cluster.ts), so that default is declared here only.
 */
export function keyDefault<K extends keyof CheckedConfig>(key: K): NonNullable<CheckedConfig[K]> {
    const d = (ConfigSchema.properties[key] as { default?: unknown }).default;
    if (d === undefined) throw new Error(`scrape-anywhere:${String(key)} has no fixed default`);
    return structuredClone(d) as NonNullable<CheckedConfig[K]>;
}
