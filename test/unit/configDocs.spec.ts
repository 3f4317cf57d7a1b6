// What config/schema.ts declares is what the README's config table and Pulumi.yaml's `config:` block say: both are
// written from it (`npm run config-docs`), and these tests fail when either is stale or the program's own
// defaults drift from the declared ones.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, parseConfig, rawFromText } from "../../config";
import { projectConfig, withProjectConfig, withReadmeTable } from "../../config/docs";
import { FLAVORS } from "../../flavors";

const root = path.resolve(__dirname, "..", "..");
const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");

describe("config: the README table and Pulumi.yaml are made from the schema", () => {
    it("the README's config table is the schema's (else: npm run config-docs)", () => {
        const readme = read("README.md");
        assert.strictEqual(withReadmeTable(readme), readme, "README.md's config table is stale: run npm run config-docs");
        for (const k of CONFIG_KEYS) assert.match(readme, new RegExp(`^\\| \`${k}\` \\|`, "m"), `the README has no row for ${k}`);
    });

    it("Pulumi.yaml's config block is the schema's (else: npm run config-docs)", () => {
        const text = read("Pulumi.yaml");
        assert.deepStrictEqual(YAML.parse(text).config, projectConfig(), "Pulumi.yaml's config block differs from config/schema.ts: run npm run config-docs");
        assert.strictEqual(withProjectConfig(text), text, "Pulumi.yaml's config block is stale: run npm run config-docs");
    });

    it("the defaults Pulumi.yaml declares are the ones the program applies when a key is not set", () => {
        const declared = YAML.parse(read("Pulumi.yaml")).config as Record<string, { default: unknown }>;
        const unset = parseConfig({ clusters: [{ name: "kubeA" }] }, "s");
        const actual: Record<string, unknown> = {
            role: unset.role, flavor: unset.flavor, namespace: unset.clusters[0].namespace, scrapeInterval: unset.scrapeInterval,
            clusterCount: unset.clusters.length - 1, kubernetesApi: unset.kubernetesApi,
            generatedClusterKind: parseConfig({ clusterCount: 2 }, "s").clusters.map(c => c.kind).join(",") === "hybrid,dark" ? "alternate" : "?",
        };
        for (const [k, d] of Object.entries(declared)) assert.strictEqual(d.default, actual[k], `Pulumi.yaml's default of ${k}`);
        // As the engine hands them over (text), the declared defaults parse to the same config as no value at all.
        const text = Object.fromEntries(Object.entries(declared).map(([k, d]) => [k, String(d.default)]));
        assert.deepStrictEqual(parseConfig(rawFromText(k => text[k] ?? (k === "clusters" ? '[{"name":"kubeA"}]' : undefined)), "s"), unset);
    });

    it("names every registered flavor in the flavor key's description", () => {
        const declared = YAML.parse(read("Pulumi.yaml")).config;
        for (const f of Object.keys(FLAVORS)) assert.ok(declared.flavor.description.includes(f), `Pulumi.yaml's flavor description does not name ${f}`);
    });
});
