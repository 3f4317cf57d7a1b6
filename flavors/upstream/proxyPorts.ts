// The loopback port a Prometheus' tunneler opens for each Ziti service it dials (the service's proxy.v1
// config). A proxy.v1 config belongs to the service, made by the stack that owns the service, while one
// tunneler (central's) dials the services of every cluster: so a port must be the same for every
// dialer and unique among the services any one tunneler dials, without the stacks knowing each other.
// It is derived from the service name alone: stable across `pulumi up`s, stacks and machines.
// A clash is possible (1 in 10000 per pair) and is refused where the set of dialed services is known
// (`assertDistinctPorts`), with the fix: rename a service (`clusters[].serviceNames`).

/** First port of the range; below it sit the pods' own loopback listeners (9090, 9100, 9533). */
export const PROXY_PORT_BASE = 20000;
/** Size of the range: ports 20000-29999. */
export const PROXY_PORT_SPAN = 10000;

/** FNV-1a, 32 bit, over the UTF-8 bytes of `text` (a small, well-known hash with a good spread on short names). */
function fnv1a32(text: string): number {
    let h = 0x811c9dc5;
    for (const byte of Buffer.from(text, "utf8")) {
        h ^= byte;
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
}

/** The loopback port of service `serviceName`'s proxy.v1 config. */
export function proxyPort(serviceName: string): number {
    return PROXY_PORT_BASE + (fnv1a32(serviceName) % PROXY_PORT_SPAN);
}

/** Throws when two of the services one tunneler dials got the same port, naming both and the fix. */
export function assertDistinctPorts(dialer: string, services: readonly { service: string; port: number }[]): void {
    const byPort = new Map<number, string>();
    for (const s of services) {
        const other = byPort.get(s.port);
        if (other !== undefined && other !== s.service) {
            throw new Error(`${dialer} dials "${other}" and "${s.service}", whose proxy.v1 ports are both 127.0.0.1:${s.port} ` +
                `(derived from the service names, flavors/upstream/proxyPorts.ts): rename one of them with clusters[].serviceNames.`);
        }
        byPort.set(s.port, s.service);
    }
}
