// Every committed stack file, and variants that use every key, parse to the values the hand-written checkers made
// before config/ became a schema (fixtures/stackConfigs.json, written by the code of commit 2160acb; `collection: federate` and the `networkPolicy` default, keys added after it, added by hand): existing
// stacks see the same config. The stack files are read as the engine hands them over (Pulumi.yaml's defaults, then
// the stack's values, all as text) through the program's own reader (config/read.ts rawFromText).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, rawFromText, RawConfig } from "../../config";
import { FLAVORS } from "../../flavors";
import { STACK_FILES, stackFileText, VARIANTS } from "./fixtures/stackConfigCases";

const before: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "stackConfigs.json"), "utf8"));
/** As JSON holds it (fields set to undefined vanish, as they did when the fixture was written). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

/**
 * The parsed config against the fixture. Images are the flavor's defaults (its modules pin them) with the stack's
 * overrides, not the fixture's: a new default tag is one change in the flavor's module, not in this fixture too.
 */
function assertAsBefore(raw: RawConfig, stack: string, name: string): void {
    const { images, ...parsed } = asJson(parseConfig(raw, stack));
    const { images: _, ...fixture } = before[name] as Record<string, unknown>;
    void _;
    assert.deepStrictEqual(parsed, fixture);
    assert.deepStrictEqual(images, { ...FLAVORS[parsed.flavor as string].images, ...((raw.images as object | undefined) ?? {}) });
}

describe("config: existing stacks parse to the same values as before the schema", function () {
    for (const s of STACK_FILES) {
        it(`Pulumi.${s}.yaml`, function () {
            // The flavor is pinned to the one the fixture was written with: a change of the default flavor is not this test's business.
            const text: Record<string, string> = { ...stackFileText(s), flavor: "article" };
            assertAsBefore(rawFromText(k => text[k]), s, `Pulumi.${s}.yaml`);
        });
    }
    for (const [name, [raw, stack]] of Object.entries(VARIANTS)) {
        it(name, function () {
            assertAsBefore(raw as RawConfig, stack, name);
        });
    }
});
