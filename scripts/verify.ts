// npm run verify -- --stack <name> [--client-identity <file>] [--json] [--cwd <program dir>]
//
// Checks a deployed stack, local or on real clusters, where it matters: on the Ziti network and, with a client
// identity, in the central Prometheus. For every service of the stack on the metrics path (each cluster's
// Prometheus and scrape target, its Kubernetes API service, the central Prometheus): is it hosted (terminators,
// by whom), can each identity that should dial it do so (Dial policy, edge router policies, an online router in
// common: the controller's policy advice), and with --client-identity, does the central Prometheus scrape it
// (`up` per target, read over Ziti through `ziti tunnel proxy` as that client on 127.0.0.1).
//
// Reads the stack's outputs with `pulumi stack output --json` (set PULUMI_BACKEND_URL and the passphrase as for
// `pulumi up`); the controller from the stack's ziti:* config, else ZITI_API_HOST, ZITI_USERNAME, ZITI_PASSWORD,
// ZITI_CA_BUNDLE (or ZITI_IDENTITY_FILE) like the provider.
//
// Output: a report per cluster and service, then every gap with its fix. --json prints one JSON document
// (scripts/lib/stackCheck.ts VerifyResult: {stack, controller, ok, services[{service, cluster, role, exists,
// hosted, dialable, scraped?, gaps}], gaps[{service, cluster?, identity?, code, missing, fix}], scrape}) and
// nothing else on stdout (use `npm run -s verify` so npm's banner stays out).
// Exit status: 0 all fine, 1 gaps found, 2 could not check (usage, no outputs, controller unreachable).
import * as path from "path";
import { formatResult, verifyStack } from "./lib/stackCheck";
import { applyDevDefaults } from "./lib/devDefaults";
import { ensureToolsOnPath } from "./lib/toolsEnv";

const USAGE = "usage: npm run verify -- --stack <name> [--client-identity <file>] [--json] [--cwd <program dir>]";

export function parseArgs(argv: string[]): { stack: string; clientIdentity?: string; json: boolean; cwd: string } | string {
    const out: { stack?: string; clientIdentity?: string; json: boolean; cwd: string } = { json: false, cwd: path.resolve(__dirname, "..") };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        const value = () => inline ?? argv[++i];
        switch (flag) {
            case "--stack": out.stack = value(); break;
            case "--client-identity": out.clientIdentity = value(); break;
            case "--cwd": out.cwd = path.resolve(value() ?? "."); break;
            case "--json": out.json = true; break;
            case "-h": case "--help": return USAGE;
            default: return `unknown argument ${JSON.stringify(argv[i])}\n${USAGE}`;
        }
    }
    if (!out.stack) return `--stack is required\n${USAGE}`;
    if (out.clientIdentity !== undefined && !out.clientIdentity) return `--client-identity needs a file\n${USAGE}`;
    return { ...out, stack: out.stack, clientIdentity: out.clientIdentity && path.resolve(out.clientIdentity) };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (typeof args === "string") {
        process.stderr.write(`${args}\n`);
        return 2;
    }
    ensureToolsOnPath();
    applyDevDefaults(args.stack, args.cwd, "verify");
    const notes: string[] = [];
    const result = await verifyStack({ stack: args.stack, cwd: args.cwd, clientIdentity: args.clientIdentity, notes });
    for (const n of notes) process.stderr.write(`verify: note: ${n}\n`);
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatResult(result).join("\n")}\n`);
    return result.ok ? 0 : 1;
}

if (require.main === module) {
    main().then(code => process.exit(code), e => {
        process.stderr.write(`verify: cannot check: ${(e as Error).message}\n`);
        process.exit(2);
    });
}
