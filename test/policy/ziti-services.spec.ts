// The service side of Ziti Dial grants: #all services, an attribute that selects every service of the
// stack, and sensitive services (the Kubernetes API of DESIGN 4c) dialable only by named identities.
// Roles are judged as the controller links them (openziti/ziti v1.7.2 controller/db/policy_common.go).
import * as assert from "assert";
import { disallowDialAllServices, disallowDialEveryStackService, requireNamedDialersForSensitiveServices } from "../../policy/rules";
import { StackResourceInput, UNKNOWN, change, runResource, runStack, urnOf } from "./helpers/engine";
import { bindPolicy, dialPolicy } from "./fixtures";

const SERVICE_POLICY = "pulumi-nodejs:dynamic/ziti:ServicePolicy";
const SERVICE = "pulumi-nodejs:dynamic/ziti:Service";

/** kubeA's three services (two carry `reflect`, all carry `kubeA`), their project policies, and a Kubernetes API service. */
function stack(extra: StackResourceInput[] = []): StackResourceInput[] {
    return [
        { type: "pulumi:pulumi:Stack", name: "scrape-anywhere-dev" },
        { type: SERVICE, name: "kubeA-reflect-svc", parent: 0, props: { name: "kubeA.reflect.svc", roleAttributes: ["kubeA", "reflect"] } },
        { type: SERVICE, name: "kubeA-reflect-scrape-svc", parent: 0, props: { name: "kubeA.reflect.scrape.svc", roleAttributes: ["kubeA", "reflect"] } },
        { type: SERVICE, name: "kubeA-prometheus-svc", parent: 0, props: { name: "kubeA.prometheus.svc", roleAttributes: ["kubeA"] } },
        { type: SERVICE, name: "kubeA-k8s-svc", parent: 0, props: { name: "kubeA.k8s.svc", roleAttributes: ["kubeA"] } },
        { type: SERVICE_POLICY, name: "kubeA-reflect-dial", parent: 0, props: change(dialPolicy, (p) => (p.serviceRoles = ["@kubeA.reflect.svc", "@kubeA.reflect.scrape.svc"])) },
        { type: SERVICE_POLICY, name: "kubeA-reflect-bind", parent: 0, props: bindPolicy },
        {
            type: SERVICE_POLICY,
            name: "kubeA-k8s-dial",
            parent: 0,
            props: { name: "kubeA.k8s.dial", type: "Dial", semantic: "AnyOf", serviceRoles: ["@kubeA.k8s.svc"], identityRoles: ["@ops.admin"] },
        },
        ...extra,
    ];
}

function dial(name: string, serviceRoles: unknown[], extra: Record<string, unknown> = {}): StackResourceInput {
    return { type: SERVICE_POLICY, name, parent: 0, props: { name, type: "Dial", semantic: "AnyOf", serviceRoles, identityRoles: ["#reflectz-clients"], ...extra } };
}

