// Checks the Ziti graph of a stack on the controller: for every expected service (stackTargets.ts), is it hosted
// (terminators exist, and by whom) and can every identity that should dial it actually do so (a Dial service
// policy admits it, and it shares an online edge router with the service through edge router policies and
// service edge router policies). Each shortfall is a Gap with a stable code, what is missing, and the fix.
//
// Reachability is the controller's own answer, not ours: GET /identities/{id}/policy-advice/{serviceId}
// ("Analyzes policies to see if the given identity should be able to dial or bind the given service ... Will
// check edge router policies ... Will also check if at least one edge router is on-line"; openziti/edge-api
// v0.26.50 source/management/identities.yml, served by openziti/ziti v1.7.2 controller/internal/routes/
// identity_router.go getPolicyAdvice: isDialAllowed, isBindAllowed, identityRouterCount, serviceRouterCount,
// commonRouters[{name, isOnline}]). Terminators: GET /services/{id}/terminators (`router`, `binding`,
// `identity` = the terminator's instance id, the hosting identity's name under host.v1
// `listenOptions.bindUsingEdgeIdentity`). Who may bind or dial: GET /services/{id}/identities?policyType=...
// and the policies themselves: GET /services/{id}/service-policies.
import type { ExpectedService } from "./stackTargets";
import type { ZitiSession } from "./zitiSession";

export type GapCode =
    | "service-missing" | "no-binder" | "not-hosted"
    | "identity-missing" | "no-dial-grant" | "no-edge-router" | "no-service-edge-router" | "no-common-router" | "router-offline"
    | "no-scrape-target" | "not-scraped" | "scrape-unchecked";

export interface Gap {
    service: string;
    cluster?: string;
    /** The identity the gap is about (a dialer), if any. */
    identity?: string;
    code: GapCode;
    missing: string;
    fix: string;
}

export interface Terminator { router: string; identity: string; binding: string }

export interface DialerStatus {
    identity: string;
    because: string;
    ok: boolean;
    /** Dial policies that admit it. */
    policies: string[];
    /** Online edge routers it shares with the service. */
    routers: string[];
}

export interface ScrapeStatus {
    job: string;
    instance: string;
    /** `up` as central read it last (1 or 0); undefined when central has no such series yet. */
    up?: number;
    health: string;
    lastError: string;
    lastScrape?: string;
}

export interface ServiceReport {
    service: string;
    cluster?: string;
    role: ExpectedService["role"];
    exists: boolean;
    hosted: { ok: boolean; terminators: Terminator[]; binders: string[]; bindPolicies: string[] };
    dialable: { ok: boolean; dialers: DialerStatus[]; otherDialers: string[]; dialPolicies: string[] };
    /** Filled by scrapeStatus.ts when a client identity was given (prometheus and target roles only). */
    scraped?: { ok: boolean; targets: ScrapeStatus[] };
    gaps: Gap[];
}

interface Advice {
    isDialAllowed: boolean;
    isBindAllowed: boolean;
    identityRouterCount: number;
    serviceRouterCount: number;
    commonRouters?: { name: string; isOnline: boolean }[];
}

const q = (s: string) => JSON.stringify(s);

