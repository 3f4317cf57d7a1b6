// The faults tier, provider level: the real provider against the real controller through a fault-injecting proxy
// (fixtures/faultProxy.ts): connection resets, stalls, latency, 5xx and 429 answers are retried; a POST whose answer
// is lost after the controller made the entity is adopted through the owner tags, never made twice; past the bound
// the error names the entity. The proxy's log is the request sequence: a create is one POST (the name is looked up
// only after a refusal or an unknown outcome), a policy naming entities this process made sends no lookup. The
// controller's own view is checked directly (not through the proxy).
import * as assert from "assert";
import { identityProvider, serviceProvider, servicePolicyProvider } from "../../provider";
import { closeAllClients, ZitiApiError, ZitiConnectionError } from "../../provider/client";
import { ZitiConflictError } from "../../provider/crud";
import { configFor, uniquePrefix, useControllerEnv } from "../helpers/zitiController";
import { startFaultProxy, FaultProxy } from "./fixtures/faultProxy";
import { certLogin } from "./fixtures/invariants";

const P = uniquePrefix("f");
const any = (x: unknown) => x as any;
const OWNER_ID = require("crypto").randomBytes(16).toString("hex") as string;
const owner = (resource: string) => ({ project: "faults", stack: "proxy", resource, ownerId: OWNER_ID });

