// The registry of workload flavors: one line per flavor. `scrape-anywhere:flavor` names one of them; every list
// of flavors (config validation, docs) derives from this object.
import { article } from "./article";
import type { Flavor } from "./types";
import { upstream } from "./upstream";

export const FLAVORS: Readonly<Record<string, Flavor>> = {
    article,
    upstream,
};

/** The flavor a stack uses when `scrape-anywhere:flavor` is not set. */
export const DEFAULT_FLAVOR = "upstream";

/** The flavor named `name`; throws naming the known ones. */
export function flavorNamed(name: string): Flavor {
    const f = FLAVORS[name];
    if (!f) throw new Error(`unknown workload flavor "${name}"; known: ${Object.keys(FLAVORS).join(", ")}`);
    return f;
}

export type { Flavor } from "./types";