/** The reachability gap of `identity` on `service` from the controller's policy advice, or undefined when it can reach it. */
export function adviceGap(e: Pick<ExpectedService, "service" | "cluster">, identity: string, a: Advice, type: "Dial" | "Bind", policiesHint: string): Gap | undefined {
    const base = { service: e.service, cluster: e.cluster, identity };
    const up = "`pulumi up` the stack that makes it (it restores the policies the plan has)";
    if (type === "Dial" && !a.isDialAllowed) {
        return { ...base, code: "no-dial-grant", missing: `${identity} may not dial ${e.service}: no Dial service policy admits it (${policiesHint})`, fix: up };
    }
    if (a.identityRouterCount === 0) {
        return { ...base, code: "no-edge-router", missing: `${identity} may use no edge router: no edge router policy admits it`, fix: `${up}; its edge router policy names the identity` };
    }
    if (a.serviceRouterCount === 0) {
        return { ...base, code: "no-service-edge-router", missing: `no edge router serves ${e.service}: no service edge router policy admits it`, fix: `${up}; its service edge router policy names the service` };
    }
    const common = a.commonRouters ?? [];
    if (common.length === 0) {
        return { ...base, code: "no-common-router", missing: `${identity} and ${e.service} share no edge router (their edge router policy and service edge router policy name different routers)`, fix: "give both the same edgeRouterRoles (scrape-anywhere:edgeRouterRoles) and `pulumi up`" };
    }
    if (!common.some(r => r.isOnline)) {
        return { ...base, code: "router-offline", missing: `every edge router ${identity} could use for ${e.service} is offline (${common.map(r => r.name).join(", ")})`, fix: "start the edge router(s) or check their link to the controller" };
    }
    return undefined;
}

/** Checks every expected service on the controller; the reports are in the order of `expected`. */
export async function checkZitiGraph(session: ZitiSession, expected: ExpectedService[]): Promise<ServiceReport[]> {
    const [services, identities] = await Promise.all([session.list("services"), session.list("identities")]);
    const serviceByName = new Map(services.map(s => [s.name as string, s]));
    const identityByName = new Map(identities.map(i => [i.name as string, i]));
    const reports: ServiceReport[] = [];
    for (const e of expected) reports.push(await checkService(session, e, serviceByName.get(e.service), identityByName));
    return reports;
}

type Entity = { id: string; name: string; roleAttributes?: string[] };
type Policy = { name: string; type: "Dial" | "Bind"; identityRoles?: string[]; semantic?: string };

async function checkService(session: ZitiSession, e: ExpectedService, svc: Entity | undefined, identityByName: Map<string, Entity>): Promise<ServiceReport> {
    const report: ServiceReport = {
        service: e.service, cluster: e.cluster, role: e.role, exists: false,
        hosted: { ok: false, terminators: [], binders: [], bindPolicies: [] },
        dialable: { ok: false, dialers: [], otherDialers: [], dialPolicies: [] },
        gaps: [],
    };
    if (!svc) {
        report.gaps.push({ service: e.service, cluster: e.cluster, code: "service-missing", missing: `there is no Ziti service ${q(e.service)} on the controller`,
            fix: "`pulumi up` the stack that makes it (`pulumi refresh` first if it was deleted by hand)" });
        return report;
    }
    report.exists = true;
    const [terminators, binders, dialers, policies] = await Promise.all([
        session.list(`services/${svc.id}/terminators`),
        session.list(`services/${svc.id}/identities`, { policyType: "bind" }),
        session.list(`services/${svc.id}/identities`, { policyType: "dial" }),
        session.list(`services/${svc.id}/service-policies`),
    ]);
    await checkHosted(session, e, svc, report, terminators, binders, policies);
    await checkDialers(session, e, svc, report, dialers, policies, identityByName);
    return report;
}

