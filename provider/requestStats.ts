// Opt-in request counters of the REST layer (./transport), for the benchmark.

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
