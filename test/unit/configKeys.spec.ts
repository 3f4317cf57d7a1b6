// Pulumi.yaml's `config:` block stays in step with config/: every key it declares is one the program reads, every
// plain (non-structured) key the program reads is declared there, and each declared default is the program's own.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, parseConfig, STRUCTURED_KEYS } from "../../config";
import { FLAVORS } from "../../flavors";

const project = YAML.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "Pulumi.yaml"), "utf8"));
const declared: Record<string, { type: string; default: unknown; description: string }> = project.config;

describe("config: Pulumi.yaml's config block and config/ agree", () => {
    it("declares only keys the program reads, and every plain key it reads", () => {
        for (const k of Object.keys(declared)) assert.ok((CONFIG_KEYS as readonly string[]).includes(k), `Pulumi.yaml declares ${k}, which config/ does not read`);
        for (const k of CONFIG_KEYS.filter(k => !STRUCTURED_KEYS.has(k))) assert.ok(k in declared, `config/ reads ${k}: declare it in Pulumi.yaml's config block`);
    });

    it("declares the program's defaults", () => {
        const one = parseConfig({ clusters: [{ name: "kubeA" }] }, "s");
        const generated = parseConfig({ clusterCount: 2 }, "s");
        const actual: Record<string, unknown> = {
            role: one.role, flavor: one.flavor, collection: one.collection, namespace: one.clusters[0].namespace, scrapeInterval: one.scrapeInterval,
            clusterCount: one.clusters.length - 1,
            generatedClusterKind: generated.clusters.map(c => c.kind).join(",") === "hybrid,dark" ? "alternate" : "?",
        };
        for (const [k, d] of Object.entries(declared)) assert.strictEqual(d.default, actual[k], `Pulumi.yaml's default of ${k}`);
    });

    it("names every registered flavor in the flavor key's description", () => {
        for (const f of Object.keys(FLAVORS)) assert.ok(declared.flavor.description.includes(f), `Pulumi.yaml's flavor description does not name ${f}`);
    });
});
