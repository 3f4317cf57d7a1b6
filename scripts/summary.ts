// The short, readable summary `npm start` prints after `pulumi up`: each Ziti service of the stack and who
// may dial and bind it (asked of the controller itself), the federation targets, where the manifests are,
// and how to tear it all down; the Kubernetes API services and the admins' commands; and a picture of
// who may dial and bind what (Mermaid text here, an SVG file whose path it prints: scripts/lib/accessGraph.ts).
// Reads the stack outputs with `pulumi stack output --json` (no secrets).
//
//   ts-node scripts/summary.ts --stack dev [--elapsed <seconds>]
// Controller access from the environment: ZITI_API_HOST, ZITI_USERNAME, ZITI_PASSWORD, ZITI_CA_BUNDLE (the provider's fallbacks).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { accessGraph, renderSvg, toDot, toMermaid } from "./lib/accessGraph";

const repoRoot = path.resolve(__dirname, "..");

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Policy {
    name: string;
    type: "Dial" | "Bind";
    identityRoles: string[];
    identityRolesDisplay?: { role: string; name: string }[];
    serviceRoles: string[];
}

/** Minimal admin session on the Management API. */
async function controller(url: string, user: string, password: string, ca: string) {
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca } });
    const call = async (method: string, p: string, body?: unknown, token?: string) => {
        const headers: Record<string, string> = { accept: "application/json" };
        if (body !== undefined) headers["content-type"] = "application/json";
        if (token) headers["zt-session"] = token;
        const res = await fetch(`${url}/edge/management/v1/${p}`, {
            method, headers, dispatcher, signal: AbortSignal.timeout(10_000),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json: any = await res.json().catch(() => undefined);
        if (res.status !== 200 || json?.error) throw new Error(`${method} ${p}: ${res.status} ${json?.error?.code ?? ""}`);
        return json;
    };
    const token: string = (await call("POST", "authenticate?method=password", { username: user, password })).data.token;
    const list = async (collection: string): Promise<any[]> => {
        const out: any[] = [];
        for (let offset = 0; ; offset += 500) {
            const page = await call("GET", `${collection}?limit=500&offset=${offset}`, undefined, token);
            out.push(...page.data);
            if (page.data.length < 500) return out;
        }
    };
    return { list, close: () => dispatcher.close() };
}

/** Who a list of identity roles admits: `@name` as is, `#attr` expanded to the identities holding it. */
function who(p: Policy, identities: any[]): string {
    const byId = new Map(identities.map((i) => [i.id, i.name]));
    const parts = p.identityRoles.map((role) => {
        if (role === "#all") return "#all (every identity)";
        if (role.startsWith("@")) return byId.get(role.slice(1)) ?? p.identityRolesDisplay?.find((d) => d.role === role)?.name ?? role;
        if (role.startsWith("#")) {
            const holders = identities.filter((i) => (i.roleAttributes ?? []).includes(role.slice(1))).map((i) => i.name).sort();
            return `${role} (${holders.join(", ") || "no identity yet"})`;
        }
        return role;
    });
    return parts.join(", ");
}

function pad(s: string, n: number): string {
    return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function countFiles(dir: string): number {
    let n = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
    }
    return n;
}

async function main(): Promise<void> {
    const stack = arg("stack") ?? "dev";
    const elapsed = arg("elapsed");
    const outputs = JSON.parse(execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd: repoRoot, encoding: "utf8" }));

    const clusters: Record<string, any> = outputs.clusterOutputs ?? (outputs.clusterName ? { [outputs.clusterName]: outputs } : {});
    const central = outputs.centralPrometheus;
    const serviceNames: string[] = [
        ...Object.values(clusters).flatMap((c: any) => [c.services.reflect, c.services.reflectScrape, c.services.prometheus,
            ...(c.kubernetesApi ? [c.kubernetesApi.serviceName] : [])]),
        ...(central ? [central.serviceName] : []),
    ];

    const url = process.env.ZITI_API_HOST!;
    const lines: string[] = [];
    const print = (s = "") => lines.push(s);
    print();
    print(`scrape-anywhere: stack "${stack}" is up${elapsed ? ` (npm start took ${elapsed}s)` : ""}`);
    print(`OpenZiti controller ${url} (local quickstart, home .state/ziti/)`);
    print();

    const ctl = await controller(url, process.env.ZITI_USERNAME ?? "admin",
        process.env.ZITI_PASSWORD!, fs.readFileSync(process.env.ZITI_CA_BUNDLE!, "utf8"));
    let picture: { mermaid: string; svgPath: string } | undefined;
    try {
        const [services, policies, identities] = await Promise.all([ctl.list("services"), ctl.list("service-policies"), ctl.list("identities")]);
        // The picture: this stack's services and every grant on them, as the controller holds them.
        const graph = accessGraph({ services, policies, identities }, serviceNames);
        const svgPath = path.join(repoRoot, ".state", `${stack}-access.svg`);
        fs.mkdirSync(path.dirname(svgPath), { recursive: true, mode: 0o700 });
        fs.writeFileSync(svgPath, await renderSvg(toDot(graph, `scrape-anywhere stack ${stack}: who may dial / bind what`)), { mode: 0o600 });
        picture = { mermaid: toMermaid(graph), svgPath };
        print("Ziti services: who may dial (connect to) and bind (host) each one");
        const width = Math.max(...serviceNames.map((s) => s.length)) + 2;
        for (const name of serviceNames) {
            const svc = services.find((s) => s.name === name);
            if (!svc) {
                print(`  ${pad(name, width)}MISSING on the controller (run \`npm start\` again, or \`pulumi refresh\`)`);
                continue;
            }
            const mine = (policies as Policy[]).filter((p) =>
                p.serviceRoles.includes(`@${svc.id}`) || p.serviceRoles.includes("#all") ||
                p.serviceRoles.some((r) => r.startsWith("#") && (svc.roleAttributes ?? []).includes(r.slice(1))));
            const of = (type: string) => mine.filter((p) => p.type === type).map((p) => who(p, identities)).join("; ") || "nobody";
            print(`  ${name}${/\.k8s\.svc$/.test(name) ? "   (Kubernetes API)" : ""}`);
            print(`      dial: ${of("Dial")}`);
            print(`      bind: ${of("Bind")}`);
        }
    } finally {
        await ctl.close();
    }

    print();
    if (central) {
        print(`Central Prometheus ${central.target} federates (target = service-terminator; no terminator = "svc-"):`);
        for (const [name, c] of Object.entries(clusters)) {
            print(`  ${pad(name, 8)} /federate  ${c.federationTarget}`);
            print(`  ${pad("", 8)} reflectz   ${c.reflectzScrapeTarget}`);
        }
        if (!Object.keys(clusters).length) for (const f of central.federates ?? []) print(`  ${f} (through its stack reference)`);
    } else {
        for (const [name, c] of Object.entries(clusters)) print(`Federation target of ${name}: ${c.federationTarget}`);
    }

    print();
    const renderRoot = path.join("rendered", stack);
    if (fs.existsSync(path.join(repoRoot, renderRoot))) {
        print(`Kubernetes manifests (rendered, no cluster contacted): ${renderRoot}/`);
        for (const d of fs.readdirSync(path.join(repoRoot, renderRoot)).sort()) {
            print(`  ${renderRoot}/${d}/  (${countFiles(path.join(repoRoot, renderRoot, d))} files)`);
        }
        print("  The Secrets in there hold enrolled identity keys (files 0600): keep them private, never commit them.");
    }
    const apis = Object.entries(clusters).filter(([, c]) => c.kubernetesApi);
    if (apis.length) {
        print();
        print("Kubernetes API over Ziti (dialable only by the named admins; enroll: ziti edge enroll --jwt <admin>.jwt --out <admin>.json)");
        for (const [name, c] of apis) {
            print(`  ${pad(name, 8)} ${c.kubernetesApi.serviceName}  admins: ${c.kubernetesApi.admins.join(", ")}`);
            print(`  ${pad("", 8)} ${c.kubernetesApi.kubeztl}`);
            print(`  ${pad("", 8)} tunneler app: intercepts ${c.kubernetesApi.tunneler.interceptAddress} (kubeconfig: tls-server-name kubernetes.default.svc)`);
        }
        print(`  admin one-time tokens: pulumi stack output --stack ${stack} --show-secrets kubernetesAdminJwts`);
    }
    if (picture) {
        print();
        print(`Who may dial / bind what: ${path.relative(repoRoot, picture.svgPath)} (SVG); as Mermaid, to paste into docs:`);
        print("```mermaid");
        print(picture.mermaid);
        print("```");
    }
    const clientNames: string[] = outputs.clientIdentities ?? [];
    if (clientNames.length) {
        print();
        print(`Human client identities (enroll in a Ziti tunneler app): ${clientNames.join(", ")}`);
        print(`  one-time tokens: pulumi stack output --stack ${stack} --show-secrets clientEnrollmentJwts`);
    }
    print();
    print("State: Pulumi backend .state/pulumi/ (file://), Ziti network .state/ziti/, manifests rendered/.");
    print("Pulumi by hand: export PULUMI_BACKEND_URL=file://$PWD/.state/pulumi PULUMI_CONFIG_PASSPHRASE=scrape-anywhere-dev");
    print('                eval "$(bash scripts/tools.sh env)"; pulumi stack output --stack dev');
    print('  (preview/up/destroy also need the network\'s settings: eval "$(npx ts-node scripts/localNetwork.ts env)")');
    print("Tear down: npm run down   (pulumi destroy + stop the network; `npm run down -- --purge` also removes .state/ziti)");
    process.stdout.write(lines.join("\n") + "\n");
}

main().catch((e) => {
    process.stderr.write(`summary: ${(e as Error).message}\n`);
    process.exit(1);
});
