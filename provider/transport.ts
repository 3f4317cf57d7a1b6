// One request to the controller with retries: backoff on connection errors, 5xx and 429 (never other 4xx); a
// request that is not safe to repeat (a POST) is repeated only when it provably never reached the controller.
// Used by ./client (entity calls) and ./session (login); errors are ./apiErrors'.
import { connectionReason, redact, ZitiConnectionError } from "./apiErrors";
import type { RequestStats } from "./requestStats";
import type { ZitiSettings } from "./settings";

const RETRYABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_CLOSED"]);
/** Failures that happen before a request is sent: repeating even a non-idempotent request is safe after them. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
/** Longest wait between two attempts: the doubling backoff stops growing here, so the default attempts span ~40 s. */
const MAX_BACKOFF_MS = 5_000;
/** Per-attempt limit: a stalled connection counts as a failed attempt after this long. */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** HTTP status for controller error codes that arrive in a 200 answer. */
const STATUS_OF_CODE: Record<string, number> = { NOT_FOUND: 404, INVALID_AUTH: 401, UNAUTHORIZED: 401, FORBIDDEN: 403 };

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

export interface Answer {
    status: number;
    json: any;
    text: string;
}

/** Sends one request (retrying as above); `token` is the session header, if any. */
export type Send = (method: string, path: string, opts: RequestOptions, token?: string) => Promise<Answer>;

/** What the connection layer gives a sender: undici's fetch over the client's one keep-alive agent. */
export interface Wire {
    fetch: typeof import("undici").fetch;
    dispatcher: import("undici").Dispatcher;
    stats?: RequestStats;
    secrets: (string | undefined)[];
}

function requestOf(settings: ZitiSettings, method: string, path: string, opts: RequestOptions, token?: string) {
    const url = new URL(path, settings.controllerUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: opts.accept ?? "application/json" };
    let body: string | undefined;
    if (opts.body !== undefined) {
        body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
        headers["content-type"] = opts.contentType ?? "application/json";
    }
    if (token) headers["zt-session"] = token;
    return { url, headers, body };
}

/** The answer as JSON; some answers of v1.7.2 (GET /configs/<missing id>, a refused password login) come as HTTP 200
 * with an error envelope and no data: they get the status their code means. */
function answerOf(status: number, text: string): Answer {
    let json: any;
    try {
        json = text ? JSON.parse(text) : undefined;
    } catch {
        json = undefined;
    }
    const bodyError = json?.error;
    if (status >= 200 && status < 300 && bodyError && typeof bodyError.code === "string" && json?.data === undefined) {
        status = STATUS_OF_CODE[bodyError.code] ?? 400;
    }
    return { status, json, text };
}

/** A failed attempt that never got an answer: whether to try again, else the error to throw. */
function connectionFailure(e: unknown, attempt: number, idempotent: boolean, settings: ZitiSettings, where: string, secrets: (string | undefined)[]): { retry: true } | { retry: false; error: ZitiConnectionError } {
    const r = connectionReason(e);
    const timedOut = (e as any)?.name === "TimeoutError";
    const retryable = RETRYABLE_CODES.has(r.code) || r.code.startsWith("UND_ERR") || timedOut;
    const reason = r.code ? `${r.code}: ${r.text}` : timedOut ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : r.text;
    const unsent = NOT_SENT_CODES.has(r.code);
    if (retryable && (idempotent || unsent) && attempt < settings.maxAttempts) return { retry: true };
    return {
        retry: false,
        error: new ZitiConnectionError(
            redact(`cannot reach the Ziti controller at ${settings.controllerUrl} (${where}) after ${attempt} attempt(s): ${reason}`, secrets),
            reason,
            retryable && !idempotent && !unsent,
        ),
    };
}

/** The sender of one client: every request of it goes through `wire`. */
export function makeSender(settings: ZitiSettings, wire: Wire): Send {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const wait = (attempt: number) => sleep(Math.min(settings.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
    return async function send(method, path, opts, token) {
        const { url, headers, body } = requestOf(settings, method, path, opts, token);
        const idempotent = opts.idempotent ?? method !== "POST";
        const where = `${method} ${url.pathname}`;
        for (let attempt = 1; ; attempt++) {
            let status: number;
            let text: string;
            const t0 = wire.stats ? performance.now() : 0;
            try {
                const res = await wire.fetch(url, { method, headers, body, dispatcher: wire.dispatcher, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
                status = res.status;
                text = await res.text();
                wire.stats?.record(method, url.pathname, performance.now() - t0, attempt > 1);
            } catch (e) {
                const failure = connectionFailure(e, attempt, idempotent, settings, where, wire.secrets);
                if (!failure.retry) throw failure.error;
                await wait(attempt);
                continue;
            }
            // 429: not processed, always safe to repeat. 5xx: may have been applied, so only idempotent requests.
            if ((status === 429 || (status >= 500 && idempotent)) && attempt < settings.maxAttempts) {
                await wait(attempt);
                continue;
            }
            if (status >= 500 && !idempotent) {
                throw new ZitiConnectionError(
                    redact(`the Ziti controller at ${settings.controllerUrl} answered ${where} with HTTP ${status} (attempt ${attempt}); whether it was applied is unknown`, wire.secrets),
                    `HTTP ${status}`,
                    true,
                );
            }
            return answerOf(status, text);
        }
    };
}
