// The resource classes: type tokens `pulumi-nodejs:dynamic/ziti:<Kind>`, every state field registered as an
// output, and the serialized provider in `__provider` (checked under Pulumi mocks, no engine needed).
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";

describe("ziti resource classes", function () {
    const seen: pulumi.runtime.MockResourceArgs[] = [];
    let ziti: typeof import("../../provider");

    before(async function () {
        this.timeout(60_000);
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    seen.push(args);
                    return { id: `${args.name}-id`, state: { ...args.inputs, identityJson: "{}", enrollmentJwt: "" } };
                },
                call: (args) => args.inputs,
            },
            "scrape-anywhere",
            "test",
        );
        ziti = await import("../../provider");
    });

    it("registers each kind with its dynamic/ziti token and outputs", async function () {
        this.timeout(60_000);
        const made = [
            new ziti.Identity("i", { name: "kubeA.reflect.id", roleAttributes: ["reflectz-clients"] }),
            new ziti.Config("c", { name: "kubeA.reflect.intercept", configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["a"], portRanges: [{ low: 80, high: 80 }] } }),
            new ziti.Service("s", { name: "kubeA.reflect.svc" }),
            new ziti.ServicePolicy("sp", { name: "kubeA.reflect.bind", type: "Bind", serviceRoles: ["@kubeA.reflect.svc"], identityRoles: ["@kubeA.reflect.id"] }),
            new ziti.EdgeRouterPolicy("erp", { name: "kubeA.erp", edgeRouterRoles: ["#all"], identityRoles: ["#reflectz-clients"] }),
            new ziti.ServiceEdgeRouterPolicy("serp", { name: "kubeA.serp", edgeRouterRoles: ["#all"], serviceRoles: ["#all"] }),
        ];
        const names = await Promise.all(made.map((r) => new Promise((res) => (r as any).name.apply(res))));
        assert.deepStrictEqual(names, ["kubeA.reflect.id", "kubeA.reflect.intercept", "kubeA.reflect.svc", "kubeA.reflect.bind", "kubeA.erp", "kubeA.serp"]);
        const ids = await Promise.all(made.map((r) => new Promise((res) => r.id.apply(res))));
        assert.strictEqual(ids[0], "i-id");
        // Plus the stack instance's owner id (provider/ownerId.ts), registered once with the first Ziti resource.
        assert.deepStrictEqual(
            seen.map((s) => s.type).sort(),
            [...ziti.ZITI_KINDS.map((k) => k.kind), "OwnerId"].map((k) => `pulumi-nodejs:dynamic/ziti:${k}`).sort(),
        );
        for (const s of seen) assert.match(String(s.inputs.__provider), /exports\.handler/);
        const kinds = seen.filter((s) => s.type !== "pulumi-nodejs:dynamic/ziti:OwnerId");
        assert.deepStrictEqual(ziti.zitiKinds.map((k) => k.token).sort(), kinds.map((s) => s.type).sort());
        const identity = made[0] as InstanceType<typeof ziti.Identity>;
        for (const k of ["type", "roleAttributes", "isAdmin", "enroll", "enrollmentJwt", "identityJson"] as const) {
            assert.ok(pulumi.Output.isInstance(identity[k]), `Identity.${k} is an output`);
        }
    });
});
