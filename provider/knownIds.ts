// Ids of the entities this provider process has itself made, adopted, updated or read, by collection and name, per
// controller and credential: a policy's `@name` role names an entity the same `pulumi up` made moments earlier (the
// policy waits for that resource's outputs), so ./roles takes its id from here instead of asking the controller by
// name. The seed `up` lost 36 of its 181 requests this way (bench/RESULTS.md).
//
// Kept on globalThis, made on first use in the provider process (nothing is captured when the provider is
// serialized). Only what the controller itself answered goes in; a delete takes its entity out. A stale id (the
// entity deleted and made again behind our back within one command) cannot write a wrong grant: the controller refuses
// a role naming an id it does not hold ("no services found with the given ids"), and ./operations then forgets
// everything here and resolves the names again (`forgetAll`).
import type { ZitiClient } from "./client";

/** Both ways: `collection\nname` -> id, and `collection\nid` -> that name key. */
interface Known {
    idOf: Map<string, string>;
    keyOf: Map<string, string>;
}

function table(client: ZitiClient): Known {
    const key = Symbol.for("scrape-anywhere.ziti.knownIds");
    const g = globalThis as any;
    const all: WeakMap<ZitiClient, Known> = g[key] ?? (g[key] = new WeakMap());
    let t = all.get(client);
    if (!t) all.set(client, (t = { idOf: new Map(), keyOf: new Map() }));
    return t;
}

const keyOf = (collection: string, name: string) => `${collection}\n${name}`;

/** The id of the entity named `name` in `collection`, when this process has seen it. */
export function knownId(client: ZitiClient, collection: string, name: string): string | undefined {
    return table(client).idOf.get(keyOf(collection, name));
}

/** Records what the controller answered: the entity `id` of `collection` is named `name`. */
export function rememberId(client: ZitiClient, collection: string, name: unknown, id: unknown): void {
    if (typeof name !== "string" || typeof id !== "string" || !id) return;
    forgetId(client, collection, id); // a rename (update) leaves nothing under the old name
    const t = table(client);
    const k = keyOf(collection, name);
    const before = t.idOf.get(k);
    if (before) t.keyOf.delete(`${collection}\n${before}`);
    t.idOf.set(k, id);
    t.keyOf.set(`${collection}\n${id}`, k);
}

/** The entity `id` of `collection` is gone (deleted, or not found). */
export function forgetId(client: ZitiClient, collection: string, id: string): void {
    const t = table(client);
    const k = t.keyOf.get(`${collection}\n${id}`);
    if (k === undefined) return;
    t.keyOf.delete(`${collection}\n${id}`);
    if (t.idOf.get(k) === id) t.idOf.delete(k);
}

/** Forgets every id of this client; true when there was something to forget. */
export function forgetAll(client: ZitiClient): boolean {
    const t = table(client);
    const had = t.idOf.size > 0;
    t.idOf.clear();
    t.keyOf.clear();
    return had;
}
