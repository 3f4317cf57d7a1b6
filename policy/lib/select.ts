// Property paths and conditions written in policy config, e.g. `spec.gateways`,
// `spec.http[*].match[*].gateways`, `metadata.labels["networking.knative.dev/visibility"]`: where a
// custom resource says whether it exposes a workload. Reading goes through UNKNOWN values and says where
// they were, so a rule can report "could not be checked" instead of guessing.
import { Plain, isUnknown } from "./unknown";

type Segment = { key: string; quoted: boolean } | { each: true } | { index: number };

/** Parses `a.b[*].c["d.e"][0]`; throws with the path and position on anything else. */
export function parsePath(path: string): Segment[] {
    const out: Segment[] = [];
    let i = 0;
    const fail = (why: string): never => {
        throw new Error(`property path '${path}': ${why} at position ${i}; write keys separated by '.', [*] for every list item, ["key.with.dots"] for such keys`);
    };
    while (i < path.length) {
        if (path[i] === ".") {
            if (i === 0 || i === path.length - 1) fail("misplaced '.'");
            i++;
            continue;
        }
        if (path[i] === "[") {
            const end = path.indexOf("]", i);
            if (end < 0) fail("unclosed '['");
            const inner = path.slice(i + 1, end);
            if (inner === "*") {
                out.push({ each: true });
            } else if (/^\d+$/.test(inner)) {
                out.push({ index: Number(inner) });
            } else if (/^"[^"]*"$/.test(inner)) {
                out.push({ key: inner.slice(1, -1), quoted: true });
            } else {
                fail(`'[${inner}]' is not [*], [<index>] or ["<key>"]`);
            }
            i = end + 1;
            continue;
        }
        const m = /^[^.[\]]+/.exec(path.slice(i));
        if (!m) fail("empty key");
        out.push({ key: m![0], quoted: false });
        i += m![0].length;
    }
    if (out.length === 0) fail("empty path");
    return out;
}

function step(base: string, seg: Segment, indexOrKey?: number): string {
    if ("each" in seg || "index" in seg) return `${base}[${indexOrKey}]`;
    if (seg.quoted) return `${base}["${seg.key}"]`;
    return base ? `${base}.${seg.key}` : seg.key;
}

export interface Selected {
    /** Values present at the path, with their concrete paths (`spec.http[1].match[0].gateways`). */
    values: { value: Plain; path: string }[];
    /** Concrete paths where an unknown value stopped the reading. */
    unknown: string[];
}

/** Every value at `path` under `root` (`[*]` fans out over list items); absent branches are skipped. */
export function select(root: Plain | undefined, path: string, base = ""): Selected {
    let current: { value: Plain; path: string }[] = root === undefined ? [] : [{ value: root, path: base }];
    const unknown: string[] = [];
    for (const seg of parsePath(path)) {
        const next: { value: Plain; path: string }[] = [];
        for (const { value, path: at } of current) {
            if (isUnknown(value)) {
                unknown.push(at || "(the object)");
                continue;
            }
            if ("each" in seg) {
                if (Array.isArray(value)) value.forEach((v, i) => next.push({ value: v, path: step(at, seg, i) }));
            } else if ("index" in seg) {
                if (Array.isArray(value) && seg.index < value.length) next.push({ value: value[seg.index], path: step(at, seg, seg.index) });
            } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
                const child = (value as { [k: string]: Plain })[seg.key];
                if (child !== undefined && child !== null) next.push({ value: child, path: step(at, seg) });
            }
        }
        current = next;
    }
    const values: { value: Plain; path: string }[] = [];
    for (const v of current) {
        if (isUnknown(v.value)) unknown.push(v.path);
        else values.push(v);
    }
    return { values, unknown };
}

/** A test on the values at a property path. With no operator it holds when the path holds a non-empty value. */
export interface Condition {
    /** Property path, e.g. `spec.gateways` or `metadata.labels["networking.knative.dev/visibility"]`. */
    path: string;
    /** Holds when a value at the path equals this. */
    equals?: string | number | boolean;
    /** Holds when a value at the path, or an item of a list there, is a string not in this list (e.g. `["mesh"]`). */
    anyValueExcept?: string[];
}

/** `holds` with the concrete path that made it hold, or `unknown` with the paths it could not read. */
export type Verdict = { holds: true; where: string; value: Plain } | { holds: false; unknown: string[] };

export function evaluate(root: Plain | undefined, cond: Condition): Verdict {
    const sel = select(root, cond.path);
    const unknown = [...sel.unknown];
    for (const { value, path } of sel.values) {
        if (cond.equals !== undefined) {
            if (value === cond.equals) return { holds: true, where: path, value };
            continue;
        }
        if (cond.anyValueExcept !== undefined) {
            const items = Array.isArray(value) ? value.map((v, i) => ({ v, p: `${path}[${i}]` })) : [{ v: value, p: path }];
            for (const { v, p } of items) {
                if (isUnknown(v)) unknown.push(p);
                else if (typeof v === "string" && !cond.anyValueExcept.includes(v)) return { holds: true, where: p, value: v };
            }
            continue;
        }
        const empty = value === "" || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
        if (!empty) return { holds: true, where: path, value };
    }
    return { holds: false, unknown };
}

/** The first condition that holds, else every unknown path met on the way (empty when all were known and none held). */
export function anyHolds(root: Plain | undefined, conditions: readonly Condition[]): Verdict {
    const unknown: string[] = [];
    for (const c of conditions) {
        const v = evaluate(root, c);
        if (v.holds) return v;
        unknown.push(...v.unknown);
    }
    return { holds: false, unknown };
}