/** Hosted: a terminator exists. Without one, says why if the controller can tell (nobody may bind, or the binders reach no router). */
async function checkHosted(session: ZitiSession, e: ExpectedService, svc: Entity, report: ServiceReport, terminators: any[], binders: Entity[], policies: Policy[]): Promise<void> {
    const h = report.hosted;
    h.terminators = terminators.map(t => ({ router: t.router?.name ?? t.routerId, identity: t.identity ?? "", binding: t.binding }));
    h.binders = binders.map(i => i.name).sort();
    h.bindPolicies = policies.filter(p => p.type === "Bind").map(p => p.name).sort();
    h.ok = terminators.length > 0;
    const gap = (g: Omit<Gap, "service" | "cluster">) => report.gaps.push({ service: e.service, cluster: e.cluster, ...g });
    if (binders.length === 0) {
        gap({ code: "no-binder", missing: `no identity may bind (host) ${e.service}: no Bind service policy admits one${h.bindPolicies.length ? ` (${h.bindPolicies.join(", ")} admit nobody)` : ""}`,
            fix: "`pulumi up` the stack that makes it (it restores the Bind policy)" });
        return;
    }
    if (h.ok) return;
    const why: string[] = [];
    for (const b of binders) {
        const g = adviceGap(e, b.name, await session.get(`identities/${b.id}/policy-advice/${svc.id}`), "Bind", "");
        if (g) why.push(g.missing);
    }
    gap({
        code: "not-hosted",
        missing: `nothing hosts ${e.service}: it has no terminator (may bind: ${h.binders.join(", ")})${why.length ? `; ${why.join("; ")}` : ""}`,
        fix: why.length ? "fix the binder's routers as above, then `pulumi up`"
            : `start the tunneler of ${h.binders.join(" or ")} (in Kubernetes its pod's ziti-tunnel container; read its log): it must run with its enrolled identity and reach an edge router`,
    });
}

/** Dialable: every expected dialer exists, is granted, and shares an online router with the service. */
async function checkDialers(session: ZitiSession, e: ExpectedService, svc: Entity, report: ServiceReport, dialers: Entity[], policies: Policy[], identityByName: Map<string, Entity>): Promise<void> {
    const d = report.dialable;
    d.dialPolicies = policies.filter(p => p.type === "Dial").map(p => p.name).sort();
    const policiesHint = d.dialPolicies.length ? `Dial policies on it: ${d.dialPolicies.join(", ")}` : "it has no Dial policy at all";
    const gap = (g: Omit<Gap, "service" | "cluster">) => report.gaps.push({ service: e.service, cluster: e.cluster, ...g });
    const expectedSet = new Set(e.dialers);
    d.otherDialers = dialers.map(i => i.name).filter(n => !expectedSet.has(n)).sort();
    for (const [i, name] of e.dialers.entries()) {
        const st: DialerStatus = { identity: name, because: e.because[i], ok: false, policies: [], routers: [] };
        d.dialers.push(st);
        const ident = identityByName.get(name);
        if (!ident) {
            gap({ identity: name, code: "identity-missing", missing: `the identity ${q(name)} (${e.because[i]}) does not exist`, fix: "`pulumi up` the stack that makes it" });
            continue;
        }
        const a: Advice = await session.get(`identities/${ident.id}/policy-advice/${svc.id}`);
        st.policies = policies.filter(p => p.type === "Dial" && a.isDialAllowed && admits(p, ident)).map(p => p.name).sort();
        st.routers = (a.commonRouters ?? []).filter(r => r.isOnline).map(r => r.name).sort();
        const g = adviceGap(e, name, a, "Dial", policiesHint);
        if (g) report.gaps.push(g);
        else st.ok = true;
    }
    if (e.dialers.length === 0 && dialers.length === 0 && e.role !== "central") {
        gap({ code: "no-dial-grant", missing: `nobody may dial ${e.service} (${policiesHint})`, fix: "`pulumi up` the stack that makes it (it restores the Dial policy)" });
    }
    d.ok = d.dialers.every(x => x.ok) && !report.gaps.some(g => g.code === "no-dial-grant");
}

/** Whether a service policy's identity roles name this identity (`@id`, `#all`, `#attribute`; AllOf needs every attribute). */
function admits(p: { identityRoles?: string[]; semantic?: string }, ident: { id: string; roleAttributes?: string[] }): boolean {
    const roles = p.identityRoles ?? [];
    const attrs = new Set(ident.roleAttributes ?? []);
    const hit = (r: string) => r === "#all" || r === `@${ident.id}` || (r.startsWith("#") && attrs.has(r.slice(1)));
    return p.semantic === "AllOf" ? roles.length > 0 && roles.every(hit) : roles.some(hit);
}
