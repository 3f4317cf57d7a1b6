// The six Ziti kinds through their providers' create/read/diff/update/delete against a real controller,
// with the controller's own view checked after each step.
import * as assert from "assert";
import {
    configProvider,
    edgeRouterPolicyProvider,
    identityProvider,
    serviceEdgeRouterPolicyProvider,
    servicePolicyProvider,
    serviceProvider,
} from "../../provider";
import { uniquePrefix, useControllerEnv } from "../helpers/zitiController";
import { loopbackProxyV1 } from "../../flavors/upstream/zitiEntities";

const P = uniquePrefix("k");

/** Calls a provider method that the ResourceProvider type marks optional. */
const p = {
    read: (prov: any, id: string, props: any) => prov.read(id, props),
    diff: (prov: any, id: string, olds: any, news: any) => prov.diff(id, olds, news),
    update: (prov: any, id: string, olds: any, news: any) => prov.update(id, olds, news),
    del: (prov: any, id: string, props: any = {}) => prov.delete(id, props),
};

describe("ziti provider: the six kinds against a real controller", function () {
    const env = useControllerEnv(P, identityProvider);

    describe("Identity", function () {
        it("creates with role attributes as a set, diffs reordering as no change, renames in place, deletes", async function () {
            const inputs = { name: `${P}.one.id`, roleAttributes: ["b-clients", "a-clients"], enroll: false };
            const { id, outs } = await identityProvider.create(inputs);
            const live = (await env.rest.get(`identities/${id}`)).json.data;
            assert.strictEqual(live.name, inputs.name);
            assert.deepStrictEqual([...live.roleAttributes].sort(), ["a-clients", "b-clients"]);
            assert.ok(["Device", "Default"].includes(live.type.name), `type ${live.type.name}`);
            assert.strictEqual(outs.type, "Device", "state keeps the type as written (the controller files Device as Default)");
            assert.deepStrictEqual(outs.roleAttributes, ["a-clients", "b-clients"]);

            const same = await p.diff(identityProvider, id, outs, { ...inputs, roleAttributes: ["a-clients", "b-clients", "a-clients"] });
            assert.strictEqual(same.changes, false);

            const renamed = { ...inputs, name: `${P}.renamed.id`, roleAttributes: ["a-clients", "c-clients"] };
            const d = await p.diff(identityProvider, id, outs, renamed);
            assert.strictEqual(d.changes, true);
            assert.deepStrictEqual(d.replaces, []);
            const { outs: outs2 } = await p.update(identityProvider, id, outs, renamed);
            const live2 = (await env.rest.get(`identities/${id}`)).json.data;
            assert.strictEqual(live2.id, id, "rename is in place: same id");
            assert.strictEqual(live2.name, renamed.name);
            assert.deepStrictEqual([...live2.roleAttributes].sort(), ["a-clients", "c-clients"]);
            assert.deepStrictEqual(outs2.roleAttributes, ["a-clients", "c-clients"]);

            const read = await p.read(identityProvider, id, outs2);
            assert.strictEqual(read.id, id);
            assert.strictEqual(read.props.name, renamed.name);

            await p.del(identityProvider, id, outs2);
            assert.strictEqual((await env.rest.get(`identities/${id}`)).status, 404);
        });

        it("replaces (delete first) when switching enroll mode", async function () {
            const outs = { name: `${P}.x.id`, type: "Device", roleAttributes: [], isAdmin: false, enroll: false, enrollmentJwt: "j", identityJson: "" };
            const d = await p.diff(identityProvider, "someid", outs, { name: outs.name, enroll: true });
            assert.deepStrictEqual(d.replaces, ["enroll"]);
            assert.strictEqual(d.deleteBeforeReplace, true);
        });
    });

    describe("Config", function () {
        it("creates intercept.v1 and host.v1, patches data in place, replaces on a config type change", async function () {
            const intercept = {
                name: `${P}.reflect.intercept`,
                configType: "intercept.v1",
                data: { protocols: ["tcp"], addresses: ["reflect.ziti"], portRanges: [{ low: 80, high: 80 }] },
            };
            const c1 = await configProvider.create(intercept);
            const live = (await env.rest.get(`configs/${c1.id}`)).json.data;
            assert.strictEqual(live.configType.name, "intercept.v1");
            assert.deepStrictEqual(live.data, intercept.data);
            assert.strictEqual(c1.outs.configTypeId, live.configTypeId);

            const host = { name: `${P}.reflect.host`, configType: "host.v1", data: { protocol: "tcp", address: "127.0.0.1", port: 8080 } };
            const c2 = await configProvider.create(host);
            assert.deepStrictEqual((await env.rest.get(`configs/${c2.id}`)).json.data.data, host.data);

            const newData = { ...host, data: { protocol: "tcp", address: "reflect.default.svc", port: 9090, listenOptions: { bindUsingEdgeIdentity: true } } };
            assert.strictEqual((await p.diff(configProvider, c2.id, c2.outs, host)).changes, false);
            const d = await p.diff(configProvider, c2.id, c2.outs, newData);
            assert.strictEqual(d.changes, true);
            assert.deepStrictEqual(d.replaces, []);
            const u = await p.update(configProvider, c2.id, c2.outs, newData);
            assert.deepStrictEqual((await env.rest.get(`configs/${c2.id}`)).json.data.data, newData.data);
            assert.deepStrictEqual(u.outs.data, newData.data);

            const r = await p.diff(configProvider, c1.id, c1.outs, { ...intercept, configType: "host.v1", data: host.data });
            assert.deepStrictEqual(r.replaces, ["configType"]);
            assert.strictEqual(r.deleteBeforeReplace, true);

            await p.del(configProvider, c1.id);
            await p.del(configProvider, c2.id);
            assert.strictEqual((await env.rest.get(`configs/${c1.id}`)).status, 404);
        });

        it("creates proxy.v1 (the loopback binding an admin's tunnel listens on) as the controller's schema wants it", async function () {
            const proxy = { name: `${P}.k8s.proxy`, configType: "proxy.v1", data: loopbackProxyV1(20001) };
            const c = await configProvider.create(proxy);
            const live = (await env.rest.get(`configs/${c.id}`)).json.data;
            assert.strictEqual(live.configType.name, "proxy.v1");
            assert.deepStrictEqual(live.data, { binding: "127.0.0.1", port: 20001, protocols: ["tcp"] });
            await p.del(configProvider, c.id);
        });

        it("accepts the raw form naming any config type the controller knows", async function () {
            const raw = { name: `${P}.raw.host2`, configType: "host.v2", data: { terminators: [{ protocol: "tcp", address: "localhost", port: 9100 }] } };
            const c = await configProvider.create(raw);
            const live = (await env.rest.get(`configs/${c.id}`)).json.data;
            assert.strictEqual(live.configType.name, "host.v2");
            assert.deepStrictEqual(live.data, raw.data);
            await p.del(configProvider, c.id);
        });
    });

    describe("Service, policies", function () {
        it("wires a service with configs, Bind/Dial policies by @name and #attribute, edge router policies", async function () {
            const cfg = await configProvider.create({ name: `${P}.web.host`, configType: "host.v1", data: { protocol: "tcp", address: "127.0.0.1", port: 80 } });
            const svcIn = { name: `${P}.web.svc`, configs: [cfg.id], roleAttributes: ["web"] };
            const svc = await serviceProvider.create(svcIn);
            const liveSvc = (await env.rest.get(`services/${svc.id}`)).json.data;
            assert.deepStrictEqual(liveSvc.configs, [cfg.id]);
            assert.strictEqual(liveSvc.encryptionRequired, true);
            assert.deepStrictEqual(svc.outs, { ...svcIn, encryptionRequired: true, terminatorStrategy: "smartrouting", scrapeable: true, maxIdleTimeMillis: 0, tags: {} });

            const host = await identityProvider.create({ name: `${P}.web.host.id`, enroll: false });
            const client = await identityProvider.create({ name: `${P}.web.client.id`, roleAttributes: ["web-clients"], enroll: false });

            const bindIn = { name: `${P}.web.bind`, type: "Bind", serviceRoles: [`@${svcIn.name}`], identityRoles: [`@${P}.web.host.id`] };
            const bind = await servicePolicyProvider.create(bindIn);
            const liveBind = (await env.rest.get(`service-policies/${bind.id}`)).json.data;
            assert.deepStrictEqual(liveBind.serviceRoles, [`@${svc.id}`], "the controller holds @id");
            assert.deepStrictEqual(liveBind.identityRoles, [`@${host.id}`]);
            assert.strictEqual(liveBind.type, "Bind");
            assert.deepStrictEqual(bind.outs.serviceRoles, [`@${svcIn.name}`], "state keeps the roles as written");

            const dialIn = { name: `${P}.web.dial`, type: "Dial", semantic: "AnyOf", serviceRoles: ["#web"], identityRoles: ["#web-clients", `@${P}.web.host.id`] };
            const dial = await servicePolicyProvider.create(dialIn);
            const liveDial = (await env.rest.get(`service-policies/${dial.id}`)).json.data;
            assert.deepStrictEqual([...liveDial.identityRoles].sort(), ["#web-clients", `@${host.id}`].sort());
            assert.strictEqual(liveDial.semantic, "AnyOf");

            // Role lists are sets: reordering is no change; a removed role is an in-place PATCH.
            const reordered = { ...dialIn, identityRoles: [`@${P}.web.host.id`, "#web-clients"] };
            assert.strictEqual((await p.diff(servicePolicyProvider, dial.id, dial.outs, reordered)).changes, false);
            const narrowed = { ...dialIn, identityRoles: ["#web-clients"] };
            const d = await p.diff(servicePolicyProvider, dial.id, dial.outs, narrowed);
            assert.strictEqual(d.changes, true);
            assert.deepStrictEqual(d.replaces, []);
            await p.update(servicePolicyProvider, dial.id, dial.outs, narrowed);
            assert.deepStrictEqual((await env.rest.get(`service-policies/${dial.id}`)).json.data.identityRoles, ["#web-clients"]);

            // The controller's policy advisor agrees the client may dial the service.
            const advice = (await env.rest.get(`identities/${client.id}/policy-advice/${svc.id}`)).json.data;
            assert.strictEqual(advice.isDialAllowed, true);

            const erpIn = { name: `${P}.web.erp`, edgeRouterRoles: ["#all"], identityRoles: ["#web-clients", `@${P}.web.host.id`], semantic: "AnyOf" };
            const erp = await edgeRouterPolicyProvider.create(erpIn);
            const liveErp = (await env.rest.get(`edge-router-policies/${erp.id}`)).json.data;
            assert.deepStrictEqual(liveErp.edgeRouterRoles, ["#all"]);
            assert.deepStrictEqual([...liveErp.identityRoles].sort(), ["#web-clients", `@${host.id}`].sort());
            const readErp = await p.read(edgeRouterPolicyProvider, erp.id, erp.outs);
            assert.deepStrictEqual(readErp.props.identityRoles, [...erpIn.identityRoles].sort(), "read maps @id back to @name");

            const serpIn = { name: `${P}.web.serp`, edgeRouterRoles: ["#all"], serviceRoles: [`@${svcIn.name}`] };
            const serp = await serviceEdgeRouterPolicyProvider.create(serpIn);
            const liveSerp = (await env.rest.get(`service-edge-router-policies/${serp.id}`)).json.data;
            assert.deepStrictEqual(liveSerp.serviceRoles, [`@${svc.id}`]);
            assert.strictEqual(liveSerp.semantic, "AllOf");
            const serpRenamed = { ...serpIn, name: `${P}.web.serp2` };
            await p.update(serviceEdgeRouterPolicyProvider, serp.id, serp.outs, serpRenamed);
            assert.strictEqual((await env.rest.get(`service-edge-router-policies/${serp.id}`)).json.data.name, serpRenamed.name);

            // Service rename in place and attribute change.
            const svcRenamed = { ...svcIn, name: `${P}.web2.svc`, roleAttributes: ["web", "extra"] };
            const sd = await p.diff(serviceProvider, svc.id, svc.outs, svcRenamed);
            assert.strictEqual(sd.changes, true);
            assert.deepStrictEqual(sd.replaces, []);
            await p.update(serviceProvider, svc.id, svc.outs, svcRenamed);
            const liveSvc2 = (await env.rest.get(`services/${svc.id}`)).json.data;
            assert.strictEqual(liveSvc2.name, svcRenamed.name);
            assert.deepStrictEqual([...liveSvc2.roleAttributes].sort(), ["extra", "web"]);

            for (const [prov, id] of [
                [serviceEdgeRouterPolicyProvider, serp.id],
                [edgeRouterPolicyProvider, erp.id],
                [servicePolicyProvider, dial.id],
                [servicePolicyProvider, bind.id],
                [identityProvider, client.id],
                [identityProvider, host.id],
                [serviceProvider, svc.id],
                [configProvider, cfg.id],
            ] as const) {
                await p.del(prov, id);
            }
        });
    });
});
