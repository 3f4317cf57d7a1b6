// The one REST layer to the Ziti controller: authentication (password or admin cert), one session per
// controller reused and renewed, keep-alive connections with explicit CA trust, retry with backoff on
// connection errors / 5xx / 429 (never on other 4xx), and typed errors that carry the controller's code and
// message but never a secret or HTTP internals.
import { entityPath } from "./names";
import type { ZitiSettings } from "./settings";

export const MANAGEMENT = "/edge/management/v1";
export const CLIENT = "/edge/client/v1";

/** An error answered by the controller: `{"error": {"code", "message", "cause"}}`. */
export class ZitiApiError extends Error {
    constructor(
        message: string,
        /** HTTP status. */
        public readonly status: number,
        /** Controller error code, e.g. `NOT_FOUND`, `COULD_NOT_VALIDATE`, `INVALID_AUTH`. */
        public readonly code: string,
        /** Controller message, without anything we sent. */
        public readonly controllerMessage: string,
    ) {
        super(message);
        this.name = "ZitiApiError";
    }
}

/** The controller could not be reached (after retries): DNS, refused, TLS trust, timeout. */
export class ZitiConnectionError extends Error {
    constructor(
        message: string,
        public readonly reason: string,
        /**
         * The request may have reached the controller and been applied (a reset, a timeout or a 5xx after it was
         * sent). Only set for requests that are not safe to repeat (`idempotent: false`): the caller finds out.
         */
        public readonly outcomeUnknown = false,
    ) {
        super(message);
        this.name = "ZitiConnectionError";
    }
}

export interface RequestOptions {
    /** Query parameters (values are URL-encoded here). */
    query?: Record<string, string | number | undefined>;
    /** JSON body, or a string sent as-is with `contentType`. */
    body?: unknown;
    contentType?: string;
    /** Skip the session header (authentication and enrollment calls). */
    anonymous?: boolean;
    /** Accept header (default `application/json`). */
    accept?: string;
    /** Return the body text instead of parsed JSON. */
    raw?: boolean;
    /**
     * Whether repeating the request is harmless (default: every method but POST). A request that is not is retried
     * only when it provably never reached the controller (connection refused, name not resolved, 429); any other
     * failure throws a ZitiConnectionError with `outcomeUnknown`, so the caller can look for what it made (a create
     * finds its entity by name and owner tags) instead of making it twice.
     */
    idempotent?: boolean;
}

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

const RETRYABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_CLOSED"]);
/** Failures that happen before a request is sent: repeating even a non-idempotent request is safe after them. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
/** Longest wait between two attempts: the doubling backoff stops growing here, so the default attempts span ~40 s. */
const MAX_BACKOFF_MS = 5_000;
/** Per-attempt limit: a stalled connection counts as a failed attempt after this long. */
const ATTEMPT_TIMEOUT_MS = 30_000;

/** HTTP status for controller error codes that arrive in a 200 answer. */
const STATUS_OF_CODE: Record<string, number> = { NOT_FOUND: 404, INVALID_AUTH: 401, UNAUTHORIZED: 401, FORBIDDEN: 403 };

/** The innermost cause of a fetch failure, as `code: message` without any request data. */
function connectionReason(e: unknown): { code: string; text: string } {
    let cur: any = e;
    for (let i = 0; i < 5 && cur?.cause; i++) cur = cur.cause;
    const code = typeof cur?.code === "string" ? cur.code : "";
    const text = typeof cur?.message === "string" ? cur.message : String(cur);
    return { code, text };
}

/** Ziti filter string literal: `name="x"` with `"` and `\` escaped. */
export function filterString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Removes any of `secrets` from `text` (defence in depth: messages are built not to contain them). */
function redact(text: string, secrets: (string | undefined)[]): string {
    let out = text;
    for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
    return out;
}

function describeCause(cause: any): string {
    if (!cause || typeof cause !== "object") return "";
    // Validation causes name a field and a reason; never echo `value` (it is what we sent).
    const field = typeof cause.field === "string" && cause.field !== "(root)" ? cause.field : "";
    const reason = typeof cause.reason === "string" ? cause.reason : typeof cause.message === "string" ? cause.message : "";
    if (!field && !reason) return "";
    return ` (${[field, reason].filter((x) => x).join(": ")})`;
}

