// The check behind `npm run verify` and the status part of `npm start`'s summary: a deployed stack's outputs ->
// the services it should have (stackTargets.ts) -> the Ziti graph on the controller (zitiCheck.ts) -> with a
// client identity, the central Prometheus' scrapes read over Ziti (clientTunnel.ts, scrapeStatus.ts).
// The result is plain JSON (`npm run verify -- --json`), and formatResult prints it for people.
import { execFileSync } from "child_process";
import { startClientTunnel } from "./clientTunnel";
import { ActiveTarget, attachScrapes, readPrometheusTargets, UpValues } from "./scrapeStatus";
import { ClusterOutputs, expectedServices, StackOutputsJson } from "./stackTargets";
import { checkZitiGraph, Gap, ScrapeStatus, ServiceReport } from "./zitiCheck";
import { openZitiSession, stackZitiConfig } from "./zitiSession";

export interface VerifyResult {
    stack: string;
    controller: string;
    /** No gap at all. */
    ok: boolean;
    services: ServiceReport[];
    /** Every service's gaps, in service order. */
    gaps: Gap[];
    scrape: { checked: boolean; via?: string; reason?: string };
}

/** `pulumi stack output --json` of a stack (no secrets); `cwd` is the program's folder. */
export function readStackOutputs(stack: string, cwd: string): StackOutputsJson {
    try {
        return JSON.parse(execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`cannot read the outputs of stack "${stack}" (pulumi stack output --json): ${(err.stderr || err.message).trim()} ` +
            "(is PULUMI_BACKEND_URL the backend of that stack, and is pulumi on PATH? eval \"$(bash scripts/tools.sh env)\")");
    }
}

