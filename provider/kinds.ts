// The Ziti kinds this provider manages, one line each: the resource kind (type token
// `pulumi-nodejs:dynamic/ziti:<kind>`), its Management API collection and the `ziti edge` CLI noun. Every other list
// of kinds derives from this one: the kind specs, the loaders of ./remote, the implementations of ./providers, the
// `zitiKinds` registry of ./index, the CLI hints of ./ownership, the tests' collections and the faults tier's token
// map. Pure data with no imports, so tests, scripts and the provider process can all read it.
export const ZITI_KINDS = [
    { kind: "Identity", collection: "identities", noun: "identity" },
    { kind: "Config", collection: "configs", noun: "config" },
    { kind: "Service", collection: "services", noun: "service" },
    { kind: "ServicePolicy", collection: "service-policies", noun: "service-policy" },
    { kind: "EdgeRouterPolicy", collection: "edge-router-policies", noun: "edge-router-policy" },
    { kind: "ServiceEdgeRouterPolicy", collection: "service-edge-router-policies", noun: "service-edge-router-policy" },
] as const;

export type ZitiKind = (typeof ZITI_KINDS)[number]["kind"];

/** The registry line of `kind`: spread into a kind's spec as its `kind` and `collection`. */
export function kindEntry<K extends ZitiKind>(kind: K): { kind: K; collection: string } {
    const e = ZITI_KINDS.find((k) => k.kind === kind)!;
    return { kind, collection: e.collection };
}

/** The type token of a kind's resources. */
export function zitiToken(kind: string): string {
    return `pulumi-nodejs:dynamic/ziti:${kind}`;
}

/** Every Management API collection the provider writes to, in registry order (create order; delete in reverse). */
export const ZITI_COLLECTIONS: string[] = ZITI_KINDS.map((k) => k.collection);

/** `ziti edge <verb> <noun>` of a collection (the collection itself for one outside the registry). */
export function cliNoun(collection: string): string {
    return ZITI_KINDS.find((k) => k.collection === collection)?.noun ?? collection;
}