/**
 * Opt-in request statistics for benchmarks: with `SCRAPE_ANYWHERE_ZITI_STATS=<dir>` set, every process that talks
 * to the controller keeps counts (auth / read / write requests, retries, new TLS connections, per route) and
 * rewrites `<dir>/ziti-stats-<pid>.json` at most every 200 ms and when the process ends (the engine stops the
 * provider with a signal it can handle). Rewriting it synchronously after every request cost the provider process
 * 1.4 of its 10 CPU-s in a seed `up` under load (bench/profileStart.ts, bench/RESULTS.md): the bench measured its
 * own counter. Unset: `undefined`, and the client does no extra work. Only counts, routes and timings are written.
 */
export interface RequestStats {
    record(method: string, path: string, ms: number, retry: boolean): void;
    connection(): void;
}

export function requestStats(): RequestStats | undefined {
    const dir = process.env.SCRAPE_ANYWHERE_ZITI_STATS;
    if (!dir) return undefined;
    const key = Symbol.for("scrape-anywhere.ziti.stats");
    const g = globalThis as any;
    if (g[key]) return g[key];
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const file = path.join(dir, `ziti-stats-${process.pid}.json`);
    const counts = {
        pid: process.pid,
        startedAt: Date.now(),
        auth: 0, read: 0, write: 0, retries: 0, connections: 0, httpMs: 0,
        firstRequestAt: 0, lastRequestAt: 0,
        routes: {} as Record<string, number>,
    };
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        try {
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(file, JSON.stringify(counts));
        } catch {
            // statistics must never fail a deployment
        }
    };
    const later = () => {
        if (timer) return;
        timer = setTimeout(flush, 200);
        timer.unref();
    };
    process.on("exit", flush);
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.on(sig, () => {
            flush();
            if (process.listenerCount(sig) === 1) process.exit(128 + (sig === "SIGINT" ? 2 : 15));
        });
    }
    const stats: RequestStats = {
        record(method, p, ms, retry) {
            const kind = p.endsWith("/authenticate") ? "auth" : method === "GET" ? "read" : "write";
            counts[kind]++;
            if (retry) counts.retries++;
            counts.httpMs += ms;
            const now = Date.now();
            if (!counts.firstRequestAt) counts.firstRequestAt = now;
            counts.lastRequestAt = now;
            // Route without ids: `GET /edge/management/v1/identities/:id`.
            const route = `${method} ${p.replace(/^(\/edge\/(?:management|client)\/v1\/[^/]+)\/[^/]+/, "$1/:id")}`;
            counts.routes[route] = (counts.routes[route] ?? 0) + 1;
            later();
        },
        connection() {
            counts.connections++;
            later();
        },
    };
    g[key] = stats;
    return stats;
}

