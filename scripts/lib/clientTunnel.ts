// A human client's way into the central Prometheus from this machine: `ziti tunnel proxy` as the client identity,
// listening on 127.0.0.1 only (scripts/lib/zitiTunnel.ts startApiTunnel: the client's access is checked on the
// Client API first, the proxy runs in its own process group and dies with this process).
//
// The port is the central service's proxy.v1 port, not one we pick: a proxy.v1 config replaces the command
// line's `service:port` entirely (openziti/ziti v1.7.2 tunnel/intercept/proxy/proxy.go), and without one the
// proxy would listen on 0.0.0.0, which is refused. The upstream flavor gives every service a proxy.v1 on
// 127.0.0.1 (flavors/upstream/zitiEntities.ts); the article flavor's central service has none, so it cannot be
// opened this way (a desktop tunneler app with its intercept.v1 address can).
//
// A Node SDK instead of the CLI: @openziti/ziti-sdk-nodejs 0.13.3 is a native addon fetched by an install script
// (node-pre-gyp) from GitHub releases; this project installs nothing with install scripts and has no internet.
import * as net from "net";
import { ApiTunnel, startApiTunnel } from "./zitiTunnel";

export interface ClientTunnelSpec {
    /** The central Prometheus' Ziti service, e.g. `central.prometheus.svc`. */
    service: string;
    /** The enrolled client identity file. */
    identityFile: string;
    /** Stack name, for the messages' fixes. */
    stack: string;
}

/** Starts the tunnel; resolves once `127.0.0.1:<port>` accepts connections. Throws ApiTunnelError with the fix. */
export function startClientTunnel(spec: ClientTunnelSpec, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ApiTunnel> {
    return startApiTunnel({
        cluster: "central",
        service: spec.service,
        identityFile: spec.identityFile,
        wording: {
            place: `the central Prometheus (${spec.service})`,
            enroll: `enroll a client's one-time JWT (\`pulumi stack output --stack ${spec.stack} --show-secrets clientEnrollmentJwts\`) with ` +
                `\`ziti edge enroll --jwt <client>.jwt --out ${spec.identityFile}\`; clients are listed in scrape-anywhere:clientIdentities`,
            grant: `list the identity in scrape-anywhere:clientIdentities of the stack that makes the central Prometheus and \`pulumi up\` it ` +
                `(clients get the prometheus-clients attribute that its Dial policy admits)`,
            missing: `\`pulumi up\` the stack that makes the central Prometheus (stack ${spec.stack}).`,
        },
    }, { env: opts.env, timeoutMs: opts.timeoutMs ?? 60_000 });
}

/**
 * Forwards 127.0.0.1:`port` (0: any free port) to 127.0.0.1:`to`, for `npm run ui -- --port N` (the tunnel's
 * own port is the service's). Resolves with the port it listens on.
 */
export function forwardLoopback(port: number, to: number): Promise<{ port: number; close(): Promise<void> }> {
    const open = new Set<net.Socket>();
    const server = net.createServer(inbound => {
        const outbound = net.connect({ host: "127.0.0.1", port: to });
        open.add(inbound).add(outbound);
        const done = () => { inbound.destroy(); outbound.destroy(); open.delete(inbound); open.delete(outbound); };
        inbound.pipe(outbound).on("error", done);
        outbound.pipe(inbound).on("error", done);
        inbound.on("close", done);
        outbound.on("close", done);
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve({
            port: (server.address() as net.AddressInfo).port,
            close: () => new Promise<void>(r => { for (const s of open) s.destroy(); server.close(() => r()); }),
        }));
    });
}
