// Drift and out-of-band deletion, refusal of a same-name entity (of every kind: the controller refuses the POST, then
// the provider looks the name up), a remembered role id gone from the controller resolved again, delete tolerant of
// 404, and local validation errors that name the resource and field before anything is written.
import * as assert from "assert";
import { configProvider, edgeRouterPolicyProvider, identityProvider, serviceEdgeRouterPolicyProvider, servicePolicyProvider, serviceProvider } from "../../provider";
import { ZitiConflictError, ZitiValidationError } from "../../provider/crud";
import { ControllerEnv, leftovers, uniquePrefix, useControllerEnv } from "../helpers/zitiController";

const P = uniquePrefix("l");
let env: ControllerEnv;
const any = (x: unknown) => x as any;

/**
 * What a failed create could have written: anything named with this file's prefix, and every service, config and
 * service policy (the quickstart router registers its own identity and policies meanwhile, so no global count).
 */
async function countAll(): Promise<number> {
    let n = (await leftovers(env.rest, P)).length;
    for (const c of ["services", "configs", "service-policies"]) n += (await env.rest.get(`${c}?limit=1`)).json.meta.pagination.totalCount;
    return n;
}

/** Asserts `fn` rejects with a ZitiValidationError whose message names the resource and each fragment, and wrote nothing. */
async function rejectsLocally(fn: () => Promise<unknown>, ...fragments: string[]): Promise<ZitiValidationError> {
    const before = await countAll();
    let caught: unknown;
    try {
        await fn();
    } catch (e) {
        caught = e;
    }
    assert.ok(caught instanceof ZitiValidationError, `expected a ZitiValidationError, got ${caught}`);
    for (const f of fragments) assert.ok(caught.message.includes(f), `"${caught.message}" should mention ${f}`);
    assert.strictEqual(await countAll(), before, "nothing was written to the controller");
    return caught;
}

