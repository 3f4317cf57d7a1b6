// The one REST layer to the Ziti controller: authentication (password or admin cert), one session per
// controller reused and renewed (./session), keep-alive connections with explicit CA trust, retry with backoff on
// connection errors / 5xx / 429, never on other 4xx (./transport), and typed errors that carry the controller's
// code and message but never a secret or HTTP internals (./apiErrors).
import { apiError, ZitiApiError } from "./apiErrors";
import { entityPath } from "./names";
import { requestStats } from "./requestStats";
import { makeSession, MANAGEMENT } from "./session";
import type { ZitiSettings } from "./settings";
import { makeSender, RequestOptions } from "./transport";

export { ZitiApiError, ZitiConnectionError } from "./apiErrors";
export { RequestStats, requestStats } from "./requestStats";
export { MANAGEMENT } from "./session";
export type { RequestOptions } from "./transport";
export const CLIENT = "/edge/client/v1";

export interface ZitiClient {
    readonly controllerUrl: string;
    /** PEM CA bundle the client trusts for the controller (may be empty in insecure mode). */
    readonly caPem: string;
    /** TLS verification of the controller is off (`ziti:insecure`): nothing read over it is authenticated. */
    readonly insecure: boolean;
    /** A request to the controller; `path` is absolute (`/edge/management/v1/...`). Returns the parsed JSON. */
    request(method: string, path: string, opts?: RequestOptions): Promise<any>;
    /** GET one management entity; `undefined` when the controller says 404. */
    get(collection: string, id: string): Promise<any | undefined>;
    /** Management entities whose `field` equals `value` exactly. */
    findBy(collection: string, field: string, value: string): Promise<any[]>;
    /** Drops the session (next call authenticates again). */
    forgetSession(): void;
    close(): Promise<void>;
}

/** Ziti filter string literal: `name="x"` with `"` and `\` escaped. */
export function filterString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The connection pool of one client: keep-alive to the controller, trusting only the configured CA. */
function agentFor(settings: ZitiSettings): import("undici").Agent {
    const { Agent } = require("undici") as typeof import("undici");
    const connect: Record<string, unknown> = { rejectUnauthorized: !settings.insecure };
    if (settings.caPem) connect.ca = settings.caPem;
    if (settings.identity) {
        connect.cert = settings.identity.cert;
        connect.key = settings.identity.key;
    }
    // Keep-alive, but shorter than the controller's 5 s HTTP idle timeout (xweb default), so we never write to a
    // socket the controller is closing; a reset one is retried anyway.
    return new Agent({ connect, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000, connections: 8 });
}

/** Makes a client for these settings. Prefer `getClient` (one per controller and credential per process). */
export function createClient(settings: ZitiSettings): ZitiClient {
    const { fetch } = require("undici") as typeof import("undici");
    const agent = agentFor(settings);
    const stats = requestStats();
    if (stats) agent.on("connect", () => stats.connection());
    const secrets = [settings.password];
    const send = makeSender(settings, { fetch, dispatcher: agent, stats, secrets });
    const session = makeSession(settings, send, secrets);

    const client: ZitiClient = {
        controllerUrl: settings.controllerUrl,
        caPem: settings.caPem ?? "",
        insecure: settings.insecure,
        async request(method, path, opts = {}) {
            let res = await send(method, path, opts, opts.anonymous ? undefined : await session.token());
            if (res.status === 401 && !opts.anonymous) {
                // The session expired or was removed on the controller: renew once and repeat.
                session.forget();
                res = await send(method, path, opts, await session.token());
            }
            if (res.status < 200 || res.status >= 300) throw apiError(method, path, res.status, res.json, secrets);
            return opts.raw ? res.text : res.json ?? {};
        },
        async get(collection, id) {
            try {
                const res = await client.request("GET", entityPath(collection, id));
                // One entity answers with an object of that id; anything else (a list) is not this entity.
                return res.data && !Array.isArray(res.data) && res.data.id === id ? res.data : undefined;
            } catch (e) {
                if (e instanceof ZitiApiError && e.status === 404) return undefined;
                throw e;
            }
        },
        async findBy(collection, field, value) {
            const res = await client.request("GET", `${MANAGEMENT}/${collection}`, { query: { filter: `${field}=${filterString(value)}`, limit: 500 } });
            return Array.isArray(res.data) ? res.data : [];
        },
        forgetSession: () => session.forget(),
        async close() {
            session.forget();
            await agent.close();
        },
    };
    return client;
}

/** The process-wide client for these settings (one session per controller and credential). */
export function getClient(settings: ZitiSettings): ZitiClient {
    const key = Symbol.for("scrape-anywhere.ziti.clients");
    const g = globalThis as any;
    const cache: Map<string, ZitiClient> = g[key] ?? (g[key] = new Map());
    const crypto = require("crypto") as typeof import("crypto");
    // The key is a digest: the password stays out of any printable structure.
    const id = crypto
        .createHash("sha256")
        .update(JSON.stringify([settings.controllerUrl, settings.username, settings.password, settings.identity?.cert, settings.caPem, settings.insecure, settings.maxAttempts, settings.backoffMs]))
        .digest("hex");
    let client = cache.get(id);
    if (!client) {
        if (settings.insecure) {
            const warned = Symbol.for("scrape-anywhere.ziti.warnedInsecure");
            if (!g[warned]) {
                g[warned] = true;
                console.error(
                    `warning: ziti:insecure=true: TLS verification of the Ziti controller ${settings.controllerUrl} is OFF (dev only); ` +
                        (settings.caPem
                            ? "identities are enrolled with the ziti:caBundle CA, not with what this connection returns"
                            : "identities with enroll: true are refused (set ziti:caBundle); enrollment JWTs handed out are unverified"),
                );
            }
        }
        client = createClient(settings);
        cache.set(id, client);
    }
    return client;
}

/** Closes every cached client of this process (tests; the provider process just exits). */
export async function closeAllClients(): Promise<void> {
    const key = Symbol.for("scrape-anywhere.ziti.clients");
    const cache: Map<string, ZitiClient> | undefined = (globalThis as any)[key];
    if (!cache) return;
    const all = [...cache.values()];
    cache.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
}
