// A static /metrics page server for the data-path bench (bench/datapath/inNamespace.ts): node_exporter cannot be
// made to print 5 MB, so the pages are synthetic Prometheus text (gauge families of 100 series, ~90 bytes a line),
// built once and served from memory with keep-alive: gzip-compressed when the request accepts it (as node_exporter
// does, and as Prometheus asks by default), as they are otherwise (every byte crosses the path: the hard case for
// the tunnel). The gzip form is made once, so compressing costs neither path anything per request. Usage: node pageServer.js <host> <port> <path>=<series> ...   e.g. 127.0.0.1 9100 /small=550 /large=55000
"use strict";
const http = require("http");
const zlib = require("zlib");

/** Prometheus text exposition of `n` series. */
function page(n, prefix) {
    const parts = [];
    for (let f = 0; f * 100 < n; f++) {
        const name = `bench_${prefix}_family_${String(f).padStart(4, "0")}`;
        parts.push(`# HELP ${name} synthetic series for the data-path bench\n# TYPE ${name} gauge\n`);
        for (let i = f * 100; i < Math.min(n, (f + 1) * 100); i++) {
            parts.push(`${name}{pod="pod-${String(i).padStart(6, "0")}",container="app-${i % 7}",path="/api/v1/items/${i % 1000}"} ${(i * 7.31) % 10000}\n`);
        }
    }
    return Buffer.from(parts.join(""));
}

const [host, port, ...routes] = process.argv.slice(2);
const pages = new Map(routes.map(r => {
    const [p, n] = r.split("=");
    const raw = page(Number(n), p.replace(/\W/g, ""));
    return [p, { raw, gzip: zlib.gzipSync(raw) }];
}));
const server = http.createServer((req, res) => {
    const found = pages.get(req.url.split("?")[0]);
    if (!found) { res.writeHead(404).end(); return; }
    const gzip = /\bgzip\b/.test(req.headers["accept-encoding"] || "");
    const body = gzip ? found.gzip : found.raw;
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": body.length, ...(gzip ? { "content-encoding": "gzip" } : {}) });
    res.end(body);
});
server.keepAliveTimeout = 120_000; // longer than any scrape interval: Prometheus keeps its connection
server.listen(Number(port), host, () => {
    console.log(`pages on ${host}:${port}: ${[...pages].map(([p, b]) => `${p} ${b.raw.length} bytes (gzip ${b.gzip.length})`).join(", ")}`);
});
