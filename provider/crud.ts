// The skeleton every Ziti kind shares: each kind file supplies a `KindSpec` (its args, conversion to and from the
// API, validation) and gets its one module-level provider from `makeProvider`, whose operations (validate locally,
// refuse or adopt duplicates, create/read/update (PUT)/delete over the one client, diff as sets where the API treats
// lists as sets) are ./operations'. `policySpec` makes the spec of a policy kind from plain data.
//
// Resources serialize a small loader (./remote), not these providers: the provider process loads this code
// (./load.js). Still, packages are required inside functions, and clients, sessions and settings are made at call
// time in the provider process (keyed on globalThis), never captured.
import type * as pulumi from "@pulumi/pulumi";
import { createEntity, deleteEntity, diffEntity, readEntity, updateEntity } from "./operations";
import { asSet, resolveRoles, rolesFromApi, validateRoles } from "./roles";
import { containsUnknown, UNKNOWN } from "./unknown";
import { validateName } from "./names";
import { configureFromStack } from "./settings";

export { containsUnknown, UNKNOWN } from "./unknown";
export { ZitiConflictError, ZitiValidationError } from "./errors";

export type { KindSpec } from "./kindSpec";
import type { KindSpec } from "./kindSpec";

/** A role list of a policy: its field, the collection its `@name` roles name entities of, and whether it may be left out. */
export interface PolicyRoles {
    field: string;
    collection: string;
    required: boolean;
}

/** A policy field that takes one of a few values (`semantic`, a service policy's `type`). */
export interface PolicyChoice {
    field: string;
    values: string[];
    /**
     * Taken when the field is left out; without one, leaving it out fails validation. (Not named `default`: the
     * SDK's closure serializer takes a captured plain object with a `default` key for an `import *` wrapper.)
     */
    fallback?: string;
}

/**
 * The spec of a policy kind: `name`, its choice fields, `semantic` (AllOf or AnyOf, default AllOf) and role
 * lists compared as sets, whose `@name` roles are resolved to `@id` on write and shown as `@name` again on read.
 * Fields keep that order. What the spec captures is plain data, so the provider built from it serializes small.
 */
export function policySpec(p: { kind: string; collection: string; choices?: PolicyChoice[]; roles: PolicyRoles[] }): KindSpec {
    const choices: PolicyChoice[] = [...(p.choices ?? []), { field: "semantic", values: ["AllOf", "AnyOf"], fallback: "AllOf" }];
    const roleFields = p.roles.map((r) => r.field);
    return {
        kind: p.kind,
        collection: p.collection,
        fields: ["name", ...choices.map((c) => c.field), ...roleFields],
        setFields: roleFields,
        replaceFields: [],
        normalize(a: any) {
            const d: any = { name: a.name };
            for (const c of choices) d[c.field] = c.fallback === undefined ? a[c.field] : a[c.field] ?? c.fallback;
            for (const r of p.roles) d[r.field] = containsUnknown(a[r.field]) ? a[r.field] : asSet(a[r.field]);
            return d;
        },
        validate(d: any) {
            const failures = [...validateName(d.name)];
            for (const c of choices) {
                const v = d[c.field];
                if (v !== UNKNOWN && !c.values.includes(v)) failures.push({ property: c.field, reason: `"${v}" must be ${c.values.join(" or ")}` });
            }
            for (const r of p.roles) if (!containsUnknown(d[r.field])) failures.push(...validateRoles(r.field, d[r.field], r.required));
            return failures;
        },
        async payload(client, d) {
            const body: Record<string, unknown> = { name: d.name };
            for (const c of choices) body[c.field] = d[c.field];
            // The role lists name different collections: resolve them concurrently.
            const resolved = await Promise.all(p.roles.map((r) => resolveRoles(client, r.collection, r.field, d[r.field])));
            p.roles.forEach((r, i) => (body[r.field] = resolved[i]));
            return body;
        },
        async fromApi(_client, e, prev) {
            const state: any = { name: e.name };
            for (const c of choices) state[c.field] = e[c.field];
            for (const r of p.roles) state[r.field] = rolesFromApi(e, r.field, prev[r.field]);
            return state;
        },
        // Roles as written (`@name`): the body holds them resolved to `@id`, which the controller would display as such.
        created: (id, body, d) => ({ ...body, id, ...Object.fromEntries(p.roles.map((r) => [r.field, d[r.field] ?? []])) }),
    };
}

/** Name rules (what the controller's filter can find again) live in ./names. */
export { validateName } from "./names";
export { assertValid, changedFields, clientNow } from "./operations";

/** Builds the one provider object of a kind: each operation is ./operations' over this kind's spec. */
export function makeProvider(spec: KindSpec): pulumi.dynamic.ResourceProvider {
    return {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            configureFromStack(req.config);
        },
        async check(_olds: any, news: any) {
            return { inputs: news, failures: spec.validate(spec.normalize(news)) };
        },
        diff: async (_id: string, olds: any, news: any) => diffEntity(spec, olds, news),
        create: (inputs: any) => createEntity(spec, inputs),
        read: (id: string, props: any) => readEntity(spec, id, props),
        update: (id: string, olds: any, news: any) => updateEntity(spec, id, olds, news),
        delete: (id: string, props?: any) => deleteEntity(spec, id, props),
    };
}
