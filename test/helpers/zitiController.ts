// One real OpenZiti controller per mocha run (started on first use, stopped by a root `after` hook), plus a
// small independent REST helper so tests check the controller's own view without going through the provider.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import type * as pulumi from "@pulumi/pulumi";
import { ZITI_COLLECTIONS } from "../../provider/kinds";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";

let started: Promise<ZitiQuickstart> | undefined;

/** The shared controller of this mocha run. */
export function zitiController(): Promise<ZitiQuickstart> {
    // Provider tests do not need the router online; overlay tests start their own network.
    started = started ?? startZitiQuickstart({ waitForRouter: false });
    return started;
}

// Root hook (registered once, when a spec first imports this helper); skipped outside mocha so the REST
// helpers below can be used from scripts too.
if (typeof after === "function") {
    after(async function () {
        this.timeout(60_000);
        if (started) {
            const ctl = await started.catch(() => undefined);
            const { closeAllClients } = await import("../../provider/client");
            await closeAllClients();
            await ctl?.stop();
        }
    });
}

/** A stack-config lookup (what `pulumi.dynamic.ConfigureRequest.config` gives the provider). */
export function stackConfig(values: Record<string, string | undefined>): import("@pulumi/pulumi").dynamic.Config {
    // Same lookup rules as the SDK's dynamic-provider Config: keys keep their namespace (`ziti:password`).
    const get = (key: string) => values[key];
    return {
        get,
        require(key: string) {
            const v = get(key);
            if (v === undefined) throw new Error(`Missing required configuration key: ${key}`);
            return v;
        },
    };
}

/** The stack config a user would set for this controller. */
export function configFor(ctl: ZitiQuickstart, overrides: Record<string, string | undefined> = {}) {
    return stackConfig({
        "ziti:controllerUrl": ctl.controllerUrl,
        "ziti:username": ctl.username,
        "ziti:password": ctl.password,
        "ziti:caBundle": ctl.caBundlePath,
        ...overrides,
    });
}

/** A unique, `-`-free prefix for the names a test file creates. */
export function uniquePrefix(tag: string): string {
    return `pt${tag}${crypto.randomBytes(3).toString("hex")}`;
}

export interface Rest {
    get(path: string): Promise<{ status: number; json: any }>;
    send(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
    /** Entities of a management collection whose name contains `fragment`. */
    named(collection: string, fragment: string): Promise<any[]>;
    close(): Promise<void>;
}

/** Direct Management API access as admin, independent of the provider's client. */
export async function adminRest(ctl: ZitiQuickstart): Promise<Rest> {
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: fs.readFileSync(ctl.caBundlePath, "utf8") } });
    const raw = async (method: string, path: string, body?: unknown, token?: string) => {
        const headers: Record<string, string> = { accept: "application/json" };
        if (body !== undefined) headers["content-type"] = "application/json";
        if (token) headers["zt-session"] = token;
        const go = () => fetch(`${ctl.controllerUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher });
        // One retry when the controller closed an idle keep-alive socket under us.
        const res = await go().catch((e) => (e?.cause?.code === "UND_ERR_SOCKET" ? go() : Promise.reject(e)));
        const text = await res.text();
        const json = text ? JSON.parse(text) : undefined;
        // v1.7.2 answers GET /configs/<missing id> with 200 and a NOT_FOUND error body: report it as the 404 it is.
        const status = res.status === 200 && json?.error?.code === "NOT_FOUND" ? 404 : res.status;
        return { status, json };
    };
    const auth = await raw("POST", "/edge/management/v1/authenticate?method=password", { username: ctl.username, password: ctl.password });
    if (auth.status !== 200) throw new Error(`admin login failed: ${auth.status}`);
    const token: string = auth.json.data.token;
    const m = (p: string) => (p.startsWith("/edge/") ? p : `/edge/management/v1/${p.replace(/^\//, "")}`);
    const rest: Rest = {
        get: (path) => raw("GET", m(path), undefined, token),
        send: (method, path, body) => raw(method, m(path), body, token),
        async named(collection, fragment) {
            const q = encodeURIComponent(`name contains "${fragment}"`);
            const res = await raw("GET", m(`${collection}?filter=${q}&limit=500`), undefined, token);
            if (res.status !== 200) throw new Error(`listing ${collection}: ${res.status} ${JSON.stringify(res.json?.error)}`);
            return res.json.data;
        },
        close: () => dispatcher.close(),
    };
    return rest;
}

/** Every management collection the provider writes to (the provider's kind registry). */
export const COLLECTIONS = ZITI_COLLECTIONS;

/** Names of every entity (any kind) whose name contains `prefix`: must be empty when a test file is done. */
export async function leftovers(rest: Rest, prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (const c of COLLECTIONS) for (const e of await rest.named(c, prefix)) out.push(`${c}/${e.name}`);
    return out;
}

/** What a provider spec works with once its `before` hook has run. */
export interface ControllerEnv {
    ctl: ZitiQuickstart;
    rest: Rest;
}

/**
 * The hooks a provider spec against the shared controller needs; call it inside the spec's `describe`.
 * Before: start (or reuse) the controller, configure the providers once with its stack config through `provider`
 * (what the engine does), open an admin REST session. After: nothing named with `prefix` may be left behind.
 */
export function useControllerEnv(prefix: string, provider: pulumi.dynamic.ResourceProvider): ControllerEnv {
    const env = {} as ControllerEnv;
    before(async function () {
        this.timeout(180_000);
        env.ctl = await zitiController();
        await provider.configure!({ config: configFor(env.ctl) });
        env.rest = await adminRest(env.ctl);
    });

    after(async function () {
        if (!env.rest) return;
        const left = await leftovers(env.rest, prefix);
        await env.rest.close();
        assert.deepStrictEqual(left, [], "entities left behind on the controller");
    });
    return env;
}
