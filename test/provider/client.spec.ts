// The REST layer and settings against the real controller: wrong password, unreachable controller, untrusted
// TLS, a 4xx from the controller (not retried), session reuse and renewal, env fallbacks, cert auth with an
// admin identity file. No error may carry a secret.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configProvider, identityProvider, serviceProvider } from "../../provider";
import { ZitiApiError, ZitiConnectionError } from "../../provider/client";
import { ZitiSettingsError } from "../../provider/settings";
import { freePort, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { adminRest, configFor, leftovers, Rest, stackConfig, uniquePrefix, zitiController } from "../helpers/zitiController";

const P = uniquePrefix("c");
let rest: Rest;
let ctl: ZitiQuickstart;
const any = (x: unknown) => x as any;

async function failure(fn: () => Promise<unknown>): Promise<Error> {
    try {
        await fn();
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected a failure");
}

/** An admin API session count for this controller. */
async function apiSessions(): Promise<any[]> {
    return (await rest.get("api-sessions?limit=500")).json.data;
}

describe("ziti provider: client, settings and errors", function () {
    before(async function () {
        this.timeout(180_000);
        ctl = await zitiController();
        rest = await adminRest(ctl);
    });

    afterEach(async function () {
        for (const k of ["ZITI_API_HOST", "ZITI_USERNAME", "ZITI_PASSWORD", "ZITI_CA_BUNDLE", "ZITI_IDENTITY_FILE"]) delete process.env[k];
        await serviceProvider.configure!({ config: configFor(ctl) });
    });

    after(async function () {
        if (!rest) return;
        const left = await leftovers(rest, P);
        await rest.close();
        assert.deepStrictEqual(left, [], "entities left behind on the controller");
    });

    it("fails on a wrong password with the controller's code, fast (4xx is not retried), and without the password", async function () {
        const wrong = "not-the-password-42";
        await serviceProvider.configure!({ config: configFor(ctl, { "ziti:password": wrong, "ziti:backoffMs": "3000" }) });
        const t0 = Date.now();
        const e = await failure(() => serviceProvider.create({ name: `${P}.never.svc` }));
        assert.ok(Date.now() - t0 < 2500, "no retry with a 3 s backoff happened");
        assert.ok(e instanceof ZitiApiError, String(e));
        assert.strictEqual(e.status, 401);
        assert.strictEqual(e.code, "INVALID_AUTH");
        assert.match(e.message, /authentication \(password\) as "admin" failed: INVALID_AUTH/);
        assert.ok(!e.message.includes(wrong) && !(e.stack ?? "").includes(wrong), "the password is not in the error");
        assert.ok(!e.message.includes(ctl.password));
    });

    it("fails on an unreachable controller after a bounded number of retries", async function () {
        const port = await freePort();
        await serviceProvider.configure!({
            config: configFor(ctl, { "ziti:controllerUrl": `https://127.0.0.1:${port}`, "ziti:maxAttempts": "3", "ziti:backoffMs": "50" }),
        });
        const e = await failure(() => serviceProvider.create({ name: `${P}.never.svc` }));
        assert.ok(e instanceof ZitiConnectionError, String(e));
        assert.match(e.message, new RegExp(`cannot reach the Ziti controller at https://127.0.0.1:${port} .* after 3 attempt\\(s\\): ECONNREFUSED`));
        assert.ok(!e.message.includes(ctl.password));
    });

    it("trusts only the configured CA: a controller signed by another CA is refused, not skipped", async function () {
        // A self-signed CA that did not sign the controller's certificate.
        const { x509Lib } = await import("../../provider/enroll");
        const x509 = x509Lib();
        const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
        const keys = await crypto.webcrypto.subtle.generateKey(alg, false, ["sign", "verify"]);
        const ca = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=other", keys, signingAlgorithm: alg, notAfter: new Date(Date.now() + 86_400_000) });
        const other = path.join(os.tmpdir(), `${P}-other-ca.pem`);
        fs.writeFileSync(other, ca.toString("pem"));
        await serviceProvider.configure!({ config: configFor(ctl, { "ziti:caBundle": other, "ziti:maxAttempts": "2", "ziti:backoffMs": "10" }) });
        const e = await failure(() => serviceProvider.create({ name: `${P}.never.svc` }));
        fs.rmSync(other, { force: true });
        assert.ok(e instanceof ZitiConnectionError, String(e));
        assert.match(e.message, /certificate|self.signed|verify/i);
    });

    it("ziti:insecure=true (dev only) works without a CA bundle and warns on stderr", async function () {
        const warnings: string[] = [];
        const orig = console.error;
        console.error = (...args: unknown[]) => void warnings.push(args.join(" "));
        try {
            await serviceProvider.configure!({ config: configFor(ctl, { "ziti:caBundle": undefined, "ziti:insecure": "true" }) });
            const s = await serviceProvider.create({ name: `${P}.insecure.svc` });
            await any(serviceProvider).delete(s.id, s.outs);
        } finally {
            console.error = orig;
        }
        assert.ok(warnings.some((w) => /ziti:insecure=true: TLS verification .* is OFF/.test(w)), warnings.join("\n"));
        // Without a CA bundle and without insecure: a settings error, no silent skip.
        await serviceProvider.configure!({ config: configFor(ctl, { "ziti:caBundle": undefined }) });
        const e = await failure(() => serviceProvider.create({ name: `${P}.never.svc` }));
        assert.ok(e instanceof ZitiSettingsError);
        assert.match(e.message, /ziti:caBundle/);
    });

    it("reports a 4xx from the controller with its code and message, not retried, nothing secret", async function () {
        await configProvider.configure!({ config: configFor(ctl, { "ziti:backoffMs": "3000" }) });
        const t0 = Date.now();
        // The raw form is validated by the controller: host.v2 wants `terminators`.
        const e = await failure(() => configProvider.create({ name: `${P}.bad.cfg`, configType: "host.v2", data: { nonsense: true } }));
        assert.ok(Date.now() - t0 < 2500, "a 4xx is not retried");
        assert.ok(e instanceof ZitiApiError, String(e));
        assert.strictEqual(e.status, 400);
        assert.ok(e.code.length > 0 && e.code !== "HTTP_400", `controller code: ${e.code}`);
        assert.match(e.message, /Ziti controller refused POST \/edge\/management\/v1\/configs: 400 /);
        assert.ok(!e.message.includes(ctl.password));
        assert.ok(!/zt-session|undici|at \w+ \(/.test(e.message), "no HTTP internals");
        assert.strictEqual((await rest.named("configs", `${P}.bad.cfg`)).length, 0);
    });

    it("reuses one API session across calls and renews it when the controller drops it", async function () {
        await serviceProvider.configure!({ config: configFor(ctl) });
        const a = await serviceProvider.create({ name: `${P}.s1.svc` });
        // The provider logs in as the same admin as this test's REST helper: its sessions are that identity's but the helper's own.
        const own = (await rest.get("current-api-session")).json.data;
        const mine = (s: any[]) => s.filter((x) => x.identity?.id === own.identity?.id && x.id !== own.id);
        const before = mine(await apiSessions()).length;
        assert.ok(before >= 1, "the provider's session is seen");
        const b = await serviceProvider.create({ name: `${P}.s2.svc` });
        await any(serviceProvider).read(a.id, a.outs);
        assert.strictEqual(mine(await apiSessions()).length, before, "no new session for further calls");

        // Drop every admin session but the test's own: the provider must log in again transparently.
        for (const s of mine(await apiSessions())) assert.strictEqual((await rest.send("DELETE", `api-sessions/${s.id}`)).status, 200);
        assert.strictEqual(mine(await apiSessions()).length, 0, "the provider's sessions are gone");
        const r = await any(serviceProvider).read(b.id, b.outs);
        assert.strictEqual(r.props.name, `${P}.s2.svc`);

        await any(serviceProvider).delete(a.id, a.outs);
        await any(serviceProvider).delete(b.id, b.outs);
    });

    it("falls back to ZITI_API_HOST / ZITI_USERNAME / ZITI_PASSWORD when the stack config is empty", async function () {
        await serviceProvider.configure!({ config: stackConfig({}) });
        process.env.ZITI_API_HOST = `${ctl.controllerUrl}/edge/management/v1`;
        process.env.ZITI_USERNAME = ctl.username;
        process.env.ZITI_PASSWORD = ctl.password;
        process.env.ZITI_CA_BUNDLE = ctl.caBundlePath;
        const s = await serviceProvider.create({ name: `${P}.env.svc` });
        await any(serviceProvider).delete(s.id, s.outs);

        delete process.env.ZITI_API_HOST;
        const e = await failure(() => serviceProvider.create({ name: `${P}.never.svc` }));
        assert.ok(e instanceof ZitiSettingsError);
        assert.match(e.message, /ziti:controllerUrl/);
    });

    it("authenticates with an admin identity file (ziti:identityFile) by certificate", async function () {
        await identityProvider.configure!({ config: configFor(ctl) });
        const admin = await identityProvider.create({ name: `${P}.admin.id`, isAdmin: true });
        const file = path.join(os.tmpdir(), `${P}-admin.json`);
        fs.writeFileSync(file, admin.outs.identityJson, { mode: 0o600 });
        try {
            await serviceProvider.configure!({ config: stackConfig({ "ziti:identityFile": file }) });
            const s = await serviceProvider.create({ name: `${P}.cert.svc` });
            const sessions = (await apiSessions()).filter((x) => x.identity?.id === admin.id);
            assert.ok(sessions.length >= 1, "the admin identity holds an API session");
            await any(serviceProvider).delete(s.id, s.outs);
        } finally {
            fs.rmSync(file, { force: true });
            await identityProvider.configure!({ config: configFor(ctl) });
            await any(identityProvider).delete(admin.id, admin.outs);
        }
    });
});
