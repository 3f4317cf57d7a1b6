// scripts/localNetwork.ts wantedPorts: only the default home (.state/ziti of this checkout) asks for the quickstart's
// default ports; any other home (a test's isolated workspace) takes free ones, so two tiers never race for 1280/3022.
import * as assert from "assert";
import * as path from "path";
import { DEFAULT_PORTS, defaultZitiHome, wantedPorts } from "../../scripts/localNetwork";

describe("local network: which ports a home asks for", () => {
    it("the default home asks for 1280/3022", () => {
        assert.deepStrictEqual(DEFAULT_PORTS, [1280, 3022]);
        assert.deepStrictEqual(wantedPorts(defaultZitiHome), [1280, 3022]);
        assert.deepStrictEqual(wantedPorts(defaultZitiHome + "/"), [1280, 3022], "the same home written with a trailing slash");
    });

    it("another home asks for none (free ports are chosen)", () => {
        assert.strictEqual(wantedPorts("/tmp/sa-faults-ws/.state/ziti"), undefined);
        assert.strictEqual(wantedPorts(path.join(defaultZitiHome, "..", "ziti-other")), undefined);
    });

    it("a saved network keeps its ports, default home or not", () => {
        assert.deepStrictEqual(wantedPorts("/tmp/other", { ctrlPort: 40123, routerPort: 40124 }), [40123, 40124]);
        assert.deepStrictEqual(wantedPorts(defaultZitiHome, { ctrlPort: 1280, routerPort: 3022 }), [1280, 3022]);
    });
});
