// `scrape-anywhere:collection` and `scrape-anywhere:remoteWrite` (issue 26): how the central place gets the
// clusters' series, and where the clusters write when they push. The schema (./schema.ts) has checked each value;
// what is left here is what depends on other keys: the flavor's default and support, remoteWrite only with
// collection remoteWrite, port and hostIdentity only with address.
import { FLAVORS } from "../flavors";
import { Collection, RemoteWriteSpec } from "../plan/types";
import type { CheckedConfig } from "./schema";
import { fail } from "./validate";

/** Prometheus' own receiver path (prometheus/prometheus v3.16.0 web/api/v1/api.go: POST /api/v1/write). */
const DEFAULT_WRITE_PATH = "/api/v1/write";

/**
 * `collection` (default: the flavor's) and `remoteWrite` (only with `collection: remoteWrite`). A cluster stack does
 * not know the central's name: its write service defaults to `<central name, default central>.write.svc`, and the
 * central stack refuses a cluster stack that writes elsewhere (components/stackReferences.ts).
 */
export function parseCollection(raw: Pick<CheckedConfig, "collection" | "remoteWrite">, flavor: string, centralName: string | undefined): { collection: Collection; remoteWrite?: RemoteWriteSpec } {
    const f = FLAVORS[flavor];
    const collection = raw.collection ?? f.collection.default;
    if (!f.collection.supported.includes(collection)) {
        fail("collection", `the ${flavor} flavor supports only ${f.collection.supported.join(", ")}, not ${collection}: ${f.collection.why ?? ""} ` +
            `Set scrape-anywhere:collection ${f.collection.default}, or scrape-anywhere:flavor ${Object.keys(FLAVORS).find(n => FLAVORS[n].collection.supported.includes(collection))}.`);
    }
    const o = raw.remoteWrite;
    if (collection !== "remoteWrite") {
        if (o !== undefined) fail("remoteWrite", `is set but scrape-anywhere:collection is ${collection}: set collection remoteWrite, or remove remoteWrite.`);
        return { collection };
    }
    const service = o?.service ?? `${centralName ?? "central"}.write.svc`;
    const path = o?.path ?? DEFAULT_WRITE_PATH;
    if (o?.address === undefined) {
        if (o?.port !== undefined || o?.hostIdentity !== undefined) {
            fail("remoteWrite.address", `port or hostIdentity given without address: name the endpoint the write service's tunneler reaches (e.g. thanos-receive.monitoring.svc), or remove them to write to the central Prometheus.`);
        }
        return { collection, remoteWrite: { service, path } };
    }
    if (o.port === undefined) fail("remoteWrite.port", `the endpoint's TCP port (1-65535) is required with address, got nothing.`);
    const hostIdentity = o.hostIdentity ?? `${service.replace(/\.svc$/, "")}.host.id`;
    return { collection, remoteWrite: { service, path, external: { address: o.address, port: o.port, hostIdentity } } };
}
