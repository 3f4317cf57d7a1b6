// Values that are not known yet (during `pulumi preview`, an input computed from another
// resource's output). The engine sends them as sentinel strings, and @pulumi/policy wraps the
// props in a proxy that throws `UnknownValueError` when a rule reads one. Rules here never read
// the proxy directly: `snapshot` copies the props into plain data where every unknown value is the
// `UNKNOWN` symbol, so a rule can check everything that is known and still say what it could not check.
import * as policy from "@pulumi/policy";

export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** Plain JSON-like data, with `UNKNOWN` where the engine did not know the value yet. */
export type Plain = null | boolean | number | string | Unknown | Plain[] | { [key: string]: Plain };
export type PlainObject = { [key: string]: Plain };

/**
 * The wire sentinels of the Pulumi engine for unknown values (`resource.UnknownStringValue` and its
 * typed siblings). The Go engine sends every unknown as the string one; the others are listed so a
 * value that bypassed the proxy is still recognised.
 */
export const UNKNOWN_STRING_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SENTINELS = new Set<string>([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    UNKNOWN_STRING_SENTINEL, // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

// @pulumi/policy exports the class at runtime (index.js), but its typings omit it.
type UnknownValueErrorClass = new (sentinel: string, path: PropertyKey[]) => Error;
const UnknownValueErrorBase: UnknownValueErrorClass =
    ((policy as unknown as { UnknownValueError?: UnknownValueErrorClass }).UnknownValueError) ??
    (class extends Error {
        constructor(_sentinel: string, _path: PropertyKey[]) {
            super("value can't be known during preview");
        }
    } as UnknownValueErrorClass);

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN || (typeof value === "string" && SENTINELS.has(value));
}

function isUnknownValueError(e: unknown): boolean {
    return e instanceof UnknownValueErrorBase;
}

/** Deep copy of resource props (or any value) into `Plain` data, turning unknowns into `UNKNOWN`. */
export function snapshot(value: unknown): Plain {
    if (isUnknown(value)) {
        return UNKNOWN;
    }
    if (value === null || value === undefined) {
        return null;
    }
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        return value;
    }
    if (Array.isArray(value)) {
        const out: Plain[] = [];
        for (let i = 0; i < value.length; i++) {
            out.push(read(value, i));
        }
        return out;
    }
    if (typeof value === "object") {
        const out: PlainObject = {};
        for (const key of Object.keys(value as object)) {
            const v = read(value as Record<string, unknown>, key);
            if (v !== null) {
                out[key] = v;
            }
        }
        return out;
    }
    return null; // functions, symbols, promises' internals: not resource data
}

function read(container: unknown, key: string | number): Plain {
    try {
        return snapshot((container as Record<string | number, unknown>)[key]);
    } catch (e) {
        if (isUnknownValueError(e)) {
            return UNKNOWN;
        }
        throw e;
    }
}

/**
 * Thrown by a rule, after it has reported every violation it could find, when some values it needs
 * were unknown. It is an `UnknownValueError`, so the engine-side @pulumi/policy server reports it as an
 * advisory "can't run policy ... during preview: <message>" instead of failing the run or passing it.
 */
export class CouldNotBeCheckedError extends UnknownValueErrorBase {
    readonly paths: string[];
    constructor(message: string, paths: string[]) {
        super(UNKNOWN_STRING_SENTINEL, paths);
        this.name = "CouldNotBeCheckedError";
        this.message = message;
        this.paths = paths;
    }
}
