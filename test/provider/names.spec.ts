// Hostile names and ids against the real controller, through the providers (fast-check, bounded runs): every name
// the provider accepts round-trips (create, the same-name check finds it, `@name` resolves to it, delete), every
// name it rejects fails before any write, and an id is either refused before any request or addresses exactly
// its own entity. Writes are counted in the controller's own view (each collection's totalCount).
import * as assert from "assert";
import fc from "fast-check";
import { configProvider, servicePolicyProvider, serviceProvider, ZitiInvalidIdError, ZitiValidationError } from "../../provider";
import { clientNow } from "../../provider/crud";
import { isZitiId } from "../../provider/names";
import { hostileString } from "../helpers/hostile";
import { Rest, uniquePrefix, useControllerEnv } from "../helpers/zitiController";

const P = uniquePrefix("n");
const prov = (p: any) => p as Required<typeof serviceProvider>;

/** Entities in `collection` as the controller counts them. */
async function total(rest: Rest, collection: string): Promise<number> {
    const r = await rest.get(`${collection}?limit=1`);
    assert.strictEqual(r.status, 200);
    return r.json.meta.pagination.totalCount;
}

describe("ziti provider: hostile names and ids against a real controller (property-based)", function () {
    const env = useControllerEnv(P, serviceProvider);
    let n = 0;

    /** One name through the providers: rejected before any write, or a full round trip. */
    async function roundTrip(name: string): Promise<void> {
        const inputs = { name, scrapeable: false };
        const before = [await total(env.rest, "services"), await total(env.rest, "service-policies")];
        const check = await prov(serviceProvider).check({}, inputs);
        if (check.failures!.length > 0) {
            await assert.rejects(serviceProvider.create(inputs), ZitiValidationError, `create of rejected ${JSON.stringify(name)}`);
            const policy = { name: `${P}.refused.sp`, type: "Dial", serviceRoles: [`@${name}`], identityRoles: ["#x"] };
            if ((await prov(servicePolicyProvider).check({}, policy)).failures!.length === 0) {
                // `@name` of a rejected name can still be a valid id: then it must resolve to nothing, before any write.
                assert.ok(isZitiId(name), `@${JSON.stringify(name)} accepted although the name is not`);
                await assert.rejects(servicePolicyProvider.create(policy), ZitiValidationError);
            } else {
                await assert.rejects(servicePolicyProvider.create(policy), ZitiValidationError);
            }
            assert.deepStrictEqual([await total(env.rest, "services"), await total(env.rest, "service-policies")], before, `a write for rejected ${JSON.stringify(name)}`);
            return;
        }
        const { id, outs } = await serviceProvider.create(inputs);
        let policyId: string | undefined;
        try {
            assert.strictEqual(outs.name, name, "the controller stores the name as given");
            const live = (await env.rest.get(`services/${id}`)).json.data;
            assert.strictEqual(live.name, name);
            // Found by name through the provider's own filter (the same-name check and `@name` resolution use it).
            const found = await clientNow().findBy("services", "name", name);
            assert.deepStrictEqual(found.map((e: any) => e.id), [id], `findBy ${JSON.stringify(name)}`);
            // A second resource of that name makes no second entity.
            const again = await serviceProvider.create(inputs).then((r) => r.id, () => id);
            assert.strictEqual(again, id, "a second entity with the same name");
            assert.strictEqual(await total(env.rest, "services"), before[0] + 1);
            // `@name` resolves to exactly this entity and reads back as written.
            const sp = await servicePolicyProvider.create({ name: `${P}.${++n}.sp`, type: "Dial", serviceRoles: [`@${name}`], identityRoles: ["#x"] });
            policyId = sp.id;
            assert.deepStrictEqual((await env.rest.get(`service-policies/${sp.id}`)).json.data.serviceRoles, [`@${id}`]);
            assert.deepStrictEqual(sp.outs.serviceRoles, [`@${name}`]);
        } finally {
            if (policyId) await prov(servicePolicyProvider).delete(policyId, {});
            await prov(serviceProvider).delete(id, outs);
        }
        assert.strictEqual((await env.rest.get(`services/${id}`)).status, 404);
        assert.deepStrictEqual([await total(env.rest, "services"), await total(env.rest, "service-policies")], before);
    }

    it("names from the issue: back\\nslash.svc and @. ", async function () {
        await roundTrip("back\\nslash.svc"); // rejected before any write
        await roundTrip(`${P}.quote".svc`); // accepted: round-trips
        await roundTrip(`${P}.名前.🙂`);
        await roundTrip("."); // a name "." is fine; `@.` resolves by name, never as a URL
    });

    it("a config type name goes through the same rule before it reaches a filter", async function () {
        for (const configType of ["intercept.v1\u0000", "host\\nv1"]) {
            const inputs = { name: `${P}.ct.cfg`, configType, data: {} };
            assert.strictEqual((await prov(configProvider).check({}, inputs)).failures![0].property, "configType");
            await assert.rejects(configProvider.create(inputs), (e: Error) => e instanceof ZitiValidationError && /configType/.test(e.message));
        }
    });

    it("generated names: accepted ones round-trip, rejected ones fail before any write", async function () {
        this.timeout(300_000);
        await fc.assert(
            fc.asyncProperty(hostileString(), fc.boolean(), async (s, prefixed) => roundTrip(prefixed ? `${P}.${s}` : s)),
            { numRuns: 25, endOnFailure: true },
        );
    });

    it("generated ids: refused before any request, or read addresses exactly that entity", async function () {
        this.timeout(300_000);
        const { id: realId, outs } = await serviceProvider.create({ name: `${P}.idtarget.svc`, scrapeable: false });
        try {
            await fc.assert(
                fc.asyncProperty(fc.oneof(hostileString(40), fc.constant(realId), fc.constantFrom(".", "..", "", "%2e", "a/b")), async (id) => {
                    const before = await total(env.rest, "services");
                    if (!isZitiId(id)) {
                        await assert.rejects(prov(serviceProvider).read(id, {}), ZitiInvalidIdError, JSON.stringify(id));
                        await assert.rejects(prov(serviceProvider).update(id, {}, { name: `${P}.x.svc`, scrapeable: false }), ZitiInvalidIdError);
                        await assert.rejects(prov(serviceProvider).delete(id, {}), ZitiInvalidIdError);
                        assert.strictEqual(await total(env.rest, "services"), before);
                        return;
                    }
                    const r = await prov(serviceProvider).read(id, {});
                    // Either exactly the entity of that id, or gone: never a made-up entity adopted from a list.
                    if (id === realId) assert.strictEqual(r.id, realId);
                    else assert.strictEqual(r.id, "", `read(${JSON.stringify(id)}) found something`);
                }),
                { numRuns: 40, endOnFailure: true },
            );
            // `@<id>` resolves the entity by id.
            const sp = await servicePolicyProvider.create({ name: `${P}.byid.sp`, type: "Bind", serviceRoles: [`@${realId}`], identityRoles: ["#x"] });
            assert.deepStrictEqual((await env.rest.get(`service-policies/${sp.id}`)).json.data.serviceRoles, [`@${realId}`]);
            await prov(servicePolicyProvider).delete(sp.id, {});
        } finally {
            await prov(serviceProvider).delete(realId, outs);
        }
    });
});
