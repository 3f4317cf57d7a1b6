// Ziti provider settings: where the controller is and how to authenticate to it.
//
// Read from the dynamic provider's `configure` request (stack config, namespace `ziti:`), falling back to the
// environment names the OpenZiti Terraform provider uses. Credentials are never resource inputs, so they never
// reach Pulumi state. Resolved settings live only in the provider process (see `runtimeState`).

/** The slice of `pulumi.dynamic.Config` that settings need (also satisfied by a plain lookup in tests). */
export interface ConfigLookup {
    get(key: string): string | undefined;
}

export interface ZitiSettings {
    /** Controller origin, e.g. `https://127.0.0.1:1280` (any `/edge/...` suffix given by the user is stripped). */
    controllerUrl: string;
    username?: string;
    /** Never logged, never in an error, never in state. */
    password?: string;
    /** PEM text of the CA bundle that signs the controller's TLS certificate. */
    caPem?: string;
    /** Admin identity (enrolled identity JSON) for cert authentication, parsed. */
    identity?: { cert: string; key: string; ca?: string };
    /** Dev only: skip TLS verification of the controller. Warned about on every process that uses it. */
    insecure: boolean;
    /**
     * Attempts for retryable failures (connection errors, 5xx, 429). Default 12: with the backoff doubling from
     * 250 ms and capped at 5 s (client.ts), a controller that is away for up to ~35 s is ridden through.
     */
    maxAttempts: number;
    /** First backoff delay in ms, doubled after each attempt. Default 250. */
    backoffMs: number;
}

/** Thrown for settings that cannot work; the message says which key to set. Never contains a secret. */
export class ZitiSettingsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ZitiSettingsError";
    }
}

/** Strips the `pem:` prefix Ziti identity files use for inline PEM. */
export function stripPem(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    return value.startsWith("pem:") ? value.slice(4) : value;
}

/**
 * Reads PEM text given inline (`-----BEGIN...` or `pem:...`) or as a file path (`file://` or plain path).
 * `secret`: the value was read from a credential (an identity file), so no message may repeat any of it, not even
 * as the "path" it was taken for: a malformed inline key would otherwise be echoed, private key included.
 */
export function readPem(value: string, what: string, secret = false, kind?: "key" | "certificate"): string {
    const text = readPemText(value, what, secret);
    if (kind) {
        // Parsed here, so a malformed block fails now, naming the field, and not later inside TLS.
        const crypto = require("crypto") as typeof import("crypto");
        try {
            if (kind === "key") crypto.createPrivateKey(text);
            else new crypto.X509Certificate(text);
        } catch {
            throw new ZitiSettingsError(`${what}: is not a PEM ${kind === "key" ? "private key" : "certificate"} (the value is not repeated here)`);
        }
    }
    return text;
}

