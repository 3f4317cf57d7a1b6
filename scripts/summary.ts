// The short, readable summary `npm start` prints after `pulumi up`: per cluster and target, whether each Ziti
// service is hosted (terminators), dialable by whom it should be (policies, routers) and scraped (`up` in the
// central Prometheus, read over Ziti as a client): the very check of `npm run verify` (scripts/lib/stackCheck.ts);
// then how to open the central Prometheus from this machine (`npm run ui`), where the manifests are, the
// Kubernetes API services and the admins' commands, a picture of who may dial and bind what (Mermaid text here,
// an SVG file whose path it prints: scripts/lib/accessGraph.ts), and how to tear it all down.
// Reads the stack outputs with `pulumi stack output --json` (no secrets). Gaps are printed, not fatal.
//
//   ts-node scripts/summary.ts --stack dev [--elapsed <seconds>] [--client-identity <file>] [--svg <file>]
//                              [--wait-scrapes <seconds>] [--home <program dir>]
// --wait-scrapes (npm start with real nodes): wait up to that long for every target of central to be up, with a
// progress line on stderr every poll, before the summary. --home: the folder npm start runs in (its .state/).
// Exit status: 0, also when targets are not up by the end of the wait (the deployment is done and a scrape can
// come later on a slow machine: the summary says so, with the command to check again); 1 when it cannot check,
// or, after a wait, when the Ziti graph has a gap (a service not hosted or not dialable by whom it should be:
// the deployment is broken, waiting longer would not help).
// Controller access like the provider's: the stack's ziti:* config, else ZITI_API_HOST, ZITI_USERNAME,
// ZITI_PASSWORD, ZITI_CA_BUNDLE. The client identity (for the scrape status): --client-identity, else
// SCRAPE_ANYWHERE_CLIENT_IDENTITY, else .state/clients/<client>.json of a client in the stack's clientIdentities.
import * as fs from "fs";
import * as path from "path";
import { accessGraph, renderSvg, toDot, toMermaid } from "./lib/accessGraph";
import { formatResult, readStackOutputs, verifyStack } from "./lib/stackCheck";
import { expectedServices } from "./lib/stackTargets";
import { openZitiSession, stackZitiConfig } from "./lib/zitiSession";

// Not __dirname's parent: a copy of the program that links scripts/ (the faults tier's workspaces) has its own .state/.
const repoRoot = path.resolve(arg("home") ?? path.resolve(__dirname, ".."));

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
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

/** The client identity file for the scrape status, if one is at hand (see the header). */
function clientIdentityFile(clients: string[]): string | undefined {
    const given = arg("client-identity") ?? process.env.SCRAPE_ANYWHERE_CLIENT_IDENTITY;
    if (given) return path.resolve(given);
    return clients.map((c) => path.join(repoRoot, ".state", "clients", `${c}.json`)).find((f) => fs.existsSync(f));
}

