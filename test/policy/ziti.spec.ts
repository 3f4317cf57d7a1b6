import * as assert from "assert";
import { disallowDialAllIdentities, requireExplicitBindIdentities } from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { bindPolicy, dialPolicy } from "./fixtures";

const SERVICE_POLICY = "pulumi-nodejs:dynamic/ziti:ServicePolicy";

describe("policy: Ziti grants (rule 10)", () => {
    describe("disallow-dial-all-identities", () => {
        it("accepts a Dial policy for a client attribute", async () => {
            const out = await runResource(disallowDialAllIdentities, { type: SERVICE_POLICY, name: "dial", props: dialPolicy });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("rejects a Dial policy for #all", async () => {
            const out = await runResource(disallowDialAllIdentities, {
                type: SERVICE_POLICY,
                name: "dial",
                props: change(dialPolicy, (p) => (p.identityRoles = ["#all"])),
            });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Ziti ServicePolicy 'kubeA.reflect.dial' lets every identity (#all) dial [@kubeA.reflect.svc]. " +
                    "Fix: grant only the clients' attribute (e.g. #prometheus-clients) or name them (@identity), or allow-list 'ziti/kubeA.reflect.dial'.",
            ]);
        });

        it("rejects #all whatever the semantic and the other roles (the controller matches #all first), and a list that is #all once de-duplicated", async () => {
            // openziti/ziti v1.7.2 controller/db/policy_common.go evaluatePolicyAgainstEntity; the provider sends asSet(roles).
            const allOf = change(dialPolicy, (p) => Object.assign(p, { semantic: "AllOf", identityRoles: ["#all", "#reflectz-clients"] }));
            const out = await runResource(disallowDialAllIdentities, { type: SERVICE_POLICY, name: "d", props: allOf });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Ziti ServicePolicy 'kubeA.reflect.dial' lets every identity (#all) dial [@kubeA.reflect.svc] " +
                    "(#all matches every identity whatever the semantic, so #reflectz-clients next to it narrow nothing; the controller refuses #all with other roles). " +
                    "Fix: grant only the clients' attribute (e.g. #prometheus-clients) or name them (@identity), or allow-list 'ziti/kubeA.reflect.dial'.",
            ]);
            const twice = change(dialPolicy, (p) => Object.assign(p, { semantic: "AllOf", identityRoles: ["#all", "#all"] }));
            const out2 = await runResource(disallowDialAllIdentities, { type: SERVICE_POLICY, name: "d", props: twice });
            assert.match(out2.violations[0].message, /lets every identity \(#all\) dial \[@kubeA\.reflect\.svc\]\. Fix:/);
            const noSemantic = change(dialPolicy, (p) => {
                delete (p as { semantic?: string }).semantic;
                p.identityRoles = ["#all"];
            });
            assert.strictEqual((await runResource(disallowDialAllIdentities, { type: SERVICE_POLICY, name: "d", props: noSemantic })).violations.length, 1);
        });

        it("leaves a Bind policy for #all to the Bind rule", async () => {
            const bind = change(bindPolicy, (p) => (p.identityRoles = ["#all"]));
            assert.deepStrictEqual(await runResource(disallowDialAllIdentities, { type: SERVICE_POLICY, name: "b", props: bind }), { violations: [] });
        });

        it("accepts an allow-listed exception", async () => {
            const out = await runResource(disallowDialAllIdentities, {
                type: SERVICE_POLICY,
                name: "dial",
                props: change(dialPolicy, (p) => (p.identityRoles = ["#all"])),
                config: { allowlist: ["ziti/kubeA.reflect.dial"] },
            });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("checks other resource types named in config, and any other token by the policy's shape (issue 23)", async () => {
            const type = "pulumi-nodejs:dynamic/ziti2:ServicePolicy";
            const props = change(dialPolicy, (p) => (p.identityRoles = ["#all"]));
            assert.strictEqual((await runResource(disallowDialAllIdentities, { type, name: "d", props })).violations.length, 1);
            const out = await runResource(disallowDialAllIdentities, { type, name: "d", props, config: { resourceTypes: [type] } });
            assert.strictEqual(out.violations.length, 1);
        });

        it("says it could not be checked when the identity roles are unknown at preview", async () => {
            const out = await runResource(disallowDialAllIdentities, {
                type: SERVICE_POLICY,
                name: "dial",
                props: change(dialPolicy, (p) => (p.identityRoles = [UNKNOWN])),
            });
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    "Ziti ServicePolicy 'kubeA.reflect.dial' could not be checked by disallow-dial-all-identities: identityRoles[0] is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
        });
    });

    describe("require-explicit-bind-identities", () => {
        it("is advisory by default", () => {
            assert.strictEqual(requireExplicitBindIdentities.enforcementLevel, "advisory");
        });

        it("accepts a Bind policy naming its identity", async () => {
            const out = await runResource(requireExplicitBindIdentities, { type: SERVICE_POLICY, name: "bind", props: bindPolicy });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("flags a Bind policy that selects identities by attribute", async () => {
            const out = await runResource(requireExplicitBindIdentities, {
                type: SERVICE_POLICY,
                name: "bind",
                props: change(bindPolicy, (p) => (p.identityRoles = ["@kubeA.reflect.id", "#reflectz-hosts"])),
            });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Ziti ServicePolicy 'kubeA.reflect.bind' lets identities selected by #reflectz-hosts bind (host) [@kubeA.reflect.svc]; " +
                    "any identity later given that attribute could host it. Fix: name the hosting identities explicitly (@<identity name>), " +
                    "or allow-list 'ziti/kubeA.reflect.bind'.",
            ]);
        });

        it("ignores Dial policies and accepts an allow-listed exception", async () => {
            const dial = change(dialPolicy, (p) => (p.identityRoles = ["#reflectz-clients"]));
            assert.deepStrictEqual(await runResource(requireExplicitBindIdentities, { type: SERVICE_POLICY, name: "d", props: dial }), { violations: [] });
            const out = await runResource(requireExplicitBindIdentities, {
                type: SERVICE_POLICY,
                name: "bind",
                props: change(bindPolicy, (p) => (p.identityRoles = ["#all"])),
                config: { allowlist: ["ziti/*"] },
            });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("says it could not be checked when the policy type is unknown at preview", async () => {
            const out = await runResource(requireExplicitBindIdentities, {
                type: SERVICE_POLICY,
                name: "bind",
                props: change(bindPolicy, (p) => (p.type = UNKNOWN)),
            });
            assert.strictEqual(
                out.couldNotBeChecked,
                "Ziti ServicePolicy 'kubeA.reflect.bind' could not be checked by require-explicit-bind-identities: type is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            );
        });
    });
});
