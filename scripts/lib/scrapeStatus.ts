// What the central Prometheus scrapes and whether each scrape works, read from its HTTP API (reached over Ziti
// through a client's tunnel, clientTunnel.ts), attached to the graph reports of zitiCheck.ts.
//
// Prometheus v3.16.0 web/api/v1/api.go: GET /api/v1/targets?state=active answers
// {data: {activeTargets: [{labels, scrapeUrl, health: "up"|"down"|"unknown", lastError, lastScrape}]}};
// GET /api/v1/query?query=up answers {data: {resultType: "vector", result: [{metric, value: [t, "1"]}]}}.
// Both flavors label each target with `cluster` (static label); the upstream flavor adds `ziti_service`
// (flavors/upstream/prometheusConfig.ts), the article flavor's `instance` is the `service-terminator` address.
import type { Gap, ScrapeStatus, ServiceReport } from "./zitiCheck";
import { serviceOfTarget } from "./stackTargets";

export interface ActiveTarget {
    labels: Record<string, string>;
    health: string;
    lastError?: string;
    lastScrape?: string;
}

/** `up` by job and instance (`<job> <instance>`). */
export type UpValues = Map<string, number>;

/** Reads the active targets and `up` of the Prometheus at `base` (e.g. `http://127.0.0.1:27015`). */
export async function readPrometheusTargets(base: string, timeoutMs = 30_000): Promise<{ targets: ActiveTarget[]; up: UpValues }> {
    const get = async (p: string) => {
        const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())) });
        const body: any = await res.json().catch(() => undefined);
        if (res.status !== 200 || body?.status !== "success") throw new Error(`GET ${p}: HTTP ${res.status} ${body?.error ?? ""}`.trim());
        return body.data;
    };
    // A fresh tunnel's first dials can time out on a loaded network (the SDK's "timeout waiting for message reply";
    // the proxy then closes the connection): connection failures are retried until the deadline, HTTP answers are not.
    const deadline = Date.now() + timeoutMs;
    let t: any, u: any;
    for (;;) {
        try {
            t = await get("/api/v1/targets?state=active");
            u = await get("/api/v1/query?query=up");
            break;
        } catch (e) {
            if (/^GET /.test((e as Error).message) || Date.now() > deadline) throw e;
            await new Promise(r => setTimeout(r, 1000));
        }
    }
    const up: UpValues = new Map();
    for (const r of u.result ?? []) up.set(`${r.metric.job} ${r.metric.instance}`, Number(r.value[1]));
    return { targets: t.activeTargets ?? [], up };
}

/** The Ziti service a target reaches: its `ziti_service` label, else its instance (`service-terminator`). */
export function targetService(t: ActiveTarget): string {
    return t.labels.ziti_service ?? serviceOfTarget(t.labels.instance ?? "");
}

/**
 * Attaches to each cluster service (prometheus, target) the central scrapes of it, and a gap when there is none
 * or one is not up. The central Prometheus' own service and the Kubernetes API are not scraped by central.
 */
export function attachScrapes(reports: ServiceReport[], targets: ActiveTarget[], up: UpValues): void {
    for (const r of reports) {
        if (r.role !== "prometheus" && r.role !== "target") continue;
        const mine = targets.filter(t => targetService(t) === r.service && (!r.cluster || t.labels.cluster === r.cluster));
        const statuses: ScrapeStatus[] = mine.map(t => ({
            job: t.labels.job, instance: t.labels.instance,
            up: up.get(`${t.labels.job} ${t.labels.instance}`),
            health: t.health, lastError: t.lastError ?? "", lastScrape: t.lastScrape,
        }));
        r.scraped = { ok: statuses.length > 0 && statuses.every(s => s.up === 1), targets: statuses };
        const graphGaps = r.gaps.length;
        const gap = (g: Omit<Gap, "service" | "cluster">) => r.gaps.push({ service: r.service, cluster: r.cluster, ...g });
        if (statuses.length === 0) {
            gap({ code: "no-scrape-target", missing: `the central Prometheus has no scrape target for ${r.service}`, fix: "`pulumi up` the central (or dev) stack: its prometheus.yml lists every cluster it federates" });
        }
        for (const s of statuses.filter(x => x.up !== 1)) {
            gap({
                code: "not-scraped",
                missing: `central's scrape job ${s.job} of ${r.service} is ${s.up === 0 ? "down (up == 0)" : `not reporting yet (health ${s.health})`}${s.lastError ? `: ${s.lastError}` : ""}`,
                fix: graphGaps > 0 ? "fix the hosting/dialing gaps above; the next scrape then succeeds"
                    : "read the log of central's tunneler sidecar (ziti-tunnel container) and of the hosting tunneler; wait one scrape interval after a fix",
            });
        }
    }
}