describe("policy: Ziti grants on the service side (rule 10)", () => {
    describe("disallow-dial-all-services", () => {
        it("accepts a Dial policy for named services", async () => {
            assert.deepStrictEqual(await runResource(disallowDialAllServices, { type: SERVICE_POLICY, name: "d", props: dialPolicy }), { violations: [] });
        });

        it("rejects a Dial policy for #all services, naming the identities and the fix", async () => {
            const out = await runResource(disallowDialAllServices, { type: SERVICE_POLICY, name: "d", props: change(dialPolicy, (p) => (p.serviceRoles = ["#all"])) });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Ziti ServicePolicy 'kubeA.reflect.dial' lets [#reflectz-clients] dial every service (#all) on the network, including services created later. " +
                    "Fix: list the services they need (@<service name>) or a service attribute only those carry, or allow-list 'ziti/kubeA.reflect.dial'.",
            ]);
        });

        it("rejects #all with AllOf and other roles, and a duplicated #all (judged as the controller applies it)", async () => {
            for (const serviceRoles of [["#all", "#reflect"], ["#all", "#all"]]) {
                const props = change(dialPolicy, (p) => Object.assign(p, { semantic: "AllOf", serviceRoles }));
                const out = await runResource(disallowDialAllServices, { type: SERVICE_POLICY, name: "d", props });
                assert.strictEqual(out.violations.length, 1, serviceRoles.join(","));
            }
        });

        it("leaves Bind policies alone and accepts an allow-listed exception", async () => {
            const bind = change(bindPolicy, (p) => (p.serviceRoles = ["#all"]));
            assert.deepStrictEqual(await runResource(disallowDialAllServices, { type: SERVICE_POLICY, name: "b", props: bind }), { violations: [] });
            const props = change(dialPolicy, (p) => (p.serviceRoles = ["#all"]));
            const out = await runResource(disallowDialAllServices, { type: SERVICE_POLICY, name: "d", props, config: { allowlist: ["ziti/kubeA.reflect.dial"] } });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("says it could not be checked when a service role is unknown at preview", async () => {
            const props = change(dialPolicy, (p) => (p.serviceRoles = [UNKNOWN]));
            const out = await runResource(disallowDialAllServices, { type: SERVICE_POLICY, name: "d", props });
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    "Ziti ServicePolicy 'kubeA.reflect.dial' could not be checked by disallow-dial-all-services: serviceRoles[0] is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
        });
    });

    describe("disallow-dial-every-stack-service (stack)", () => {
        it("accepts the project's shape: services named by @name, an attribute that selects some of them", async () => {
            assert.deepStrictEqual(await runStack(disallowDialEveryStackService, stack([dial("reflect.dial", ["#reflect"])])), { violations: [] });
        });

        it("rejects an attribute every service of the stack carries, with the policy's URN", async () => {
            const out = await runStack(disallowDialEveryStackService, stack([dial("kubeA.all.dial", ["#kubeA"])]));
            assert.deepStrictEqual(out.violations, [
                {
                    message:
                        "Ziti ServicePolicy 'kubeA.all.dial' selects every Ziti service of the stack (kubeA.reflect.svc, kubeA.reflect.scrape.svc, kubeA.prometheus.svc, kubeA.k8s.svc) " +
                        "through #kubeA (AnyOf), so its identities may dial them all, and any service that later gets the attribute. " +
                        "Fix: name the services the clients need (@<service name>) or use an attribute only those carry, or allow-list 'ziti/kubeA.all.dial'.",
                    urn: urnOf(SERVICE_POLICY, "kubeA.all.dial", ["pulumi:pulumi:Stack"]),
                },
            ]);
        });

        it("judges AnyOf and AllOf as the controller does (AllOf when left out)", async () => {
            const anyOf = await runStack(disallowDialEveryStackService, stack([dial("p", ["#reflect", "#kubeA"])]));
            assert.strictEqual(anyOf.violations.length, 1, "AnyOf: every service has one of them");
            const allOf = await runStack(disallowDialEveryStackService, stack([dial("p", ["#reflect", "#kubeA"], { semantic: "AllOf" })]));
            assert.deepStrictEqual(allOf, { violations: [] }, "AllOf: only the reflect services have both");
            const dflt = await runStack(disallowDialEveryStackService, stack([dial("p", ["#reflect", "#kubeA"], { semantic: undefined })]));
            assert.deepStrictEqual(dflt, { violations: [] }, "no semantic: AllOf");
            const mixed = await runStack(disallowDialEveryStackService, stack([dial("p", ["#reflect", "@kubeA.prometheus.svc", "@kubeA.k8s.svc"])]));
            assert.strictEqual(mixed.violations.length, 1, "an attribute plus names that cover the rest");
        });

        it("accepts naming every service explicitly, leaves #all to disallow-dial-all-services, and does not judge a one-service stack", async () => {
            const named = dial("p", ["@kubeA.reflect.svc", "@kubeA.reflect.scrape.svc", "@kubeA.prometheus.svc", "@kubeA.k8s.svc"]);
            assert.deepStrictEqual(await runStack(disallowDialEveryStackService, stack([named])), { violations: [] });
            assert.deepStrictEqual(await runStack(disallowDialEveryStackService, stack([dial("p", ["#all"])])), { violations: [] });
            const one: StackResourceInput[] = [
                { type: "pulumi:pulumi:Stack", name: "s" },
                { type: SERVICE, name: "only", parent: 0, props: { name: "only.svc", roleAttributes: ["x"] } },
                dial("p", ["#x"]),
            ];
            assert.deepStrictEqual(await runStack(disallowDialEveryStackService, one), { violations: [] });
        });

        it("accepts an allow-listed exception", async () => {
            const out = await runStack(disallowDialEveryStackService, stack([dial("kubeA.all.dial", ["#kubeA"])]), { allowlist: ["ziti/kubeA.all.dial"] });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("says it could not be checked when a service's attributes or a policy's roles are unknown at preview", async () => {
            const s = stack([dial("kubeA.all.dial", ["#kubeA"])]);
            s[3] = { ...s[3], props: { name: "kubeA.prometheus.svc", roleAttributes: UNKNOWN } };
            const out = await runStack(disallowDialEveryStackService, s);
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    "Ziti ServicePolicy 'kubeA.all.dial' could not be checked by disallow-dial-every-stack-service: roleAttributes of Ziti service 'kubeA.prometheus.svc' is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
            const roles = await runStack(disallowDialEveryStackService, stack([dial("p", ["#reflect", UNKNOWN])]));
            assert.deepStrictEqual(roles, {
                violations: [],
                couldNotBeChecked:
                    "Ziti ServicePolicy 'p' could not be checked by disallow-dial-every-stack-service: serviceRoles[1] is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
            const known = await runStack(disallowDialEveryStackService, stack([dial("p", ["#kubeA", UNKNOWN])]));
            assert.strictEqual(known.violations.length, 1, "a known role that already selects every service is reported");
        });
    });

    describe("require-named-dialers-for-sensitive-services (stack)", () => {
        it("accepts the Kubernetes API service dialable by named admins only", async () => {
            assert.deepStrictEqual(await runStack(requireNamedDialersForSensitiveServices, stack()), { violations: [] });
        });

        it("rejects an attribute or #all dialing a *.k8s.svc service, by name, by attribute or by #all", async () => {
            const byName = dial("k8s.clients", ["@kubeA.k8s.svc"]);
            const out = await runStack(requireNamedDialersForSensitiveServices, stack([byName]));
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Ziti ServicePolicy 'k8s.clients' lets identities selected by #reflectz-clients dial the sensitive service kubeA.k8s.svc; " +
                    "any identity later given that attribute could reach it. " +
                    "Fix: name each identity that may dial it (@<identity name>) in a Dial policy of its own, or allow-list 'ziti/k8s.clients'.",
            ]);
            const byAttr = await runStack(requireNamedDialersForSensitiveServices, stack([dial("p", ["#kubeA"])]));
            assert.strictEqual(byAttr.violations.length, 1, "attribute");
            const everyone = dial("p", ["@kubeA.k8s.svc"], { identityRoles: ["#all"] });
            const all = await runStack(requireNamedDialersForSensitiveServices, stack([everyone]));
            assert.match(all.violations[0].message, /^Ziti ServicePolicy 'p' lets every identity \(#all\) dial the sensitive service kubeA\.k8s\.svc\. Fix:/);
            const allServices = await runStack(requireNamedDialersForSensitiveServices, stack([dial("p", ["#all"])]));
            assert.strictEqual(allServices.violations.length, 1, "#all services");
        });

        it("counts a @name that matches a glob even when the service lives in another stack", async () => {
            const out = await runStack(requireNamedDialersForSensitiveServices, stack([dial("p", ["@kubeB.k8s.svc"])]));
            assert.match(out.violations[0].message, /dial the sensitive service kubeB\.k8s\.svc;/);
        });

        it("treats the remote-write services (*.write.svc) as sensitive by default: writers are named, never an attribute (issue 26)", async () => {
            const byAttr = await runStack(requireNamedDialersForSensitiveServices, stack([dial("central.write.dial", ["@central.write.svc"], { identityRoles: ["#prometheus-clients"] })]));
            assert.match(byAttr.violations[0]?.message ?? "", /^Ziti ServicePolicy 'central.write.dial' lets identities selected by #prometheus-clients dial the sensitive service central\.write\.svc;/);
            const named = await runStack(requireNamedDialersForSensitiveServices, stack([dial("central.write.dial", ["@central.write.svc"], { identityRoles: ["@kubeA.prometheus.id", "@kubeB.prometheus.id"] })]));
            assert.deepStrictEqual(named.violations, []);
        });

        it("takes sensitive services from config: globs and #attributes", async () => {
            const config = { sensitiveServices: ["#reflect"] };
            const out = await runStack(requireNamedDialersForSensitiveServices, stack([dial("p", ["@kubeA.k8s.svc"])]), config);
            assert.strictEqual(out.violations.length, 1, "kubeA.k8s.svc is not sensitive with this config; the reflect services are");
            assert.match(out.violations[0].message, /^Ziti ServicePolicy 'kubeA.reflect.dial' lets identities selected by #reflectz-clients dial the sensitive services kubeA\.reflect\.svc, kubeA\.reflect\.scrape\.svc;/);
            const allowed = await runStack(requireNamedDialersForSensitiveServices, stack(), { ...config, allowlist: ["ziti/kubeA.reflect.dial"] });
            assert.deepStrictEqual(allowed, { violations: [] });
        });

        it("says it could not be checked when the dialers of a sensitive service are unknown at preview", async () => {
            const out = await runStack(requireNamedDialersForSensitiveServices, stack([dial("p", ["@kubeA.k8s.svc"], { identityRoles: [UNKNOWN] })]));
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    "Ziti ServicePolicy 'p' could not be checked by require-named-dialers-for-sensitive-services: identityRoles[0] is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
        });
    });
});