/** A central stack's clusters, read from the stacks it references (scrape-anywhere:stackReferences); unreadable ones are skipped with a note. */
export function readReferencedClusters(stack: string, cwd: string, notes: string[]): Record<string, ClusterOutputs> {
    let refs: string[] = [];
    try {
        const all = JSON.parse(execFileSync("pulumi", ["config", "--json", "--stack", stack], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        const v = all["scrape-anywhere:stackReferences"];
        const value = v?.objectValue ?? (typeof v?.value === "string" ? JSON.parse(v.value) : undefined);
        if (Array.isArray(value)) refs = value.map(String);
    } catch (e) {
        notes.push(`could not read scrape-anywhere:stackReferences of "${stack}": ${(e as Error).message.split("\n")[0]}`);
    }
    const out: Record<string, ClusterOutputs> = {};
    for (const ref of refs) {
        try {
            const o = readStackOutputs(ref, cwd);
            if (o.clusterName) out[o.clusterName] = o;
        } catch (e) {
            notes.push(`${(e as Error).message.split("\n")[0]}`);
        }
    }
    return out;
}

export interface VerifyOptions {
    stack: string;
    /** The program's folder (where Pulumi.yaml is). */
    cwd: string;
    /** An enrolled client identity: read the central Prometheus' scrapes over Ziti as it. */
    clientIdentity?: string;
    env?: NodeJS.ProcessEnv;
    /** Notes for people (stderr), e.g. a stack reference that could not be read. */
    notes?: string[];
    /**
     * Wait up to `ms` for every target of central to be up (npm start, right after the pods start), polling through
     * the one tunnel and telling `progress` how many are up; the Ziti graph is read again after a wait. Without it
     * the scrapes are read once.
     */
    waitScrapes?: { ms: number; everyMs?: number; progress?: (msg: string) => void };
}

/** Runs the whole check. Throws only when it cannot check at all (no outputs, no controller settings, controller away). */
export async function verifyStack(o: VerifyOptions): Promise<VerifyResult> {
    const env = o.env ?? process.env;
    const notes = o.notes ?? [];
    const outputs = readStackOutputs(o.stack, o.cwd);
    const referenced = !outputs.clusterOutputs && !outputs.clusterName && outputs.centralPrometheus ? readReferencedClusters(o.stack, o.cwd, notes) : {};
    const expected = expectedServices(outputs, referenced);
    if (expected.length === 0) throw new Error(`stack "${o.stack}" exports no scrape-anywhere services (is it deployed? \`pulumi stack output --stack ${o.stack}\`)`);
    const graph = async () => {
        const session = openZitiSession(stackZitiConfig(o.stack, o.cwd), env);
        try {
            return { services: await checkZitiGraph(session, expected), controller: session.controllerUrl };
        } finally {
            await session.close();
        }
    };
    const { services, controller } = await graph();
    const result: VerifyResult = { stack: o.stack, controller, ok: false, services, gaps: [], scrape: { checked: false } };
    if (o.clientIdentity) await checkScrapes(result, outputs, o, env, graph);
    else result.scrape.reason = "no client identity given (--client-identity <file>)";
    result.gaps = services.flatMap(s => s.gaps);
    result.ok = result.gaps.length === 0;
    return result;
}

/** Whether every cluster service (prometheus, target) of `reports` would be scraped and up, and how many are. */
export function scrapeProgress(reports: ServiceReport[], targets: ActiveTarget[], up: UpValues): { up: number; of: number; down: string[] } {
    const copy: ServiceReport[] = reports.map(r => ({ ...r, gaps: [] }));
    attachScrapes(copy, targets, up);
    const scraped = copy.filter(r => r.scraped);
    const all = scraped.flatMap((r): { r: ServiceReport; t?: ScrapeStatus }[] => r.scraped!.targets.length ? r.scraped!.targets.map(t => ({ r, t })) : [{ r, t: undefined }]);
    const down = all.filter(x => x.t?.up !== 1).map(x => x.t ? `${x.t.job}${x.t.up === 0 ? " down" : " not yet scraped"}` : `${x.r.service} (no target)`);
    return { up: all.length - down.length, of: all.length, down };
}

async function checkScrapes(result: VerifyResult, outputs: StackOutputsJson, o: VerifyOptions, env: NodeJS.ProcessEnv,
    graph: () => Promise<{ services: ServiceReport[] }>): Promise<void> {
    const central = outputs.centralPrometheus;
    const centralReport = result.services.find(s => s.role === "central");
    if (!central || !centralReport) {
        result.scrape.reason = `stack "${o.stack}" has no central Prometheus: run verify on the stack that makes it (dev or central)`;
        for (const s of result.services.filter(x => x.role === "prometheus" || x.role === "target")) {
            s.gaps.push({ service: s.service, cluster: s.cluster, code: "scrape-unchecked", missing: result.scrape.reason, fix: "verify the central (or dev) stack with --client-identity" });
        }
        return;
    }
    if (!o.waitScrapes && centralReport.exists && !centralReport.hosted.ok) {
        // Nothing answers (render mode, or its pod is not running): say so instead of waiting on a tunnel to nobody.
        result.scrape.reason = `the central Prometheus (${central.serviceName}) is not hosted (no terminator), so there is nothing to read`;
        return;
    }
    let tunnel;
    try {
        tunnel = await startClientTunnel({ service: central.serviceName, identityFile: o.clientIdentity!, stack: o.stack }, { env });
    } catch (e) {
        result.scrape.reason = (e as Error).message;
        centralReport.gaps.push({ service: central.serviceName, code: "scrape-unchecked", missing: `cannot open the central Prometheus as ${o.clientIdentity}: ${(e as Error).message}`, fix: "see the message; the graph above is checked regardless" });
        return;
    }
    try {
        result.scrape.via = `ziti tunnel proxy as ${o.clientIdentity} on ${tunnel.endpoint}`;
        const base = `http://${tunnel.endpoint}`;
        const w = o.waitScrapes;
        const t0 = Date.now();
        let { targets, up } = await readPrometheusTargets(base, Math.max(30_000, w?.ms ?? 0));
        if (w) {
            for (;;) {
                const p = scrapeProgress(result.services, targets, up);
                const s = ((Date.now() - t0) / 1000).toFixed(0);
                if (p.down.length === 0) {
                    w.progress?.(`all ${p.of} targets up in central after ${s}s`);
                    break;
                }
                if (Date.now() - t0 >= w.ms) {
                    w.progress?.(`${p.up}/${p.of} targets up in central after ${s}s, the wait's end (still: ${p.down.join(", ")})`);
                    break;
                }
                w.progress?.(`${p.up}/${p.of} targets up in central after ${s}s (waiting for: ${p.down.join(", ")})`);
                await new Promise(r => setTimeout(r, w.everyMs ?? 5000));
                ({ targets, up } = await readPrometheusTargets(base, 30_000));
            }
            // The graph as it is now (a terminator may have come up during the wait).
            if (result.services.some(s => s.gaps.length)) result.services = (await graph()).services;
        }
        result.scrape.checked = true;
        attachScrapes(result.services, targets, up);
    } catch (e) {
        const cause = (e as { cause?: { message?: string } }).cause?.message;
        result.scrape.reason = `the tunnel is up but the central Prometheus did not answer: ${(e as Error).message}${cause ? ` (${cause})` : ""}`;
        centralReport.gaps.push({ service: central.serviceName, code: "scrape-unchecked", missing: result.scrape.reason, fix: `is the central Prometheus running and hosted (see "hosted" above)? the tunnel's log: ${tunnel.logFile}` });
    } finally {
        await tunnel.stop();
    }
}

const ROLE_TEXT: Record<ServiceReport["role"], string> = {
    prometheus: "the cluster's Prometheus (federated by central)",
    target: "the scrape target",
    "kubernetes-api": "the Kubernetes API",
    central: "the central Prometheus (UI and API)",
};

/** The result for people: per cluster and service, hosted / dialable / scraped, then every gap with its fix. */
export function formatResult(r: VerifyResult, opts: { header?: boolean } = {}): string[] {
    const out: string[] = [];
    if (opts.header !== false) out.push(`scrape-anywhere verify: stack "${r.stack}", controller ${r.controller}`);
    out.push(r.scrape.checked ? `  scrapes read from the central Prometheus over Ziti (${r.scrape.via})` : `  scrapes not checked: ${r.scrape.reason}`);
    let place: string | undefined = "";
    for (const s of r.services) {
        if (s.cluster !== place) {
            place = s.cluster;
            out.push("", place ? `cluster ${place}` : "central");
        }
        out.push(`  ${s.service}   ${ROLE_TEXT[s.role]}`);
        if (!s.exists) {
            out.push("      MISSING on the controller");
            continue;
        }
        const t = s.hosted.terminators;
        out.push(`      hosted:   ${s.hosted.ok ? `yes, ${t.length} terminator${t.length > 1 ? "s" : ""}: ${t.map(x => `${x.identity || "(no instance id)"} via ${x.router}`).join(", ")}`
            : `NO (may bind: ${s.hosted.binders.join(", ") || "nobody"})`}`);
        const ds = s.dialable.dialers.map(d => `${d.identity} ${d.ok ? "ok" : "NO"}`);
        const others = s.dialable.otherDialers.length ? `; also may dial: ${s.dialable.otherDialers.join(", ")}` : "";
        out.push(`      dialable: ${s.dialable.dialers.length ? ds.join(", ") : "(no dialer expected)"}${others}`);
        if (s.scraped) {
            out.push(`      scraped:  ${s.scraped.targets.length ? s.scraped.targets.map(x => `${x.up === 1 ? "up" : x.up === 0 ? "DOWN" : `no up yet (${x.health})`} (central job ${x.job})`).join(", ") : "NO scrape target in central"}`);
        }
    }
    out.push("");
    if (r.ok) {
        out.push(r.scrape.checked ? "All fine: every service hosted and dialable by whom it should be, every target up." : "Ziti graph fine: every service hosted and dialable by whom it should be (scrapes not checked).");
    } else {
        out.push(`${r.gaps.length} gap${r.gaps.length > 1 ? "s" : ""}:`);
        for (const g of r.gaps) {
            out.push(`  ${g.service}${g.cluster ? ` (${g.cluster})` : ""} [${g.code}]: ${g.missing}`);
            out.push(`      fix: ${g.fix}`);
        }
    }
    return out;
}