/** Makes a client for these settings. Prefer `getClient` (one per controller and credential per process). */
export function createClient(settings: ZitiSettings): ZitiClient {
    const { Agent, fetch } = require("undici") as typeof import("undici");
    const caPem = settings.caPem ?? "";
    const connect: Record<string, unknown> = { rejectUnauthorized: !settings.insecure };
    if (caPem) connect.ca = caPem;
    if (settings.identity) {
        connect.cert = settings.identity.cert;
        connect.key = settings.identity.key;
    }
    // Keep-alive, but shorter than the controller's 5 s HTTP idle timeout (xweb default), so we never write to a
    // socket the controller is closing; a reset one is retried anyway.
    const agent = new Agent({ connect, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000, connections: 8 });
    const stats = requestStats();
    if (stats) agent.on("connect", () => stats.connection());
    const secrets = [settings.password];
    let session: { token: string; expiresAt: number } | undefined;
    let authenticating: Promise<string> | undefined;

    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    async function send(method: string, path: string, opts: RequestOptions, token?: string): Promise<{ status: number; json: any; text: string }> {
        const url = new URL(path, settings.controllerUrl);
        for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
        const headers: Record<string, string> = { accept: opts.accept ?? "application/json" };
        let body: string | undefined;
        if (opts.body !== undefined) {
            body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
            headers["content-type"] = opts.contentType ?? "application/json";
        }
        if (token) headers["zt-session"] = token;
        const idempotent = opts.idempotent ?? method !== "POST";
        const wait = (attempt: number) => sleep(Math.min(settings.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
        const where = `${method} ${url.pathname}`;
        let lastReason = "";
        for (let attempt = 1; ; attempt++) {
            let status = 0;
            let text = "";
            const t0 = stats ? performance.now() : 0;
            try {
                const res = await fetch(url, { method, headers, body, dispatcher: agent, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
                status = res.status;
                text = await res.text();
                stats?.record(method, url.pathname, performance.now() - t0, attempt > 1);
            } catch (e) {
                const r = connectionReason(e);
                const timedOut = (e as any)?.name === "TimeoutError";
                const retryable = RETRYABLE_CODES.has(r.code) || r.code.startsWith("UND_ERR") || timedOut;
                lastReason = r.code ? `${r.code}: ${r.text}` : timedOut ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : r.text;
                const unsent = NOT_SENT_CODES.has(r.code);
                if (retryable && (idempotent || unsent) && attempt < settings.maxAttempts) {
                    await wait(attempt);
                    continue;
                }
                throw new ZitiConnectionError(
                    redact(`cannot reach the Ziti controller at ${settings.controllerUrl} (${where}) after ${attempt} attempt(s): ${lastReason}`, secrets),
                    lastReason,
                    retryable && !idempotent && !unsent,
                );
            }
            // 429: not processed, always safe to repeat. 5xx: may have been applied, so only idempotent requests.
            if ((status === 429 || (status >= 500 && idempotent)) && attempt < settings.maxAttempts) {
                lastReason = `HTTP ${status}`;
                await wait(attempt);
                continue;
            }
            if (status >= 500 && !idempotent) {
                throw new ZitiConnectionError(
                    redact(`the Ziti controller at ${settings.controllerUrl} answered ${where} with HTTP ${status} (attempt ${attempt}); whether it was applied is unknown`, secrets),
                    `HTTP ${status}`,
                    true,
                );
            }
            let json: any;
            try {
                json = text ? JSON.parse(text) : undefined;
            } catch {
                json = undefined;
            }
            // Some answers of v1.7.2 (GET /configs/<missing id>, a refused password login) come as HTTP 200 with an
            // error envelope and no data: give them the status their code means.
            const bodyError = json?.error;
            if (status >= 200 && status < 300 && bodyError && typeof bodyError.code === "string" && json?.data === undefined) {
                status = STATUS_OF_CODE[bodyError.code] ?? 400;
            }
            return { status, json, text };
        }
    }

    function apiError(method: string, path: string, status: number, json: any): ZitiApiError {
        const err = json?.error ?? {};
        const code = typeof err.code === "string" ? err.code : `HTTP_${status}`;
        const message = typeof err.message === "string" ? err.message : "no error message from the controller";
        const text = redact(`Ziti controller refused ${method} ${path}: ${status} ${code}: ${message}${describeCause(err.cause)}`, secrets);
        return new ZitiApiError(text, status, code, redact(message, secrets));
    }

    async function authenticate(): Promise<string> {
        const method = settings.identity ? "cert" : "password";
        const body = settings.identity ? {} : { username: settings.username, password: settings.password };
        // A login that is repeated makes at most one more session: safe to retry like a read.
        const res = await send("POST", `${MANAGEMENT}/authenticate`, { query: { method }, body, idempotent: true });
        if (res.status !== 200) {
            const e = apiError("POST", `${MANAGEMENT}/authenticate?method=${method}`, res.status, res.json);
            throw new ZitiApiError(
                `Ziti authentication (${method}) as ${settings.identity ? "the configured admin identity" : `"${settings.username}"`} failed: ${e.code}: ${e.controllerMessage}` +
                    (settings.identity ? "" : " (check ziti:username / ziti:password)"),
                e.status,
                e.code,
                e.controllerMessage,
            );
        }
        const data = res.json?.data ?? {};
        const token = data.token;
        if (typeof token !== "string") throw new ZitiApiError("Ziti authentication returned no session token", res.status, "NO_TOKEN", "");
        const expiresAt = Date.parse(data.expiresAt ?? "") || Date.now() + (Number(data.expirationSeconds) || 1800) * 1000;
        session = { token, expiresAt };
        return token;
    }

    async function sessionToken(): Promise<string> {
        if (session && session.expiresAt - 30_000 > Date.now()) return session.token;
        if (!authenticating) authenticating = authenticate().finally(() => (authenticating = undefined));
        return authenticating;
    }

    const client: ZitiClient = {
        controllerUrl: settings.controllerUrl,
        caPem,
        insecure: settings.insecure,
        async request(method, path, opts = {}) {
            let token = opts.anonymous ? undefined : await sessionToken();
            let res = await send(method, path, opts, token);
            if (res.status === 401 && !opts.anonymous) {
                // The session expired or was removed on the controller: renew once and repeat.
                session = undefined;
                token = await sessionToken();
                res = await send(method, path, opts, token);
            }
            if (res.status < 200 || res.status >= 300) throw apiError(method, path, res.status, res.json);
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
        forgetSession() {
            session = undefined;
        },
        async close() {
            session = undefined;
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
