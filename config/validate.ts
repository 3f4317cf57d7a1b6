// Checks a raw value against a schema of config/schema.ts: fills the schema's defaults, reports the first mistake
// as a ConfigError naming the key (`scrape-anywhere:clusters[0].kind`) with the message the schema gives that key
// (or the nearest enclosing key that has one), and converts text forms ("true", "10") to their values.
import type { StaticDecode, TSchema } from "@sinclair/typebox";
import { Value, ValueError, ValueErrorType } from "@sinclair/typebox/value";
import { ConfigError } from "../plan/names";
import type { KeyDocs } from "./schema";

/** `null` (a YAML key with no value) means "not set", as it always has: drop it from objects, recursively. */
function withoutNulls(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(withoutNulls);
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}

/** The schema of the value at `segments` below `schema` (object property, record value or list item). */
function childSchema(schema: TSchema, segment: string): TSchema | undefined {
    if (schema.properties?.[segment]) return schema.properties[segment];
    if (schema.patternProperties) return Object.values(schema.patternProperties)[0] as TSchema;
    if (schema.type === "array") return schema.items;
    return undefined;
}

/** `["clusters", "0", "name"]` -> `clusters[0].name`. */
export function keyName(segments: string[]): string {
    return segments.map((s, i) => (/^[0-9]+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function fill(template: KeyDocs["errorMessage"], value: unknown, enclosing: unknown[]): string {
    if (typeof template === "function") return template(value, enclosing);
    return (template ?? "").replace(/\{value\}/g, String(value)).replace(/\{got\}/g, JSON.stringify(value) ?? "nothing");
}

/**
 * The message of a schema error, about the key it names: the message that key's schema declares; for an item of a
 * list without one, the list's (`kubernetesAdmins: must be a list of non-empty strings`); else what was expected.
 */
export function messageOf(root: TSchema, raw: unknown, error: ValueError): string {
    const segments = error.path.split("/").slice(1).map(s => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
        return `${keyName(segments)}: unknown key; known: ${Object.keys(error.schema.properties ?? {}).join(", ")}.`;
    }
    const chain: { schema: TSchema | undefined; value: unknown }[] = [{ schema: root, value: raw }];
    for (const s of segments) {
        const up = chain[chain.length - 1];
        chain.push({ schema: up.schema && childSchema(up.schema, s), value: (up.value as Record<string, unknown> | undefined)?.[s] });
    }
    let depth = chain.length - 1;
    while (depth > 1 && !(chain[depth].schema as KeyDocs | undefined)?.errorMessage && chain[depth - 1].schema?.type === "array") depth--;
    const { schema, value } = chain[depth];
    const message = (schema as KeyDocs | undefined)?.errorMessage;
    const key = keyName(segments.slice(0, depth));
    if (message) return `${key}: ${fill(message, value, chain.slice(0, depth).map(c => c.value).reverse())}`;
    const expected = error.type === ValueErrorType.String ? "must be a string" : error.message.replace(/^Expected/, "must be").replace(/^./, c => c.toLowerCase());
    return `${key}: ${expected}, got ${JSON.stringify(value) ?? "nothing"}`;
}

/** Refuses a value: a ConfigError naming the key and the fix. */
export function fail(key: string, message: string): never {
    throw new ConfigError(`scrape-anywhere:${key}: ${message}`);
}

/** `raw` checked against `schema`, with defaults filled and text forms converted; throws a ConfigError. */
export function validated<T extends TSchema>(schema: T, raw: unknown, prefix = "scrape-anywhere:"): StaticDecode<T> {
    const value = Value.Default(schema, withoutNulls(raw));
    const first = Value.Errors(schema, value).First();
    if (first) throw new ConfigError(prefix + messageOf(schema, value, first));
    return Value.Decode(schema, value);
}