function readPemText(value: string, what: string, secret: boolean): string {
    const fs = require("fs") as typeof import("fs");
    // `pem: -----BEGIN` (a space after the prefix) is still inline PEM.
    const inline = stripPem(value.trim())!.trim();
    if (inline.startsWith("-----BEGIN")) return inline;
    if (secret && (inline.includes("-----") || value.trim().startsWith("pem:"))) {
        throw new ZitiSettingsError(`${what}: is neither inline PEM ("pem:-----BEGIN ...") nor a file path: the PEM block is malformed (its text is not repeated here)`);
    }
    const path = inline.startsWith("file://") ? inline.slice("file://".length) : inline;
    try {
        return fs.readFileSync(path, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
        if (secret) throw new ZitiSettingsError(`${what}: is not inline PEM and names no readable PEM file (${code}); the value is not repeated here`);
        throw new ZitiSettingsError(`${what}: cannot read PEM file ${path}: ${code}`);
    }
}

/** Parses an enrolled identity JSON file `{ztAPI, id: {key, cert, ca}}`. Errors name the field, never its value. */
export function readIdentityFile(path: string): { ztAPI?: string; cert: string; key: string; ca?: string } {
    const fs = require("fs") as typeof import("fs");
    let doc: any;
    try {
        doc = JSON.parse(fs.readFileSync(path, "utf8"));
    } catch (e) {
        // Do not echo the file's content (nor JSON.parse's message, which quotes it): it holds a private key.
        throw new ZitiSettingsError(`ziti:identityFile: cannot read identity JSON from ${path} (${(e as NodeJS.ErrnoException).code ?? "invalid JSON"})`);
    }
    const id = doc?.id ?? {};
    if (typeof id.cert !== "string" || typeof id.key !== "string") {
        throw new ZitiSettingsError(`ziti:identityFile: ${path} is not an enrolled Ziti identity (needs id.cert and id.key)`);
    }
    if (doc.ztAPI !== undefined && typeof doc.ztAPI !== "string") throw new ZitiSettingsError(`ziti:identityFile: ztAPI in ${path} must be a URL string`);
    if (id.ca !== undefined && typeof id.ca !== "string") throw new ZitiSettingsError(`ziti:identityFile: id.ca in ${path} must be PEM text or a file path`);
    return {
        ztAPI: typeof doc.ztAPI === "string" ? doc.ztAPI : undefined,
        cert: readPem(id.cert, `ziti:identityFile id.cert (${path})`, true, "certificate"),
        key: readPem(id.key, `ziti:identityFile id.key (${path})`, true, "key"),
        ca: typeof id.ca === "string" ? readPem(id.ca, `ziti:identityFile id.ca (${path})`, true, "certificate") : undefined,
    };
}

/** `https://host:1280/edge/management/v1` -> `https://host:1280`. */
export function controllerOrigin(url: string, what = "ziti:controllerUrl"): string {
    let u: URL;
    try {
        u = new URL(url.includes("://") ? url : `https://${url}`);
    } catch {
        // Not repeated: it may come from an identity file (ztAPI), and a URL can carry `user:password@`.
        throw new ZitiSettingsError(`${what}: is not a URL (expected e.g. https://127.0.0.1:1280)`);
    }
    if (u.protocol !== "https:") {
        throw new ZitiSettingsError(`${what}: the Ziti controller API is served over https, got ${u.protocol}//`);
    }
    if (u.username || u.password) throw new ZitiSettingsError(`${what}: must not carry a user or password (use ziti:username / ziti:password)`);
    return u.origin;
}

function truthy(v: string | undefined): boolean {
    return v !== undefined && ["true", "1", "yes"].includes(v.trim().toLowerCase());
}

/**
 * Resolves settings from stack config (`ziti:*`) with environment fallbacks
 * (`ZITI_API_HOST`, `ZITI_USERNAME`, `ZITI_PASSWORD`, `ZITI_IDENTITY_FILE`, `ZITI_CA_BUNDLE`, `ZITI_INSECURE`).
 */
export function resolveSettings(config?: ConfigLookup, env: NodeJS.ProcessEnv = process.env): ZitiSettings {
    const get = (key: string, envName?: string): string | undefined => {
        const v = config?.get(`ziti:${key}`);
        if (v !== undefined && v !== "") return v;
        const e = envName ? env[envName] : undefined;
        return e !== undefined && e !== "" ? e : undefined;
    };
    const identityFile = get("identityFile", "ZITI_IDENTITY_FILE");
    const identity = identityFile ? readIdentityFile(identityFile) : undefined;
    const configuredUrl = get("controllerUrl", "ZITI_API_HOST");
    const url = configuredUrl ?? identity?.ztAPI;
    if (!url) {
        throw new ZitiSettingsError(
            "no Ziti controller configured: set `pulumi config set ziti:controllerUrl https://<host>:<port>` " +
                "(or the ZITI_API_HOST environment variable)",
        );
    }
    const username = get("username", "ZITI_USERNAME");
    const password = get("password", "ZITI_PASSWORD");
    if (!identity && (!username || !password)) {
        throw new ZitiSettingsError(
            "no Ziti credentials configured: set ziti:username and `pulumi config set --secret ziti:password ...` " +
                "(or ZITI_USERNAME/ZITI_PASSWORD), or ziti:identityFile (ZITI_IDENTITY_FILE) for an admin identity",
        );
    }
    const caBundle = get("caBundle", "ZITI_CA_BUNDLE");
    const caPem = caBundle ? readPem(caBundle, "ziti:caBundle") : identity?.ca;
    const insecure = truthy(get("insecure", "ZITI_INSECURE"));
    if (!caPem && !insecure) {
        throw new ZitiSettingsError(
            "no trust for the Ziti controller's TLS certificate: set ziti:caBundle to its CA bundle (PEM file or text), " +
                "or use ziti:identityFile whose id.ca is trusted; ziti:insecure=true exists for throwaway dev networks only",
        );
    }
    const attempts = Number(get("maxAttempts", "ZITI_MAX_ATTEMPTS") ?? 12);
    const backoff = Number(get("backoffMs", "ZITI_BACKOFF_MS") ?? 250);
    return {
        controllerUrl: controllerOrigin(url, configuredUrl ? "ziti:controllerUrl" : "ziti:identityFile ztAPI"),
        username: identity ? undefined : username,
        password: identity ? undefined : password,
        caPem,
        identity: identity ? { cert: identity.cert, key: identity.key, ca: identity.ca } : undefined,
        insecure,
        maxAttempts: Number.isFinite(attempts) && attempts >= 1 ? Math.floor(attempts) : 12,
        backoffMs: Number.isFinite(backoff) && backoff >= 0 ? backoff : 250,
    };
}

/** Process-wide runtime state of the provider; created on first use, never serialized with a provider. */
export interface RuntimeState {
    /** Config given to the last `configure` call (undefined: environment only). */
    config?: ConfigLookup;
}

export function runtimeState(): RuntimeState {
    const key = Symbol.for("scrape-anywhere.ziti.runtime");
    const g = globalThis as any;
    if (!g[key]) g[key] = {} satisfies RuntimeState;
    return g[key] as RuntimeState;
}

/** Called by every provider's `configure`: remembers the stack config for this process. */
export function configureFromStack(config: ConfigLookup | undefined): void {
    // Copy what we need now: the request object may not outlive the call.
    const keys = ["controllerUrl", "username", "password", "caBundle", "identityFile", "insecure", "maxAttempts", "backoffMs"];
    const snapshot: Record<string, string> = {};
    for (const k of keys) {
        const v = config?.get(`ziti:${k}`);
        if (v !== undefined) snapshot[`ziti:${k}`] = v;
    }
    runtimeState().config = { get: (key: string) => snapshot[key] };
}

/** Settings for this process: the configured stack config, else the environment. */
export function currentSettings(): ZitiSettings {
    return resolveSettings(runtimeState().config);
}
