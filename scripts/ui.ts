// npm run ui -- --stack <name> --client-identity <file> [--port N]
//
// Opens the central Prometheus of a deployed stack on this machine through the overlay: `ziti tunnel proxy` as
// the client identity, listening on 127.0.0.1 only (scripts/lib/clientTunnel.ts), at the central service's
// proxy.v1 port; with --port N a forwarder on 127.0.0.1:N as well. Prints the URL; Ctrl-C stops it.
// The central Prometheus' own HTTP API answers there (/api/v1/query, /api/v1/targets, /federate). Its web pages
// do only when its binary carries them: the official prom/prometheus image does; the binary tools.sh builds for
// the local nodes is built without the `builtinassets` tag (no UI pages, the API alone).
import * as path from "path";
import { forwardLoopback, startClientTunnel } from "./lib/clientTunnel";
import { readStackOutputs } from "./lib/stackCheck";
import { applyDevDefaults } from "./lib/devDefaults";
import { ensureToolsOnPath } from "./lib/toolsEnv";
import { ApiTunnelError } from "./lib/zitiTunnel";

const USAGE = "usage: npm run ui -- --stack <name> --client-identity <file> [--port N] [--cwd <program dir>]";

function parseArgs(argv: string[]): { stack: string; clientIdentity: string; port?: number; cwd: string } | string {
    const o: { stack?: string; clientIdentity?: string; port?: number; cwd: string } = { cwd: path.resolve(__dirname, "..") };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        const value = () => inline ?? argv[++i];
        switch (flag) {
            case "--stack": o.stack = value(); break;
            case "--client-identity": o.clientIdentity = value(); break;
            case "--port": o.port = Number(value()); break;
            case "--cwd": o.cwd = path.resolve(value() ?? "."); break;
            case "-h": case "--help": return USAGE;
            default: return `unknown argument ${JSON.stringify(argv[i])}\n${USAGE}`;
        }
    }
    if (!o.stack || !o.clientIdentity) return `--stack and --client-identity are required\n${USAGE}`;
    if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) return `--port takes a TCP port (1-65535)\n${USAGE}`;
    return { stack: o.stack, clientIdentity: path.resolve(o.clientIdentity), port: o.port, cwd: o.cwd };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (typeof args === "string") {
        process.stderr.write(`${args}\n`);
        return 2;
    }
    ensureToolsOnPath();
    applyDevDefaults(args.stack, args.cwd, "ui");
    const central = readStackOutputs(args.stack, args.cwd).centralPrometheus;
    if (!central) {
        process.stderr.write(`ui: stack "${args.stack}" has no central Prometheus (its outputs have no centralPrometheus): use the dev or central stack\n`);
        return 2;
    }
    let tunnel;
    try {
        tunnel = await startClientTunnel({ service: central.serviceName, identityFile: args.clientIdentity, stack: args.stack });
    } catch (e) {
        process.stderr.write(`ui: ${(e as Error).message}\n`);
        return e instanceof ApiTunnelError ? 1 : 2;
    }
    const tunnelPort = Number(tunnel.endpoint.split(":")[1]);
    let forward;
    try {
        forward = args.port && args.port !== tunnelPort ? await forwardLoopback(args.port, tunnelPort) : undefined;
    } catch (e) {
        await tunnel.stop();
        process.stderr.write(`ui: cannot listen on 127.0.0.1:${args.port}: ${(e as Error).message}\n`);
        return 1;
    }
    const url = `http://127.0.0.1:${forward?.port ?? tunnelPort}/`;
    process.stdout.write([
        `central Prometheus "${central.name}" (${central.serviceName}) over Ziti as ${args.clientIdentity}:`,
        `  ${url}`,
        `  API: ${url}api/v1/query?query=up   targets: ${url}api/v1/targets`,
        "  Listening on 127.0.0.1 only. The web pages need a Prometheus built with its UI assets (the official image);",
        "  the binary built by tools.sh for local nodes has none: there the API above answers and / shows an error page.",
        `  tunnel log: ${tunnel.logFile}`,
        "Ctrl-C stops it.",
        "",
    ].join("\n"));
    await new Promise<void>(resolve => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
    });
    await forward?.close();
    await tunnel.stop();
    process.stderr.write("ui: stopped\n");
    return 0;
}

if (require.main === module) {
    main().then(code => process.exit(code), e => {
        process.stderr.write(`ui: ${(e as Error).message}\n`);
        process.exit(2);
    });
}
