// The Ziti entities `pulumi up` makes for a stack config, as plain values: the program's own plan
// (plan/places.ts placeZitiEntities over config/parse.ts parseConfig), with the few values that are Outputs resolved.
// Both hand-run baselines are written from this list (bench/lib/cliCalls.ts, bench/lib/opsImport.ts), so they make
// the same entities as the program by construction; test/unit/places.spec.ts checks that the program registers
// exactly this list, and the bench still compares the three entity sets on the controller before it prints a ratio.
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../config";
import { placeZitiEntities } from "../../plan/places";
import type { ZitiEntity } from "../../plan/types";

type Plain<T> = { [K in keyof T]: T[K] extends pulumi.Input<infer U> ? (U extends pulumi.Input<infer V>[] ? V[] : U) : T[K] };
/** A planned entity with every value resolved. */
export type PlainEntity = Plain<ZitiEntity>;

const resolve = (v: unknown): Promise<any> => (pulumi.output(v as pulumi.Input<unknown>) as unknown as { promise(): Promise<unknown> }).promise();

/** The entities of the stack config `raw` (the `scrape-anywhere:*` keys without the namespace), in creation order. */
export async function planEntities(raw: Record<string, unknown>, stack = "dev"): Promise<PlainEntity[]> {
    const out: PlainEntity[] = [];
    for (const e of Object.values(placeZitiEntities(parseConfig(raw as any, stack))).flat()) {
        const v: Record<string, unknown> = { ...e };
        for (const k of ["data", "edgeRouterRoles", "identityRoles"]) if (v[k] !== undefined) v[k] = await resolve(v[k]);
        out.push(v as PlainEntity);
    }
    return out;
}

/** Names by controller collection, sorted: what the bench compares with the controller's state after each way. */
export function namesByCollection(es: PlainEntity[]): Record<string, string[]> {
    const coll: Record<PlainEntity["kind"], string> = {
        Identity: "identities", Config: "configs", Service: "services", ServicePolicy: "service-policies",
        EdgeRouterPolicy: "edge-router-policies", ServiceEdgeRouterPolicy: "service-edge-router-policies",
    };
    const out: Record<string, string[]> = {};
    for (const e of es) (out[coll[e.kind]] ??= []).push(e.name);
    for (const k of Object.keys(out)) out[k].sort();
    return out;
}

/** Identities the provider enrolls (all but `enroll: false`: human clients and admins keep their JWT). */
export function enrolled(es: PlainEntity[]): string[] {
    return es.filter(e => e.kind === "Identity" && e.enroll !== false).map(e => e.name);
}
