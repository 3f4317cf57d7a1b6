// The faults tier, provider level: the real provider against the real controller through a fault-injecting proxy
// (fixtures/faultProxy.ts): connection resets, stalls, latency, 5xx and 429 answers are retried; a POST whose answer
// is lost after the controller made the entity is adopted through the owner tags, never made twice; past the bound
// the error names the entity. The controller's own view is checked directly (not through the proxy).
import * as assert from "assert";
import { identityProvider, serviceProvider } from "../../provider";
import { closeAllClients, ZitiApiError, ZitiConnectionError } from "../../provider/client";
import { ZitiConflictError } from "../../provider/crud";
import { configFor, uniquePrefix, useControllerEnv } from "../helpers/zitiController";
import { startFaultProxy, FaultProxy } from "./fixtures/faultProxy";
import { certLogin } from "./fixtures/invariants";

const P = uniquePrefix("f");
const any = (x: unknown) => x as any;
const owner = (resource: string) => ({ project: "faults", stack: "proxy", resource });

describe("faults: the provider through a fault-injecting proxy", function () {
    this.timeout(180_000);
    const env = useControllerEnv(P, serviceProvider);
    let proxy: FaultProxy;

    /** Points the providers at the proxy; a fresh client, so connection faults meet new connections. */
    async function viaProxy(extra: Record<string, string> = {}): Promise<void> {
        await closeAllClients();
        await serviceProvider.configure!({ config: configFor(env.ctl, { "ziti:controllerUrl": proxy.url, "ziti:caBundle": proxy.caPath, "ziti:backoffMs": "50", ...extra }) });
    }

    before(async function () {
        proxy = await startFaultProxy(env.ctl.controllerUrl, env.ctl.caBundlePath);
    });

    afterEach(function () {
        proxy.set({});
    });

    after(async function () {
        await closeAllClients();
        await proxy?.stop();
    });

    const named = async (collection: string, name: string) => (await env.rest.named(collection, name)).filter((e: any) => e.name === name);

    it("adopts a service whose POST answer was lost, instead of making it twice", async function () {
        await viaProxy();
        const name = `${P}.lost.svc`;
        proxy.set({ loseResponse: { method: "POST", path: /\/edge\/management\/v1\/services$/, count: 1 } });
        const { id, outs } = await serviceProvider.create({ name, roleAttributes: ["a"], owner: owner("lost-svc") });
        assert.ok(proxy.log.some((e) => e.kind === "lost-response" && e.status! >= 200 && e.status! < 300), "the controller made it and its answer was dropped");
        const live = await named("services", name);
        assert.strictEqual(live.length, 1, "one entity of that name");
        assert.strictEqual(live[0].id, id, "the resource took its id");
        assert.deepStrictEqual(live[0].tags, { pulumiProject: "faults", pulumiStack: "proxy", pulumiResource: "lost-svc" });
        assert.deepStrictEqual(outs.roleAttributes, ["a"]);
        await any(serviceProvider).delete(id, outs);
    });

    it("adopts an identity whose POST answer was lost and enrolls it afresh: its JSON logs in", async function () {
        await viaProxy();
        const name = `${P}.lost.id`;
        proxy.set({ loseResponse: { method: "POST", path: /\/edge\/management\/v1\/identities$/, count: 1 } });
        const { id, outs } = await identityProvider.create({ name, owner: owner("lost-id") });
        assert.ok(proxy.log.some((e) => e.kind === "lost-response" && e.path?.endsWith("/identities")));
        assert.strictEqual((await named("identities", name)).length, 1);
        const login = await certLogin(outs.identityJson);
        assert.ok(login.ok && login.name === name, `identity JSON logs in: ${login.why ?? login.name}`);
        await any(identityProvider).delete(id, outs);
    });

    it("enrolls again when the enrollment's answer was lost (the certified key never arrived)", async function () {
        await viaProxy();
        const name = `${P}.lostenroll.id`;
        proxy.set({ loseResponse: { method: "POST", path: /\/edge\/client\/v1\/enroll$/, count: 1 } });
        const { id, outs } = await identityProvider.create({ name, owner: owner("lostenroll-id") });
        assert.ok(proxy.log.some((e) => e.kind === "lost-response" && e.path?.endsWith("/enroll") && e.status === 200), "the first enrollment happened on the controller");
        const login = await certLogin(outs.identityJson);
        assert.ok(login.ok && login.name === name, `identity JSON logs in: ${login.why ?? login.name}`);
        const auths = (await env.rest.get(`identities/${id}/authenticators`)).json.data;
        assert.strictEqual(auths.length, 1, "the certificate of the lost answer was revoked: one authenticator");
        await any(identityProvider).delete(id, outs);
    });

    it("retries connection resets, stalls and latency", async function () {
        await viaProxy();
        proxy.set({ resetConnections: 3, stallMs: 1500, latencyMs: 150 });
        const t0 = Date.now();
        const { id, outs } = await serviceProvider.create({ name: `${P}.flaky.svc`, owner: owner("flaky-svc") });
        assert.strictEqual(proxy.log.filter((e) => e.kind === "reset").length, 3, "three connections were reset");
        assert.ok(proxy.log.some((e) => e.kind === "stall"));
        assert.ok(Date.now() - t0 >= 1500, "the stall was waited out");
        assert.strictEqual((await named("services", `${P}.flaky.svc`)).length, 1);
        const r = await any(serviceProvider).read(id, outs);
        assert.strictEqual(r.id, id);
        await any(serviceProvider).delete(id, outs);
        assert.strictEqual((await named("services", `${P}.flaky.svc`)).length, 0);
    });

    it("retries 5xx and 429 answers; a POST answered 503 is looked up, not repeated blindly", async function () {
        await viaProxy();
        proxy.set({ status: { code: 503, count: 3 } });
        const a = await serviceProvider.create({ name: `${P}.busy.svc`, owner: owner("busy-svc") });
        assert.strictEqual(proxy.log.filter((e) => e.kind === "status").length, 3);
        proxy.set({ status: { code: 429, count: 2 } });
        const b = await serviceProvider.create({ name: `${P}.throttled.svc`, owner: owner("throttled-svc") });
        assert.strictEqual((await named("services", `${P}.busy.svc`)).length, 1);
        assert.strictEqual((await named("services", `${P}.throttled.svc`)).length, 1);
        await any(serviceProvider).delete(a.id, a.outs);
        await any(serviceProvider).delete(b.id, b.outs);
    });

    it("gives up after the bound with an error that names the entity", async function () {
        await viaProxy({ "ziti:maxAttempts": "3" });
        proxy.set({ resetConnections: 1000 });
        const name = `${P}.never.svc`;
        const e = await serviceProvider.create({ name, owner: owner("never-svc") }).then(() => undefined, (x) => x);
        assert.ok(e instanceof ZitiConnectionError, String(e));
        assert.ok(e.message.startsWith(`ziti:Service "${name}": cannot reach the Ziti controller at ${proxy.url}`), e.message);
        assert.match(e.message, /after 3 attempt\(s\)/);
        proxy.set({ status: { code: 502, count: 1000 } });
        const f = await serviceProvider.create({ name, owner: owner("never-svc") }).then(() => undefined, (x) => x);
        assert.ok(f instanceof ZitiApiError && f.status === 502, String(f));
        assert.ok(f.message.startsWith(`ziti:Service "${name}": `), f.message);
        proxy.set({});
        assert.strictEqual((await named("services", name)).length, 0, "nothing was made");
    });

    it("never adopts a same-name entity owned by another resource, even after a lost answer", async function () {
        await viaProxy();
        const name = `${P}.theirs.svc`;
        const made = await env.rest.send("POST", "services", { name, encryptionRequired: true, tags: { pulumiProject: "faults", pulumiStack: "other", pulumiResource: "theirs-svc" } });
        const e = await serviceProvider.create({ name, owner: owner("theirs-svc") }).then(() => undefined, (x) => x);
        assert.ok(e instanceof ZitiConflictError, String(e));
        assert.match(e.message, /owned by faults\/other\/theirs-svc/);
        assert.match(e.message, /--tags-json '\{"pulumiProject":"faults","pulumiStack":"proxy","pulumiResource":"theirs-svc"\}'/);
        const live = await named("services", name);
        assert.strictEqual(live.length, 1);
        assert.strictEqual(live[0].tags.pulumiStack, "other", "untouched");
        await env.rest.send("DELETE", `services/${made.json.data.id}`);
    });
});
