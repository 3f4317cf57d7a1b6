// Ownership against the real controller (issue 22, findings 3, 4, 11): a create adopts only an entity whose tags
// name this very resource of this very stack instance (owner id included), and adoption takes nothing over as it
// is: every managed and security-relevant field is brought to the program's values, or the create refuses naming
// the field. read/diff show those fields drifting.
import * as assert from "assert";
import * as crypto from "crypto";
import { configProvider, identityProvider, serviceProvider } from "../../provider";
import { ZitiConflictError } from "../../provider/crud";
import { uniquePrefix, useControllerEnv } from "../helpers/zitiController";
import { certLogin } from "../faults/fixtures/invariants";

const P = uniquePrefix("o");
const any = (x: unknown) => x as any;
const newOwnerId = () => crypto.randomBytes(16).toString("hex");
const ownerIdA = newOwnerId();
const owner = (resource: string, ownerId = ownerIdA) => ({ project: "scrape-anywhere", stack: "dev", resource, ownerId });
const tagsOf = (o: ReturnType<typeof owner>) => ({ pulumiProject: o.project, pulumiStack: o.stack, pulumiResource: o.resource, pulumiOwnerId: o.ownerId });

describe("ziti provider: ownership and adoption", function () {
    const env = useControllerEnv(P, serviceProvider);
    const rejects = (p: Promise<unknown>) => p.then(() => undefined, (e) => e);

    it("a second deployment of the same project and stack never takes a live deployment's identity, nor re-enrolls it", async function () {
        const name = `${P}.live.id`;
        const a = await identityProvider.create({ name, owner: owner("live-id") });
        try {
            const before = await certLogin(a.outs.identityJson, name);
            assert.ok(before.ok, `the first deployment's identity logs in: ${before.why}`);
            const e = await rejects(identityProvider.create({ name, owner: owner("live-id", newOwnerId()) }));
            assert.ok(e instanceof ZitiConflictError, `the other instance's create must be refused, got ${e}`);
            assert.match(e.message, new RegExp(`another deployment of scrape-anywhere/dev on this controller \\(owner id ${ownerIdA}`));
            const after = await certLogin(a.outs.identityJson, name);
            assert.ok(after.ok, `the first deployment's certificate still logs in: ${after.why}`);
            const live = (await env.rest.get(`identities/${a.id}`)).json.data;
            assert.deepStrictEqual(live.tags, tagsOf(owner("live-id")), "its tags are untouched");
        } finally {
            await any(identityProvider).delete(a.id, a.outs);
        }
    });

    it("a renamed resource does not adopt the old resource's entity", async function () {
        const name = `${P}.renamed.svc`;
        const a = await serviceProvider.create({ name, roleAttributes: ["old"], owner: owner("old-svc") });
        try {
            const e = await rejects(serviceProvider.create({ name, roleAttributes: ["new"], owner: owner("new-svc") }));
            assert.ok(e instanceof ZitiConflictError, `a resource of another name must not adopt it, got ${e}`);
            assert.match(e.message, /owned by scrape-anywhere\/dev\/old-svc/);
            const live = (await env.rest.get(`services/${a.id}`)).json.data;
            assert.deepStrictEqual(live.roleAttributes, ["old"]);
            assert.strictEqual(live.tags.pulumiResource, "old-svc");
        } finally {
            await any(serviceProvider).delete(a.id, a.outs);
        }
    });

    it("an entity tagged before owner ids is not adopted (no state proves it ours)", async function () {
        const name = `${P}.oldscheme.svc`;
        const { pulumiOwnerId: _, ...oldTags } = tagsOf(owner("oldscheme-svc"));
        const made = await env.rest.send("POST", "services", { name, encryptionRequired: true, tags: oldTags });
        try {
            const e = await rejects(serviceProvider.create({ name, owner: owner("oldscheme-svc") }));
            assert.ok(e instanceof ZitiConflictError, String(e));
            assert.match(e.message, /predate owner ids/);
            assert.ok(e.message.includes(`"pulumiOwnerId":"${ownerIdA}"`), "the advice tags it with this stack's owner id");
        } finally {
            await env.rest.send("DELETE", `services/${made.json.data.id}`);
        }
    });

    it("adopting an identity resets every planted field: auth policy, external id, app data, hosting, extra tags, enrollments", async function () {
        const name = `${P}.planted.id`;
        const o = owner("planted-id");
        const policy = await env.rest.send("POST", "auth-policies", {
            name: `${P}.planted.policy`,
            primary: {
                cert: { allowed: true, allowExpiredCerts: true },
                extJwt: { allowed: false, allowedSigners: [] },
                updb: { allowed: true, lockoutDurationMinutes: 0, maxAttempts: 0, minPasswordLength: 5, requireMixedCase: false, requireNumberChar: false, requireSpecialChar: false },
            },
            secondary: { requireTotp: false },
        });
        assert.ok([200, 201].includes(policy.status), JSON.stringify(policy.json));
        const planted = await env.rest.send("POST", "identities", {
            name,
            type: "Default",
            isAdmin: false,
            roleAttributes: ["planted"],
            authPolicyId: policy.json.data.id,
            externalId: `${P}-ext`,
            appData: { planted: "yes" },
            defaultHostingCost: 77,
            defaultHostingPrecedence: "required",
            tags: { ...tagsOf(o), planter: "was-here" },
            enrollment: { updb: `${P}-planter` },
        });
        assert.ok([200, 201].includes(planted.status), JSON.stringify(planted.json));
        const id = planted.json.data.id;
        try {
            const { id: got, outs } = await identityProvider.create({ name, roleAttributes: ["mine"], owner: o });
            assert.strictEqual(got, id, "adopted");
            const live = (await env.rest.get(`identities/${id}`)).json.data;
            assert.strictEqual(live.authPolicyId, "default");
            assert.ok(live.externalId === null || live.externalId === undefined, `externalId ${live.externalId}`);
            assert.deepStrictEqual(live.appData ?? {}, {});
            assert.strictEqual(live.defaultHostingCost, 0);
            assert.strictEqual(live.defaultHostingPrecedence, "default");
            assert.deepStrictEqual(live.tags, tagsOf(o), "only the owner tags");
            assert.deepStrictEqual(live.roleAttributes, ["mine"]);
            const enrollments = (await env.rest.get(`identities/${id}/enrollments`)).json.data;
            assert.deepStrictEqual(enrollments.map((x: any) => x.method), [], "the planted updb enrollment is gone (the provider enrolled its own ott)");
            const login = await certLogin(outs.identityJson, name);
            assert.ok(login.ok, login.why);

            // Drift of a field the program never sets shows in read/diff and the update undoes it.
            assert.strictEqual((await env.rest.send("PATCH", `identities/${id}`, { externalId: `${P}-drift`, tags: { ...tagsOf(o), drift: "1" } })).status, 200);
            const r = await any(identityProvider).read(id, outs);
            assert.strictEqual(r.props.externalId, `${P}-drift`);
            const inputs = { name, roleAttributes: ["mine"], owner: o };
            const d = await any(identityProvider).diff(id, r.props, inputs);
            assert.strictEqual(d.changes, true);
            assert.ok(!d.stables.includes("externalId") && !d.stables.includes("tags"), `externalId and tags changed: stables ${d.stables}`);
            await any(identityProvider).update(id, r.props, inputs);
            const fixed = (await env.rest.get(`identities/${id}`)).json.data;
            assert.ok(fixed.externalId === null || fixed.externalId === undefined, `externalId ${fixed.externalId}`);
            assert.deepStrictEqual(fixed.tags, tagsOf(o));
        } finally {
            await env.rest.send("DELETE", `identities/${id}`);
            await env.rest.send("DELETE", `auth-policies/${policy.json.data.id}`);
        }
    });

    it("refuses to adopt a service whose encryptionRequired is false, naming the field, and leaves it as it is", async function () {
        const name = `${P}.plaintext.svc`;
        const o = owner("plaintext-svc");
        const made = await env.rest.send("POST", "services", { name, encryptionRequired: false, tags: o && tagsOf(o) });
        const sid = made.json.data.id;
        try {
            const e = await rejects(serviceProvider.create({ name, owner: o }));
            assert.ok(e instanceof ZitiConflictError, String(e));
            assert.match(e.message, /encryptionRequired is false on the controller/);
            assert.strictEqual((await env.rest.get(`services/${sid}`)).json.data.encryptionRequired, false);
        } finally {
            await env.rest.send("DELETE", `services/${sid}`);
        }
    });

    it("adopting a service resets its idle timeout and extra tags", async function () {
        const name = `${P}.idle.svc`;
        const o = owner("idle-svc");
        const made = await env.rest.send("POST", "services", { name, encryptionRequired: true, maxIdleTimeMillis: 5000, tags: { ...tagsOf(o), planter: "x" } });
        const sid = made.json.data.id;
        try {
            const { id, outs } = await serviceProvider.create({ name, owner: o });
            assert.strictEqual(id, sid);
            const live = (await env.rest.get(`services/${sid}`)).json.data;
            assert.strictEqual(live.maxIdleTimeMillis, 0);
            assert.deepStrictEqual(live.tags, tagsOf(o));
            assert.deepStrictEqual(outs.tags, tagsOf(o));
        } finally {
            await env.rest.send("DELETE", `services/${sid}`);
        }
    });

    it("refuses to adopt a config of another type, naming configType", async function () {
        const name = `${P}.typed.cfg`;
        const o = owner("typed-cfg");
        const types = (await env.rest.get(`config-types?filter=${encodeURIComponent('name="host.v1"')}`)).json.data;
        const made = await env.rest.send("POST", "configs", { name, configTypeId: types[0].id, data: { protocol: "tcp", address: "127.0.0.1", port: 80 }, tags: tagsOf(o) });
        try {
            assert.ok([200, 201].includes(made.status), JSON.stringify(made.json));
            const e = await rejects(configProvider.create({ name, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["a.ziti"], portRanges: [{ low: 80, high: 80 }] }, owner: o }));
            assert.ok(e instanceof ZitiConflictError, String(e));
            assert.match(e.message, /configType is "host.v1" on the controller/);
        } finally {
            await env.rest.send("DELETE", `configs/${made.json.data.id}`);
        }
    });
});