async function main(): Promise<void> {
    const stack = arg("stack") ?? "dev";
    const elapsed = arg("elapsed");
    const outputs = readStackOutputs(stack, repoRoot);
    const clusters: Record<string, any> = (outputs as any).clusterOutputs ?? ((outputs as any).clusterName ? { [(outputs as any).clusterName]: outputs } : {});
    const central = outputs.centralPrometheus;
    const clientNames: string[] = outputs.clientIdentities ?? [];
    // The picture covers every service the stack names (the article flavor's reflect service too), the status the metrics path.
    const serviceNames = [...new Set([
        ...expectedServices(outputs).map((e) => e.service),
        ...Object.values(clusters).flatMap((c: any) => Object.values(c.services ?? {}) as string[]),
    ])];

    const lines: string[] = [];
    const print = (s = "") => lines.push(s);
    const clientFile = clientIdentityFile(clientNames);
    const notes: string[] = [];
    const waitS = Number(arg("wait-scrapes") ?? 0);
    const waitStart = Date.now();
    const result = await verifyStack({
        stack, cwd: repoRoot, clientIdentity: clientFile, notes,
        waitScrapes: waitS > 0 && clientFile ? { ms: waitS * 1000, progress: (m) => process.stderr.write(`    [summary] ${m}\n`) } : undefined,
    });
    const waited = waitS > 0 && clientFile ? Math.round((Date.now() - waitStart) / 1000) : 0;
    const total = elapsed ? Number(elapsed) + waited : undefined;
    print();
    print(`scrape-anywhere: stack "${stack}" is up${total !== undefined ? ` (npm start took ${total}s${waited ? `, ${waited}s of it reading central's targets` : ""})` : ""}`);
    print(`OpenZiti controller ${result.controller}${process.env.ZITI_API_HOST?.startsWith(result.controller) && fs.existsSync(path.join(repoRoot, ".state", "ziti")) ? " (local quickstart, home .state/ziti/)" : ""}`);
    print();
    print("Metrics over Ziti, per cluster and target: hosted (terminators) / dialable (policies, routers) / scraped (up in central)");
    for (const l of formatResult(result, { header: false })) print(l);
    for (const n of notes) print(`  note: ${n}`);
    const graphGaps = result.gaps.filter((g) => !["not-scraped", "no-scrape-target", "scrape-unchecked"].includes(g.code));
    if (waitS > 0 && result.scrape.checked && !result.ok && !graphGaps.length) {
        print(`  NOT every target is up after ${waitS}s of waiting: the deployment is done, a scrape may come later on a slow machine;`);
        print(`  check again with npm run verify (below); if it stays down, read the fixes above.`);
    }
    const rendered = Object.values(clusters).some((c: any) => c.kubernetes?.renderDirectory);
    if (rendered && result.gaps.some((g) => g.code === "not-hosted")) {
        print("  (render mode: nothing runs, so nothing hosts the services until the rendered manifests are applied;");
        print("   `npm start -- --clusters local --nodes real` runs the pods)");
    }
    if (central) {
        print();
        print(`Open the central Prometheus "${central.name}" on this machine through the overlay (127.0.0.1 only, as a client identity):`);
        print(`  npm run ui -- --stack ${stack} --client-identity ${clientFile ? path.relative(repoRoot, clientFile) : "<client>.json"}`);
        print(`  check it all again at any time: npm run verify -- --stack ${stack}${clientFile ? ` --client-identity ${path.relative(repoRoot, clientFile)}` : " [--client-identity <client>.json]"}`);
        if (!clientFile && clientNames.length) {
            print(`  a client identity file: pulumi stack output --stack ${stack} --show-secrets clientEnrollmentJwts  (the JWT of ${clientNames[0]} into ${clientNames[0]}.jwt), then`);
            print(`    ziti edge enroll --jwt ${clientNames[0]}.jwt --out .state/clients/${clientNames[0]}.json   (this summary then reads the scrapes with it)`);
        }
    }

    // The picture: this stack's services and every grant on them, as the controller holds them.
    const session = openZitiSession(stackZitiConfig(stack, repoRoot));
    let picture: { mermaid: string; svgPath: string } | undefined;
    try {
        const [services, policies, identities] = await Promise.all([session.list("services"), session.list("service-policies"), session.list("identities")]);
        const graph = accessGraph({ services, policies, identities }, serviceNames);
        const svgPath = path.resolve(arg("svg") ?? path.join(repoRoot, ".state", `${stack}-access.svg`));
        fs.mkdirSync(path.dirname(svgPath), { recursive: true, mode: 0o700 });
        fs.writeFileSync(svgPath, await renderSvg(toDot(graph, `scrape-anywhere stack ${stack}: who may dial / bind what`)), { mode: 0o600 });
        picture = { mermaid: toMermaid(graph), svgPath };
    } finally {
        await session.close();
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
    if (waitS > 0 && graphGaps.length) {
        process.stderr.write(`summary: the Ziti graph of the running stack has ${graphGaps.length} gap(s) (above): the deployment is broken\n`);
        process.exitCode = 1;
    }
}

main().catch((e) => {
    process.stderr.write(`summary: ${(e as Error).message}\n`);
    process.exit(1);
});