describe("ziti provider: drift, conflicts, validation", function () {
    env = useControllerEnv(P, serviceProvider);

    it("read shows out-of-band changes as drift and update puts them back", async function () {
        const inputs = { name: `${P}.drift.svc`, roleAttributes: ["a", "b"] };
        const { id, outs } = await serviceProvider.create(inputs);
        try {
            const patched = await env.rest.send("PATCH", `services/${id}`, { roleAttributes: ["a", "intruder"], terminatorStrategy: "random" });
            assert.strictEqual(patched.status, 200);
            const r = await any(serviceProvider).read(id, outs);
            assert.strictEqual(r.id, id);
            assert.deepStrictEqual(r.props.roleAttributes, ["a", "intruder"]);
            assert.strictEqual(r.props.terminatorStrategy, "random");
            const d = await any(serviceProvider).diff(id, r.props, inputs);
            assert.strictEqual(d.changes, true);
            assert.deepStrictEqual(d.replaces, []);
            await any(serviceProvider).update(id, r.props, inputs);
            const live = (await env.rest.get(`services/${id}`)).json.data;
            assert.deepStrictEqual([...live.roleAttributes].sort(), ["a", "b"]);
            assert.strictEqual(live.terminatorStrategy, "smartrouting");
            // The controller does not change encryptionRequired in place: that is a replacement.
            const enc = await any(serviceProvider).diff(id, outs, { ...inputs, encryptionRequired: false });
            assert.deepStrictEqual(enc.replaces, ["encryptionRequired"]);
            assert.strictEqual(enc.deleteBeforeReplace, true);
        } finally {
            await any(serviceProvider).delete(id, outs);
        }
    });

    it("read reports an entity deleted out of band as gone, and delete tolerates it", async function () {
        for (const [prov, inputs, collection] of [
            [serviceProvider, { name: `${P}.gone.svc` }, "services"],
            [identityProvider, { name: `${P}.gone.id`, enroll: false }, "identities"],
            [configProvider, { name: `${P}.gone.cfg`, configType: "host.v1", data: { protocol: "tcp", address: "x", port: 1 } }, "configs"],
        ] as const) {
            const { id, outs } = await any(prov).create(inputs);
            assert.strictEqual((await env.rest.send("DELETE", `${collection}/${id}`)).status, 200);
            const r = await any(prov).read(id, outs);
            assert.ok(!r.id, `${collection}: read of a deleted entity returns no id (the engine then recreates it)`);
            await any(prov).delete(id, outs); // already gone: no error
        }
    });

    it("refuses to create over an existing entity of the same name and says how to adopt it", async function () {
        const made = await env.rest.send("POST", "services", { name: `${P}.taken.svc`, encryptionRequired: true });
        assert.ok([200, 201].includes(made.status), `POST services: ${made.status}`);
        const existingId = made.json.data.id;
        try {
            await assert.rejects(
                () => serviceProvider.create({ name: `${P}.taken.svc` }),
                (e: any) => {
                    assert.ok(e instanceof ZitiConflictError);
                    assert.match(e.message, /already exists/);
                    assert.ok(e.message.includes(`ziti:Service "${P}.taken.svc"`));
                    assert.ok(e.message.includes(`id ${existingId}, owned by nobody (no owner tags)`));
                    // No owner input (a resource from before owners): no adoption advice, only delete or rename.
                    assert.match(e.message, /Delete or rename it\.$/);
                    return true;
                },
            );
            assert.strictEqual((await env.rest.named("services", `${P}.taken.svc`)).length, 1, "not duplicated");
            // With an owner, the refusal says how to hand the entity over: tag it as this resource's.
            const owner = { project: "p", stack: "s", resource: "taken-svc", ownerId: "0123456789abcdef0123456789abcdef" };
            const e2 = await serviceProvider.create({ name: `${P}.taken.svc`, owner } as any).then(() => undefined, (x) => x);
            assert.ok(e2 instanceof ZitiConflictError);
            assert.ok(e2.message.includes(`ziti edge update service "${P}.taken.svc" --tags-json '{"pulumiProject":"p","pulumiStack":"s","pulumiResource":"taken-svc","pulumiOwnerId":"0123456789abcdef0123456789abcdef"}'`), e2.message);
            // Adoption: read by id works with no prior state.
            const r = await any(serviceProvider).read(existingId, {});
            assert.strictEqual(r.props.name, `${P}.taken.svc`);
        } finally {
            await env.rest.send("DELETE", `services/${existingId}`);
        }
    });

    it("refuses a same-name entity of every kind: the controller refuses the POST, nothing is made, the message names its id", async function () {
        const hostV1 = (await env.rest.get(`config-types?filter=${encodeURIComponent('name="host.v1"')}`)).json.data[0].id;
        const data = { protocol: "tcp", address: "127.0.0.1", port: 80 };
        const cases: [string, any, Record<string, unknown>, Record<string, unknown>][] = [
            ["identities", identityProvider, { type: "Device", isAdmin: false }, { enroll: false }],
            ["configs", configProvider, { configTypeId: hostV1, data }, { configType: "host.v1", data }],
            ["services", serviceProvider, { encryptionRequired: true }, {}],
            ["service-policies", servicePolicyProvider, { type: "Dial", semantic: "AnyOf", serviceRoles: ["#x"], identityRoles: ["#y"] }, { type: "Dial", serviceRoles: ["#x"], identityRoles: ["#y"] }],
            ["edge-router-policies", edgeRouterPolicyProvider, { semantic: "AnyOf", edgeRouterRoles: ["#all"], identityRoles: ["#y"] }, { edgeRouterRoles: ["#all"], identityRoles: ["#y"] }],
            ["service-edge-router-policies", serviceEdgeRouterPolicyProvider, { semantic: "AnyOf", edgeRouterRoles: ["#all"], serviceRoles: ["#x"] }, { edgeRouterRoles: ["#all"], serviceRoles: ["#x"] }],
        ];
        const owner = { project: "p", stack: "s", resource: "clash", ownerId: "0123456789abcdef0123456789abcdef" };
        for (const [collection, prov, body, args] of cases) {
            const name = `${P}.clash.${collection}`;
            const made = await env.rest.send("POST", collection, { name, ...body });
            const existingId = made.json?.data?.id;
            assert.ok(existingId, `${collection}: made out of band: ${JSON.stringify(made.json)}`);
            try {
                const e = await prov.create({ name, ...args, owner }).then(() => undefined, (x: unknown) => x);
                assert.ok(e instanceof ZitiConflictError, `${collection}: ${e}`);
                assert.strictEqual(e.existingId, existingId, `${collection}: the refusal names the entity that has the name`);
                const live = (await env.rest.named(collection, name)).filter((x: any) => x.name === name);
                assert.deepStrictEqual(live.map((x: any) => [x.id, x.tags]), [[existingId, {}]], `${collection}: one entity, untouched`);
            } finally {
                await env.rest.send("DELETE", `${collection}/${existingId}`);
            }
        }
    });

    it("a role naming an entity this process made, deleted and made again out of band, is resolved again by name", async function () {
        const name = `${P}.remade.svc`;
        const first = await serviceProvider.create({ name });
        // Behind the provider's back: the entity goes, another of the same name comes, with another id.
        await env.rest.send("DELETE", `services/${first.id}`);
        const again = await env.rest.send("POST", "services", { name, encryptionRequired: true });
        const newId = again.json.data.id;
        assert.notStrictEqual(newId, first.id);
        try {
            const p = await servicePolicyProvider.create({ name: `${P}.remade.dial`, type: "Dial", serviceRoles: [`@${name}`], identityRoles: ["#nobody"] });
            const live = (await env.rest.get(`service-policies/${p.id}`)).json.data;
            assert.deepStrictEqual(live.serviceRoles, [`@${newId}`], "the policy names the entity the controller holds now, not the remembered id");
            await any(servicePolicyProvider).delete(p.id, p.outs);
        } finally {
            await env.rest.send("DELETE", `services/${newId}`);
        }
    });

    it("rejects bad input locally, naming the resource and the field, before any write", async function () {
        await rejectsLocally(() => serviceProvider.create({ name: "" }), 'ziti:Service "', "name: must be a non-empty string");
        await rejectsLocally(() => serviceProvider.create({ name: `${P}-reflect.svc` }), `ziti:Service "${P}-reflect.svc"`, "name:", 'contains "-"');
        await rejectsLocally(
            () => servicePolicyProvider.create({ name: `${P}.p`, type: "Dial", serviceRoles: ["reflect.svc"], identityRoles: ["#ok"] }),
            `ziti:ServicePolicy "${P}.p"`,
            "serviceRoles[0]",
            "is not a role",
        );
        await rejectsLocally(
            () => servicePolicyProvider.create({ name: `${P}.p`, type: "Listen", serviceRoles: ["#a"], identityRoles: ["#b"] }),
            "type:",
            "Dial or Bind",
        );
        await rejectsLocally(
            () => servicePolicyProvider.create({ name: `${P}.p`, type: "Dial", serviceRoles: ["#a"], identityRoles: [`@${P}.nobody`] }),
            `ziti:ServicePolicy "${P}.p"`,
            "identityRoles",
            `no identity named "${P}.nobody"`,
        );
        await rejectsLocally(
            () => configProvider.create({ name: `${P}.c`, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: [], portRanges: [{ low: 80, high: 80 }] } }),
            `ziti:Config "${P}.c"`,
            "data.addresses",
        );
        await rejectsLocally(
            () => configProvider.create({ name: `${P}.c`, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["a.ziti"], portRanges: [{ low: 90, high: 80 }] } }),
            "data.portRanges[0]",
            "low 90 is greater than high 80",
        );
        await rejectsLocally(() => configProvider.create({ name: `${P}.c`, configType: "nope.v9", data: {} }), "configType", 'unknown config type "nope.v9"', "intercept.v1");
        await rejectsLocally(() => configProvider.create({ name: `${P}.c`, configType: "host.v1", data: { protocol: "sctp", address: "x", port: 70000 } }), "data.protocol", "data.port");
        await rejectsLocally(() => configProvider.create({ name: `${P}.c`, configType: "proxy.v1", data: { port: 0, protocols: ["sctp"], binding: "" } }),
            "data.port", "data.protocols[0]", "data.binding");
        await rejectsLocally(() => identityProvider.create({ name: `${P}.i`, roleAttributes: ["#hash"] }), "roleAttributes[0]", "without the leading");
        // A service that is not scraped may have "-" in its name.
        const ok = await serviceProvider.create({ name: `${P}-ui.svc`, scrapeable: false });
        await any(serviceProvider).delete(ok.id, ok.outs);
    });

    it("check reports the same failures per field for the engine, and passes unknown values in preview", async function () {
        const c = await any(serviceProvider).check({}, { name: "kubeA-reflect.svc" });
        assert.deepStrictEqual(
            c.failures.map((f: any) => f.property),
            ["name"],
        );
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const u = await any(servicePolicyProvider).check({}, { name: unknown, type: "Dial", serviceRoles: [unknown], identityRoles: ["#a"] });
        assert.deepStrictEqual(u.failures, []);
        const d = await any(servicePolicyProvider).diff("x", { name: "a", type: "Dial", semantic: "AllOf", serviceRoles: ["#a"], identityRoles: ["#a"], postureCheckRoles: [] }, {
            name: "a",
            type: "Dial",
            serviceRoles: [unknown],
            identityRoles: ["#a"],
        });
        assert.strictEqual(d.changes, true);
    });
});
