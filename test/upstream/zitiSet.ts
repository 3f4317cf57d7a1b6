// Tier `upstream`: a flavor's plain Ziti entity set (flavors/upstream/zitiGraph.ts) created on a real controller
// through its management API (`@name` roles resolved to `@id`, as the provider does), and identities enrolled with
// the CLI (the program's provider enrolls them; here the token goes through a file, never a command line).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { httpsJson, ZitiAdmin } from "../overlay/fixtures/zitiRest";
import type { ZitiEntitySet } from "../../flavors/upstream/zitiGraph";

/** An admin session token on the controller. */
export async function adminToken(ctl: ZitiQuickstart, ca: string): Promise<string> {
    const admin = new ZitiAdmin(ctl.controllerUrl, ctl.username, ctl.password, ca);
    await admin.login();
    return (admin as unknown as { token: string }).token;
}

/** Creates the set on the controller; returns the ids by name. */
export async function createSet(ctl: ZitiQuickstart, ca: string, set: ZitiEntitySet): Promise<Record<string, string>> {
    const admin = new ZitiAdmin(ctl.controllerUrl, ctl.username, ctl.password, ca);
    await admin.login();
    const token = (admin as unknown as { token: string }).token;
    const ids: Record<string, string> = {};
    const post = async (kind: string, body: Record<string, unknown>) => {
        const r = await httpsJson(`${ctl.controllerUrl}/edge/management/v1/${kind}`, "POST", { ca }, { token, body });
        if (r.status !== 201) throw new Error(`POST ${kind} ${String(body.name)}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        ids[String(body.name)] = r.body.data.id;
    };
    const roles = (rs: unknown) => (rs as string[]).map(r => (r.startsWith("@") ? `@${ids[r.slice(1)]}` : r));
    for (const i of set.identities) await post("identities", { name: i.name, type: "Device", isAdmin: false, roleAttributes: i.roleAttributes, enrollment: { ott: true } });
    for (const c of set.configs) {
        const type = await admin.findByName("config-types", c.configType);
        await post("configs", { name: c.name, configTypeId: type.id, data: c.data });
    }
    for (const s of set.services) await post("services", { name: s.name, configs: s.configs.map(c => ids[c]), encryptionRequired: true });
    for (const p of set.servicePolicies) await post("service-policies", { name: p.name, type: p.type, semantic: p.semantic, identityRoles: roles(p.identityRoles), serviceRoles: roles(p.serviceRoles) });
    for (const p of set.edgeRouterPolicies) await post("edge-router-policies", { name: p.name, semantic: "AnyOf", identityRoles: roles(p.identityRoles), edgeRouterRoles: p.edgeRouterRoles });
    for (const p of set.serviceEdgeRouterPolicies) await post("service-edge-router-policies", { name: p.name, semantic: "AnyOf", serviceRoles: roles(p.serviceRoles), edgeRouterRoles: p.edgeRouterRoles });
    return ids;
}

/** Enrolls identity `name` into `<dir>/<name>.json`; returns the file. */
export async function enroll(ctl: ZitiQuickstart, ca: string, dir: string, name: string): Promise<string> {
    const admin = new ZitiAdmin(ctl.controllerUrl, ctl.username, ctl.password, ca);
    const jwt = (await admin.findByName("identities", name)).enrollment.ott.jwt as string;
    fs.writeFileSync(path.join(dir, `${name}.jwt`), jwt, { mode: 0o600 });
    const out = path.join(dir, `${name}.json`);
    execFileSync(ctl.zitiBin, ["edge", "enroll", "--jwt", path.join(dir, `${name}.jwt`), "--out", out], { stdio: "ignore" });
    return out;
}
