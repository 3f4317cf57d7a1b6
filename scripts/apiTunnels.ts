// Runs one command (a `pulumi up`, `preview`, `refresh` or `destroy`) with a local Ziti tunnel to the
// Kubernetes API of every cluster of the stack that is reached only over Ziti (`clusters[].apiOverZiti`),
// and stops the tunnels when the command ends.
//
//   ts-node scripts/apiTunnels.ts --stack clusterB [--cwd <program dir>] -- pulumi up --stack clusterB
//   npm run api-tunnels -- --stack clusterB -- pulumi up --stack clusterB
//
// The stack's config is read with `pulumi config --json` and checked by the program's own parseConfig.
// Each tunnel is checked with the admin identity before it starts (scripts/lib/zitiTunnel.ts: no identity,
// identity rejected, service missing, no Dial grant, proxy.v1 missing or not on loopback, port taken), listens
// on 127.0.0.1 at the port of the service's proxy.v1 config, and reaches the program through SCRAPE_ANYWHERE_API_ENDPOINTS
// (components/apiOverZiti.ts), JSON `{"<cluster>": "127.0.0.1:<port>"}`. A stack with no such cluster
// runs the command as it is. Exit status: the command's, or 2 when a tunnel could not be had.
import { execFileSync, spawn } from "child_process";
import * as path from "path";
import { API_ENDPOINTS_ENV } from "../components/apiOverZiti";
import { ConfigError, parseConfig, rawFromText, RawConfig } from "../config";
import { ApiTunnel, ApiTunnelError, startApiTunnel } from "./lib/zitiTunnel";

/** The stack's `scrape-anywhere:*` config as readConfig would see it. */
export function stackRawConfig(stack: string, cwd: string): RawConfig {
    const text = execFileSync("pulumi", ["config", "--json", "--stack", stack], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const all = JSON.parse(text) as Record<string, { value?: string; objectValue?: unknown }>;
    return rawFromText((key) => {
        const v = all[`scrape-anywhere:${key}`];
        return v?.objectValue !== undefined ? JSON.stringify(v.objectValue) : v?.value;
    });
}

/** Starts the tunnels of `stack` (none when no cluster has apiOverZiti); relative identity files are taken from `cwd`. */
export async function startStackTunnels(stack: string, cwd: string, raw: RawConfig = stackRawConfig(stack, cwd), env: NodeJS.ProcessEnv = process.env): Promise<ApiTunnel[]> {
    const cfg = parseConfig(raw, stack);
    const tunnels: ApiTunnel[] = [];
    try {
        for (const c of cfg.clusters) {
            if (!c.apiOverZiti) continue;
            const spec = { cluster: c.name, service: c.apiOverZiti.service, identityFile: path.resolve(cwd, c.apiOverZiti.identityFile), localPort: c.apiOverZiti.localPort };
            tunnels.push(await startApiTunnel(spec, { env }));
            process.stderr.write(`api-tunnels: ${c.name}: ziti tunnel proxy ${spec.service} on ${tunnels[tunnels.length - 1].endpoint} (log ${tunnels[tunnels.length - 1].logFile})\n`);
        }
    } catch (e) {
        await Promise.all(tunnels.map(t => t.stop()));
        throw e;
    }
    return tunnels;
}

/** The SCRAPE_ANYWHERE_API_ENDPOINTS value for these tunnels. */
export function endpointsEnv(tunnels: ApiTunnel[]): string {
    return JSON.stringify(Object.fromEntries(tunnels.map(t => [t.spec.cluster, t.endpoint])));
}

async function main(): Promise<number> {
    const argv = process.argv.slice(2);
    const sep = argv.indexOf("--");
    const opts = sep >= 0 ? argv.slice(0, sep) : argv;
    const command = sep >= 0 ? argv.slice(sep + 1) : [];
    const opt = (name: string) => { const i = opts.indexOf(`--${name}`); return i >= 0 ? opts[i + 1] : undefined; };
    const stack = opt("stack");
    const cwd = path.resolve(opt("cwd") ?? process.cwd());
    if (!stack || command.length === 0) {
        process.stderr.write("usage: ts-node scripts/apiTunnels.ts --stack <stack> [--cwd <program dir>] -- <command> [args...]\n");
        return 2;
    }
    let tunnels: ApiTunnel[];
    try {
        tunnels = await startStackTunnels(stack, cwd);
    } catch (e) {
        if (e instanceof ApiTunnelError || e instanceof ConfigError) {
            process.stderr.write(`api-tunnels: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
    const env = { ...process.env, ...(tunnels.length ? { [API_ENDPOINTS_ENV]: endpointsEnv(tunnels) } : {}) };
    const child = spawn(command[0], command.slice(1), { cwd, env, stdio: "inherit" });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    const code = await new Promise<number>(resolve => {
        child.once("exit", (c, sig) => resolve(c ?? (sig ? 128 + 15 : 1)));
        child.once("error", err => { process.stderr.write(`api-tunnels: cannot run ${command[0]}: ${err.message}\n`); resolve(127); });
    });
    await Promise.all(tunnels.map(t => t.stop()));
    return code;
}

if (require.main === module) {
    main().then(code => process.exit(code), e => {
        process.stderr.write(`api-tunnels: ${(e as Error).message}\n`);
        process.exit(2);
    });
}
