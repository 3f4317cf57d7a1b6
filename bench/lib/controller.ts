// The bench's own view of the controller, over plain HTTP (undici, one keep-alive agent): a snapshot of what a
// fresh quickstart holds, a reset back to it between runs, entity counts, and the request-latency floor.
import * as fs from "fs";
import { ZITI_COLLECTIONS } from "../../provider/kinds";
import type { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";

/** The provider's collections (provider/kinds.ts), dependents first: the order a reset deletes in. */
export const COLLECTIONS = [...ZITI_COLLECTIONS].reverse();

export interface Rest {
    call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; ms: number }>;
    list(collection: string): Promise<any[]>;
    close(): Promise<void>;
}

export async function rest(ctl: ZitiQuickstart): Promise<Rest> {
    const { Agent, fetch } = require("undici") as typeof import("undici");
    const agent = new Agent({ connect: { ca: fs.readFileSync(ctl.caBundlePath, "utf8") }, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
    let token = "";
    const call = async (method: string, path: string, body?: unknown) => {
        const headers: Record<string, string> = { accept: "application/json" };
        if (body !== undefined) headers["content-type"] = "application/json";
        if (token) headers["zt-session"] = token;
        const send = () => fetch(`${ctl.controllerUrl}/edge/management/v1${path}`, {
            method, headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher: agent,
        });
        let t0 = performance.now();
        let res: Awaited<ReturnType<typeof send>>;
        try {
            res = await send();
        } catch (e) {
            // A kept-alive socket the controller closed while a baseline or `pulumi up` ran: once more, on a new one
            // (not for POST, which may have been applied).
            if (method === "POST" || (e as any)?.cause?.code !== "UND_ERR_SOCKET") throw e;
            t0 = performance.now();
            res = await send();
        }
        const text = await res.text();
        const ms = performance.now() - t0;
        let json: any;
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
        return { status: res.status, json, ms };
    };
    const auth = await call("POST", "/authenticate?method=password", { username: ctl.username, password: ctl.password });
    if (auth.status !== 200) throw new Error(`bench: admin login answered ${auth.status}`);
    token = auth.json.data.token;
    const list = async (collection: string) => {
        const out: any[] = [];
        for (let offset = 0; ; offset += 500) {
            const r = await call("GET", `/${collection}?limit=500&offset=${offset}`);
            const page: any[] = r.json?.data ?? [];
            out.push(...page);
            if (page.length < 500) return out;
        }
    };
    return { call, list, close: () => agent.close() };
}

export type Snapshot = Record<string, Set<string>>;

/** Ids of everything a fresh controller holds (the admin, the router's identity, default policies). */
export async function snapshot(r: Rest): Promise<Snapshot> {
    const s: Snapshot = {};
    for (const c of COLLECTIONS) s[c] = new Set((await r.list(c)).map((e) => e.id));
    return s;
}

/** Entities made since the snapshot, by collection. */
export async function created(r: Rest, base: Snapshot): Promise<Record<string, any[]>> {
    const out: Record<string, any[]> = {};
    for (const c of COLLECTIONS) out[c] = (await r.list(c)).filter((e) => !base[c].has(e.id));
    return out;
}

/** Deletes everything made since the snapshot (policies first), 16 requests at a time. */
export async function reset(r: Rest, base: Snapshot): Promise<number> {
    let n = 0;
    for (const c of COLLECTIONS) {
        const todo = (await r.list(c)).filter((e) => !base[c].has(e.id));
        for (let i = 0; i < todo.length; i += 16) {
            await Promise.all(todo.slice(i, i + 16).map(async (e) => {
                const res = await r.call("DELETE", `/${c}/${e.id}`);
                if (res.status >= 300 && res.status !== 404) throw new Error(`bench: cannot delete ${c}/${e.id}: ${res.status}`);
            }));
        }
        n += todo.length;
    }
    return n;
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

export interface Floor {
    /** Median round trip of each request, ms. */
    authMs: number;
    getMs: number;
    createIdentityMs: number;
    createConfigMs: number;
    createServiceMs: number;
    createPolicyMs: number;
    /** max(identity, config) + service + policy: one write per dependency level, nothing else. */
    floorMs: number;
}

/**
 * The floor: one request's round trip per dependency level (identity/config -> service -> policy), measured with
 * direct keep-alive HTTP calls on an authenticated session, `reps` times, medians. Cleans up after itself.
 */
export async function measureFloor(r: Rest, ctl: ZitiQuickstart, reps: number): Promise<Floor> {
    const t: Record<string, number[]> = { auth: [], get: [], id: [], cfg: [], svc: [], pol: [] };
    const ct = await r.call("GET", `/config-types?filter=${encodeURIComponent('name="intercept.v1"')}`);
    const interceptType = ct.json.data[0].id;
    const must = (x: { status: number; json: any }, what: string) => {
        if (x.status >= 300) throw new Error(`bench floor: ${what} answered ${x.status} ${JSON.stringify(x.json?.error ?? {})}`);
        return x.json?.data?.id as string;
    };
    for (let i = 0; i < reps; i++) {
        const p = `floor${process.pid}x${i}`;
        const auth = await r.call("POST", "/authenticate?method=password", { username: ctl.username, password: ctl.password });
        t.auth.push(auth.ms);
        // The bench's session stays the one `r` holds; the new one is just measured.
        const id = await r.call("POST", "/identities", { name: `${p}.id`, type: "Default", isAdmin: false, roleAttributes: ["floor"], enrollment: { ott: true } });
        t.id.push(id.ms);
        const idId = must(id, "create identity");
        const cfg = await r.call("POST", "/configs", {
            name: `${p}.cfg`, configTypeId: interceptType,
            data: { protocols: ["tcp"], addresses: [`${p}.ziti`], portRanges: [{ low: 80, high: 80 }] },
        });
        t.cfg.push(cfg.ms);
        const cfgId = must(cfg, "create config");
        const svc = await r.call("POST", "/services", { name: `${p}.svc`, configs: [cfgId], encryptionRequired: true });
        t.svc.push(svc.ms);
        const svcId = must(svc, "create service");
        const pol = await r.call("POST", "/service-policies", { name: `${p}.dial`, type: "Dial", semantic: "AnyOf", serviceRoles: [`@${svcId}`], identityRoles: [`@${idId}`] });
        t.pol.push(pol.ms);
        const polId = must(pol, "create service policy");
        const g = await r.call("GET", `/services/${svcId}`);
        t.get.push(g.ms);
        for (const [c, eid] of [["service-policies", polId], ["services", svcId], ["configs", cfgId], ["identities", idId]]) await r.call("DELETE", `/${c}/${eid}`);
    }
    const f = {
        authMs: median(t.auth), getMs: median(t.get), createIdentityMs: median(t.id), createConfigMs: median(t.cfg),
        createServiceMs: median(t.svc), createPolicyMs: median(t.pol), floorMs: 0,
    };
    f.floorMs = Math.max(f.createIdentityMs, f.createConfigMs) + f.createServiceMs + f.createPolicyMs;
    return f;
}

/**
 * Median round trip of `GET /identities?filter=name="<name>"` (what same-name checks and role resolution send), `reps`
 * times: shows whether a lookup grows with what the controller holds.
 */
export async function measureLookup(r: Rest, name: string, reps: number): Promise<number> {
    const t: number[] = [];
    const q = encodeURIComponent(`name="${name}"`);
    for (let i = 0; i < reps; i++) t.push((await r.call("GET", `/identities?filter=${q}&limit=500`)).ms);
    return median(t);
}
