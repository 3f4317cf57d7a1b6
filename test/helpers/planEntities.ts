// The Ziti entities `pulumi up` makes for a stack config, as plain values: the program's own plan
// (plan/places.ts placeZitiEntities over config/parse.ts parseConfig), with the few values that are Outputs resolved.
// Every test or tool that needs the program's entity names or counts derives them from here instead of copying them:
// the e2e tier's expected controller state, test/unit/places.spec.ts (the program registers exactly this list), the
// README's counts (also test/unit/places.spec.ts), and both hand-run bench baselines (bench/lib/cliCalls.ts,
// bench/lib/opsImport.ts), which thus make the same entities as the program by construction.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../config";
import { placeZitiEntities } from "../../plan/places";
import type { ZitiEntity } from "../../plan/types";
import { ZITI_KINDS } from "../../provider/kinds";
import { valueOf } from "./outputs";

type Plain<T> = { [K in keyof T]: T[K] extends pulumi.Input<infer U> ? (U extends pulumi.Input<infer V>[] ? V[] : U) : T[K] };
/** A planned entity with every value resolved. */
export type PlainEntity = Plain<ZitiEntity>;

const REPO = path.resolve(__dirname, "..", "..");

/** The `scrape-anywhere:*` keys of a committed stack file `Pulumi.<stack>.yaml` (in `dir`), without the namespace. */
export function stackFileConfig(stack: string, dir = REPO): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
    const prefix = "scrape-anywhere:";
    return Object.fromEntries(Object.entries(doc.config ?? {}).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** The entities of the stack config `raw` (the `scrape-anywhere:*` keys without the namespace), in creation order. */
export async function planEntities(raw: Record<string, unknown>, stack = "dev"): Promise<PlainEntity[]> {
    const out: PlainEntity[] = [];
    for (const e of Object.values(placeZitiEntities(parseConfig(raw as any, stack))).flat()) {
        const v: Record<string, unknown> = { ...e };
        for (const k of ["data", "edgeRouterRoles", "identityRoles"]) if (v[k] !== undefined) v[k] = await valueOf(v[k] as pulumi.Input<unknown>);
        out.push(v as PlainEntity);
    }
    return out;
}

/** The Management API collection of a kind (provider/kinds.ts). */
export function collectionOf(kind: ZitiEntity["kind"]): string {
    return ZITI_KINDS.find(k => k.kind === kind)!.collection;
}

/** Names by controller collection, sorted, every collection of the registry present: what a controller should hold. */
export function namesByCollection(es: PlainEntity[]): Record<string, string[]> {
    const out: Record<string, string[]> = Object.fromEntries(ZITI_KINDS.map(k => [k.collection, []]));
    for (const e of es) out[collectionOf(e.kind)].push(e.name);
    for (const k of Object.keys(out)) out[k].sort();
    return out;
}

/** Identities the provider enrolls (all but `enroll: false`: human clients and admins keep their JWT). */
export function enrolled(es: PlainEntity[]): string[] {
    return es.filter(e => e.kind === "Identity" && e.enroll !== false).map(e => e.name);
}
