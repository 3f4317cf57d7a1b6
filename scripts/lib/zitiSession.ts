// An admin session on the controller's Management API for the commands that read the Ziti graph
// (scripts/verify.ts, scripts/summary.ts, scripts/ui.ts), over the provider's own REST layer (provider/client.ts:
// retries, typed errors, no secret in a message) and with the provider's settings: the stack's `ziti:*` config
// when it is given, else the environment fallbacks ZITI_API_HOST, ZITI_USERNAME, ZITI_PASSWORD, ZITI_CA_BUNDLE,
// ZITI_IDENTITY_FILE, ZITI_INSECURE (provider/settings.ts resolveSettings).
import { execFileSync } from "child_process";
import { createClient, MANAGEMENT, ZitiClient } from "../../provider/client";
import { ConfigLookup, resolveSettings } from "../../provider/settings";

export interface ZitiSession {
    controllerUrl: string;
    /** Every entity of a management collection (`services`, `identities`, `services/<id>/terminators`, ...), all pages. */
    list(collection: string, query?: Record<string, string>): Promise<any[]>;
    /** One GET under the Management API (`identities/<id>/policy-advice/<serviceId>`), the envelope's `data`. */
    get(p: string): Promise<any>;
    close(): Promise<void>;
}

/**
 * The stack's `ziti:*` settings as `pulumi config --json --show-secrets` has them (a real network is configured so),
 * or undefined when the stack has none or the config cannot be read (then the environment alone decides).
 */
export function stackZitiConfig(stack: string, cwd: string): ConfigLookup | undefined {
    let all: Record<string, { value?: string }>;
    try {
        all = JSON.parse(execFileSync("pulumi", ["config", "--json", "--show-secrets", "--stack", stack], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    } catch {
        return undefined;
    }
    const keys = Object.keys(all).filter(k => k.startsWith("ziti:"));
    if (keys.length === 0) return undefined;
    return { get: (key: string) => all[key]?.value };
}

/** Opens a session (the first request logs in). `maxAttempts` is short: a command should say quickly that the controller is away. */
export function openZitiSession(config?: ConfigLookup, env: NodeJS.ProcessEnv = process.env): ZitiSession {
    const settings = resolveSettings(config, { ZITI_MAX_ATTEMPTS: "3", ...env });
    const client: ZitiClient = createClient(settings);
    const pageSize = 500;
    return {
        controllerUrl: settings.controllerUrl,
        async list(collection, query = {}) {
            const out: any[] = [];
            for (let offset = 0; ; offset += pageSize) {
                const page = await client.request("GET", `${MANAGEMENT}/${collection}`, { query: { ...query, limit: pageSize, offset } });
                const data: any[] = Array.isArray(page.data) ? page.data : [];
                out.push(...data);
                if (data.length < pageSize) return out;
            }
        },
        async get(p) {
            return (await client.request("GET", `${MANAGEMENT}/${p.replace(/^\//, "")}`)).data;
        },
        close: () => client.close(),
    };
}