describe("faults: the provider through a fault-injecting proxy", function () {
    this.timeout(180_000);
    const env = useControllerEnv(P, serviceProvider);
    let proxy: FaultProxy;

    /** Points the providers at the proxy; a fresh client, so connection faults meet new connections. */
    async function viaProxy(extra: Record<string, string> = {}): Promise<void> {
        await closeAllClients();
        proxy.log.length = 0; // each test looks only at its own requests
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

    /** Every service on the controller, whatever its name (the controller's own count, not through the proxy). */
    const serviceCount = async () => (await env.rest.get("services?limit=1")).json.meta.pagination.totalCount as number;
    const named = async (collection: string, name: string) => (await env.rest.named(collection, name)).filter((e: any) => e.name === name);
    /** The requests the proxy saw on one collection (its path, no id), in order: `METHOD kind status`. */
    const sequence = (collection: string) => proxy.log.filter((e) => e.method && e.path?.endsWith(collection)).map((e) => `${e.method} ${e.kind} ${e.status}`);

    it("a create is one POST; a policy naming entities this process made resolves them without a lookup", async function () {
        await viaProxy();
        const svc = await serviceProvider.create({ name: `${P}.one.svc`, owner: owner("one-svc") });
        const id = await identityProvider.create({ name: `${P}.one.id`, enroll: false, owner: owner("one-id") });
        assert.deepStrictEqual(sequence("/services"), ["POST forwarded 200"], "no lookup by name before the POST");
        assert.deepStrictEqual(sequence("/identities"), ["POST forwarded 200"], "no lookup by name before the POST");
        proxy.log.length = 0;
        const policy = await servicePolicyProvider.create({ name: `${P}.one.dial`, type: "Dial", semantic: "AnyOf", serviceRoles: [`@${P}.one.svc`], identityRoles: [`@${P}.one.id`], owner: owner("one-dial") });
        assert.deepStrictEqual(proxy.log.map((e) => `${e.method} ${e.path?.replace(/^\/edge\/management\/v1/, "")}`), ["POST /service-policies"], "the roles' ids came from the creates, not from GETs by name");
        const live = (await env.rest.get(`service-policies/${policy.id}`)).json.data;
        assert.deepStrictEqual([live.serviceRoles, live.identityRoles], [[`@${svc.id}`], [`@${id.id}`]], "the policy names the entities this process made");
        await any(servicePolicyProvider).delete(policy.id, policy.outs);
        await any(identityProvider).delete(id.id, id.outs);
        await any(serviceProvider).delete(svc.id, svc.outs);
    });

    it("adopts a service whose POST answer was lost, instead of making it twice", async function () {
        await viaProxy();
        const name = `${P}.lost.svc`;
        proxy.set({ loseResponse: { method: "POST", path: /\/edge\/management\/v1\/services$/, count: 1 } });
        const { id, outs } = await serviceProvider.create({ name, roleAttributes: ["a"], owner: owner("lost-svc") });
        assert.ok(proxy.log.some((e) => e.kind === "lost-response" && e.status! >= 200 && e.status! < 300), "the controller made it and its answer was dropped");
        // POST (answer lost), then the lookup by name that finds it (the adoption's PUT and GET go to services/<id>).
        assert.deepStrictEqual(sequence("/services"), ["POST lost-response 200", "GET forwarded 200"]);
        const live = await named("services", name);
        assert.strictEqual(live.length, 1, "one entity of that name");
        assert.strictEqual(live[0].id, id, "the resource took its id");
        assert.deepStrictEqual(live[0].tags, { pulumiProject: "faults", pulumiStack: "proxy", pulumiResource: "lost-svc", pulumiOwnerId: OWNER_ID });
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
        const login = await certLogin(outs.identityJson, name);
        assert.ok(login.ok, `identity JSON logs in: ${login.why}`);
        await any(identityProvider).delete(id, outs);
    });

    it("enrolls again when the enrollment's answer was lost (the certified key never arrived)", async function () {
        await viaProxy();
        const name = `${P}.lostenroll.id`;
        proxy.set({ loseResponse: { method: "POST", path: /\/edge\/client\/v1\/enroll$/, count: 1 } });
        const { id, outs } = await identityProvider.create({ name, owner: owner("lostenroll-id") });
        assert.ok(proxy.log.some((e) => e.kind === "lost-response" && e.path?.endsWith("/enroll") && e.status === 200), "the first enrollment happened on the controller");
        const login = await certLogin(outs.identityJson, name);
        assert.ok(login.ok, `identity JSON logs in: ${login.why}`);
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

    it("a create POST answered 503 after the controller made the entity is looked up and adopted, not sent again", async function () {
        await viaProxy();
        const name = `${P}.busy.svc`;
        // The fault hits the create itself (not the login before it): the controller makes the service, the client hears 503.
        const before = await serviceCount();
        proxy.set({ status: { code: 503, count: 1, method: "POST", path: /\/edge\/management\/v1\/services$/, forward: true } });
        const a = await serviceProvider.create({ name, owner: owner("busy-svc") });
        assert.strictEqual(await serviceCount(), before + 1, "the controller holds exactly one more service (of any name)");
        const posts = proxy.log.filter((e) => e.method === "POST" && e.path?.endsWith("/services"));
        assert.deepStrictEqual(posts.map((e) => `${e.kind} ${e.forwardedStatus ?? e.status}`), ["status 200"], "one create POST, applied by the controller and answered 503; none sent again");
        assert.deepStrictEqual(sequence("/services"), ["POST status 503", "GET forwarded 200"], "the lookup after the 503 found it: no second POST");
        const live = await named("services", name);
        assert.strictEqual(live.length, 1, "one entity of that name on the controller");
        assert.strictEqual(live[0].id, a.id, "the resource took the entity the faulted POST made");
        await any(serviceProvider).delete(a.id, a.outs);
    });

    it("a create POST answered 503 before the controller saw it is sent once more after a lookup; 429 is retried", async function () {
        await viaProxy();
        const name = `${P}.unsent.svc`;
        const before = await serviceCount();
        proxy.set({ status: { code: 503, count: 1, method: "POST", path: /\/edge\/management\/v1\/services$/ } });
        const a = await serviceProvider.create({ name, owner: owner("unsent-svc") });
        assert.strictEqual(await serviceCount(), before + 1, "the controller holds exactly one more service (of any name)");
        // The outcome of the first POST is unknown: the name is looked up, nothing has it, so it is POSTed again.
        assert.deepStrictEqual(sequence("/services"), ["POST status 503", "GET forwarded 200", "POST forwarded 200"]);
        assert.strictEqual((await named("services", name)).length, 1);
        proxy.set({ status: { code: 429, count: 2, method: "POST", path: /\/edge\/management\/v1\/services$/ } });
        const b = await serviceProvider.create({ name: `${P}.throttled.svc`, owner: owner("throttled-svc") });
        assert.strictEqual(proxy.log.filter((e) => e.kind === "status" && e.status === 429).length, 2);
        assert.strictEqual((await named("services", `${P}.throttled.svc`)).length, 1);
        await any(serviceProvider).delete(a.id, a.outs);
        await any(serviceProvider).delete(b.id, b.outs);
    });

    it("the certificate login check refuses a deleted identity (HTTP 200 with an INVALID_AUTH envelope)", async function () {
        await viaProxy();
        const name = `${P}.gone.id`;
        const { id, outs } = await identityProvider.create({ name, owner: owner("gone-id") });
        assert.ok((await certLogin(outs.identityJson, name)).ok, "logs in while it exists");
        assert.ok(!(await certLogin(outs.identityJson, `${name}.other`)).ok, "a login as another name does not count");
        await any(identityProvider).delete(id, outs);
        const after = await certLogin(outs.identityJson, name);
        assert.ok(!after.ok, "a deleted identity must not count as logged in");
        assert.match(after.why ?? "", /INVALID_AUTH|40[13]/);
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
        // The controller refused the POST (v1.7.2 answers a taken name with HTTP 200 and a COULD_NOT_VALIDATE envelope:
        // an answer, nothing made), and only then was the name looked up.
        assert.deepStrictEqual(sequence("/services"), ["POST forwarded 200", "GET forwarded 200"]);
        assert.match(e.message, /owned by faults\/other\/theirs-svc/);
        assert.ok(e.message.includes(`--tags-json '{"pulumiProject":"faults","pulumiStack":"proxy","pulumiResource":"theirs-svc","pulumiOwnerId":"${OWNER_ID}"}'`), e.message);
        const live = await named("services", name);
        assert.strictEqual(live.length, 1);
        assert.strictEqual(live[0].tags.pulumiStack, "other", "untouched");
        await env.rest.send("DELETE", `services/${made.json.data.id}`);
    });
});
