// What each Ziti kind file supplies to the shared skeleton (./crud) and to adoption (./ownership): its own module,
// so that ownership need not import crud back (no import circle, test/unit/architecture.spec.ts).
import type { ZitiClient } from "./client";
import type { Failure } from "./roles";

export interface KindSpec {
    /** `Identity`, `Service`, ... (token `pulumi-nodejs:dynamic/ziti:<kind>`). */
    kind: string;
    /** Management API collection, e.g. `identities`. */
    collection: string;
    /** Input fields compared by diff (after `normalize`). */
    fields: string[];
    /** Fields compared as sets. */
    setFields: string[];
    /** Fields the API cannot update: a change replaces (delete first: names are unique). */
    replaceFields: string[];
    /** Plain inputs -> desired state with defaults (sets sorted). Must keep UNKNOWN values as they are. */
    normalize(inputs: any): any;
    /** Local checks on the desired state; must skip fields that are UNKNOWN. */
    validate(desired: any): Failure[];
    /** API body for create or update (PUT; role names resolved here). */
    payload(client: ZitiClient, desired: any, mode: "create" | "update"): Promise<Record<string, unknown>>;
    /** Controller entity -> state (without `id`). `prev` is the old state/desired, for write-only fields. */
    fromApi(client: ZitiClient, entity: any, prev: any): Promise<any>;
    /**
     * After the POST (e.g. enrollment): extra outputs, and the entity as read then when that read is still
     * current (saves the GET that create would make). On failure the new entity is deleted again.
     */
    afterCreate?(client: ZitiClient, id: string, desired: any): Promise<{ extra: Record<string, unknown>; entity?: any }>;
    /**
     * After adopting an entity this resource made in an interrupted run (already brought to the desired state):
     * the extra outputs the lost run would have returned (an identity gets a fresh enrollment: its key died with the
     * process that made it).
     */
    afterAdopt?(client: ZitiClient, id: string, desired: any): Promise<{ extra: Record<string, unknown>; entity?: any }>;
    /**
     * The entity as the controller holds it right after a create with `body`, for kinds whose every output comes
     * from what was sent (the POST answers only the id): saves the GET that create would make after it.
     */
    created?(id: string, body: Record<string, unknown>, desired: any): any;
    /**
     * Security-relevant fields the program does not set, held at these values (what a new entity gets): written by
     * every create, adoption and update, read back into the state, compared by diff, so a planted or drifted value
     * shows and is undone (./ownership).
     */
    pinned?: Record<string, unknown>;
    /** Why an entity tagged as this resource's may still not be taken over (e.g. a disabled identity), one line each. */
    adoptionProblems?(entity: any): string[];
}
