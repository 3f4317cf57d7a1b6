// Small readers over Plain data (snapshots of resource props), shared by every rule.
import { Plain, PlainObject, UNKNOWN } from "./unknown";
import type { Subject } from "./rule";


/** Value at `path` under `root`; UNKNOWN if it or a container on the way is unknown; undefined if absent. */
export function at(root: Plain | undefined, path: readonly (string | number)[]): Plain | undefined {
    let cur: Plain | undefined = root;
    for (const key of path) {
        if (cur === undefined || cur === null) {
            return undefined;
        }
        if (cur === UNKNOWN) {
            return UNKNOWN;
        }
        if (typeof cur !== "object") {
            return undefined;
        }
        cur = Array.isArray(cur) ? (typeof key === "number" ? cur[key] : undefined) : (cur as PlainObject)[String(key)];
    }
    return cur;
}

export function isObject(v: Plain | undefined): v is PlainObject {
    return v !== null && v !== undefined && v !== UNKNOWN && typeof v === "object" && !Array.isArray(v);
}

/** Join a property path for messages: `spec.template.spec.containers[0]`. */
export function joinPath(base: string, key: string | number): string {
    if (typeof key === "number") {
        return `${base}[${key}]`;
    }
    return base ? `${base}.${key}` : key;
}

/** A short display of a string value, or `<unknown>`. */
export function show(v: Plain | undefined): string {
    if (v === UNKNOWN) {
        return "<unknown>";
    }
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** `word` with its indefinite article, as read aloud by its first letter: "an argoproj.io", "a helm.toolkit.fluxcd.io". */
export function withArticle(word: string): string {
    return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}

/** The allow-list entry to suggest in a message: `'namespace/name'`, or a description when not known yet. */
export function allowEntry(subject: Subject): string {
    return typeof subject.id === "string" ? `'${subject.id}'` : "its namespace/name";
}
