// The client's session: one login (password or admin certificate) shared by concurrent requests, renewed 30 s
// before it expires or when the controller answers 401 (./client drops it then).
import { apiError, ZitiApiError } from "./apiErrors";
import type { Send } from "./transport";
import type { ZitiSettings } from "./settings";

export const MANAGEMENT = "/edge/management/v1";

export interface Session {
    /** A valid session token (logs in when there is none or it is about to expire). */
    token(): Promise<string>;
    /** Drops the session: the next `token()` logs in again. */
    forget(): void;
}

async function login(settings: ZitiSettings, send: Send, secrets: (string | undefined)[]): Promise<{ token: string; expiresAt: number }> {
    const method = settings.identity ? "cert" : "password";
    const body = settings.identity ? {} : { username: settings.username, password: settings.password };
    // A login that is repeated makes at most one more session: safe to retry like a read.
    const res = await send("POST", `${MANAGEMENT}/authenticate`, { query: { method }, body, idempotent: true });
    if (res.status !== 200) {
        const e = apiError("POST", `${MANAGEMENT}/authenticate?method=${method}`, res.status, res.json, secrets);
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
    return { token, expiresAt: Date.parse(data.expiresAt ?? "") || Date.now() + (Number(data.expirationSeconds) || 1800) * 1000 };
}

export function makeSession(settings: ZitiSettings, send: Send, secrets: (string | undefined)[]): Session {
    let session: { token: string; expiresAt: number } | undefined;
    let authenticating: Promise<string> | undefined;
    return {
        async token() {
            if (session && session.expiresAt - 30_000 > Date.now()) return session.token;
            if (!authenticating) {
                authenticating = login(settings, send, secrets)
                    .then((s) => (session = s).token)
                    .finally(() => (authenticating = undefined));
            }
            return authenticating;
        },
        forget() {
            session = undefined;
        },
    };
}
