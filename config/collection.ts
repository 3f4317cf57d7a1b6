// `scrape-anywhere:collection` and `scrape-anywhere:remoteWrite` (issue 26): how the central place gets the
// clusters' series, and where the clusters write when they push. Kept in one file so the rest of config/ only
// calls `parseCollection`.
import { FLAVORS } from "../flavors";
import { COLLECTIONS, Collection, RemoteWriteSpec } from "../plan/types";
import { fail, optString } from "./checks";

/** Prometheus' own receiver path (prometheus/prometheus v3.16.0 web/api/v1/api.go: POST /api/v1/write). */
const DEFAULT_WRITE_PATH = "/api/v1/write";
const SERVICE_RE = /^[A-Za-z][A-Za-z0-9_.]*$/;

/** The raw keys this file reads. */
export interface RawCollection { collection?: unknown; remoteWrite?: unknown }

/**
 * Validates `collection` (default: the flavor's) and `remoteWrite` (only with `collection: remoteWrite`). A cluster
 * stack does not know the central's name: its write service defaults to `<central name, default central>.write.svc`,
 * and the central stack refuses a cluster stack that writes elsewhere (components/stackReferences.ts).
 */
export function parseCollection(raw: RawCollection, flavor: string, centralName: string | undefined): { collection: Collection; remoteWrite?: RemoteWriteSpec } {
    const f = FLAVORS[flavor];
    const collection = optString("collection", raw.collection, f.collection.default) as Collection;
    if (!COLLECTIONS.includes(collection)) fail("collection", `unknown collection "${collection}"; use one of: ${COLLECTIONS.join(", ")}.`);
    if (!f.collection.supported.includes(collection)) {
        fail("collection", `the ${flavor} flavor supports only ${f.collection.supported.join(", ")}, not ${collection}: ${f.collection.why ?? ""} ` +
            `Set scrape-anywhere:collection ${f.collection.default}, or scrape-anywhere:flavor ${Object.keys(FLAVORS).find(n => FLAVORS[n].collection.supported.includes(collection))}.`);
    }
    const r = raw.remoteWrite;
    if (collection !== "remoteWrite") {
        if (r !== undefined && r !== null) fail("remoteWrite", `is set but scrape-anywhere:collection is ${collection}: set collection remoteWrite, or remove remoteWrite.`);
        return { collection };
    }
    if (r !== undefined && r !== null && (typeof r !== "object" || Array.isArray(r))) {
        fail("remoteWrite", `must be an object like {service: thanos.write.svc, address: thanos-receive.monitoring.svc, port: 19291, path: /api/v1/receive}, got ${JSON.stringify(r)}`);
    }
    const o = (r ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(o)) {
        if (!["service", "path", "address", "port", "hostIdentity"].includes(k)) fail(`remoteWrite.${k}`, `unknown field; known: service, path, address, port, hostIdentity.`);
    }
    const service = optString("remoteWrite.service", o.service, `${centralName ?? "central"}.write.svc`);
    if (!SERVICE_RE.test(service) || !service.endsWith(".svc")) {
        fail("remoteWrite.service", `"${service}" must be a Ziti service name of letters, digits, '_' and '.', ending in .svc (e.g. thanos.write.svc).`);
    }
    const path = optString("remoteWrite.path", o.path, DEFAULT_WRITE_PATH);
    if (!path.startsWith("/")) fail("remoteWrite.path", `"${path}" must be an absolute HTTP path like /api/v1/write.`);
    const address = optString("remoteWrite.address", o.address);
    if (address === undefined) {
        if (o.port !== undefined || o.hostIdentity !== undefined) {
            fail("remoteWrite.address", `port or hostIdentity given without address: name the endpoint the write service's tunneler reaches (e.g. thanos-receive.monitoring.svc), or remove them to write to the central Prometheus.`);
        }
        return { collection, remoteWrite: { service, path } };
    }
    const port = typeof o.port === "string" ? Number(o.port) : o.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
        fail("remoteWrite.port", `the endpoint's TCP port (1-65535) is required with address, got ${JSON.stringify(o.port)}.`);
    }
    const hostIdentity = optString("remoteWrite.hostIdentity", o.hostIdentity, `${service.replace(/\.svc$/, "")}.host.id`);
    return { collection, remoteWrite: { service, path, external: { address, port, hostIdentity } } };
}
