// The pack's default Ziti tokens come from the program's provider registry (provider/index.ts
// `zitiKinds`), not from copied strings: this test derives them from the registry and fails if they drift.
// The pack itself stays standalone (it imports nothing from the program) and recognises Ziti policies and
// services by shape as well, so a renamed class is judged anyway.
import * as assert from "assert";
import { disallowDialAllIdentities, disallowDialEveryStackService } from "../../policy/rules";

/** The registry, wherever the reshape (issue 25) keeps it. */
function registry(): { kind: string; token: string }[] {
    for (const path of ["../../provider", "../../provider/ziti", "../../provider"]) {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const mod = require(path) as { zitiKinds?: { kind: string; token: string }[] };
            if (mod.zitiKinds) return mod.zitiKinds;
        } catch {
            // not at this path
        }
    }
    throw new Error("the Ziti provider registry (zitiKinds) was not found under provider/: update this test's paths");
}

describe("policy: the program's own Ziti tokens (from the provider registry)", () => {
    it("defaults resourceTypes and serviceTypes to the registry's ServicePolicy and Service tokens", () => {
        const token = (kind: string) => registry().find((k) => k.kind === kind)?.token;
        const schemaDefault = (rule: { configSchema?: { properties: Record<string, { default?: unknown }> } }, key: string) => rule.configSchema?.properties[key]?.default;
        assert.deepStrictEqual(schemaDefault(disallowDialAllIdentities, "resourceTypes"), [token("ServicePolicy")]);
        assert.deepStrictEqual(schemaDefault(disallowDialEveryStackService, "serviceTypes"), [token("Service")]);
    });
});
