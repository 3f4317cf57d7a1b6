// The rule list as a whole: names, metadata, config schemas, the README, and the pack layout.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { issueRule, rules } from "../../policy/rules";
import { DEFAULT_SAFE_GROUPS } from "../../policy/rules/customresource/known-groups";
import { DEFAULT_EXPOSING_MARKS } from "../../policy/rules/exposure/exposing-marks";
import { DEFAULT_INSTALLER_KINDS } from "../../policy/rules/installer/installer-kinds";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (e.name === "node_modules" ? [] : tsFiles(path.join(dir, e.name))) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
    );
}

describe("policy: the pack", () => {
    it("lists the policies of issue 4's rules 1-10 and issue 15's next to the rule they extend, with unique kebab-case names", () => {
        const names = rules.map((r) => r.name);
        assert.deepStrictEqual(names, [
            "disallow-loadbalancer-service",
            "disallow-nodeport-service",
            "disallow-service-external-ips",
            "disallow-ingress-and-gateway",
            "disallow-exposing-custom-resources",
            "disallow-exposing-annotations-and-labels",
            "disallow-unknown-custom-resources",
            "disallow-host-network-and-ports",
            "disallow-host-level-cni-attachments",
            "disallow-docker-published-ports",
            "disallow-host-level-docker-networks",
            "disallow-foreign-container-network",
            "disallow-opaque-helm-release",
            "disallow-opaque-installers",
            "disallow-service-in-dark-cluster",
            "require-ziti-scrape-scheme",
            "disallow-dial-all-identities",
            "disallow-dial-all-services",
            "disallow-dial-every-stack-service",
            "require-named-dialers-for-sensitive-services",
            "disallow-bind-all-identities",
            "disallow-bind-all-services",
            "require-explicit-bind-identities",
        ]);
        for (const name of names) {
            assert.match(name, /^(disallow|require)(-[a-z0-9]+)+$/);
        }
        assert.deepStrictEqual(Object.keys(issueRule).sort(), [...names].sort());
        const covered = new Set(Object.values(issueRule).flat());
        assert.deepStrictEqual([...covered].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it("gives every policy a description, an enforcement level, a severity and an allowlist config key", () => {
        for (const r of rules) {
            assert.ok(r.description.length > 20, r.name);
            assert.ok(["advisory", "mandatory"].includes(r.enforcementLevel ?? ""), r.name);
            assert.ok(r.severity, r.name);
            assert.ok(r.remediationSteps, r.name);
            assert.deepStrictEqual(r.configSchema?.properties.allowlist?.type, "array", r.name);
            assert.ok(!("enforcementLevel" in (r.configSchema?.properties ?? {})), r.name);
        }
    });

    it("has a file per policy named after it, under rules/<kind>/", () => {
        const files = tsFiles(path.join(POLICY_DIR, "rules")).map((f) => path.basename(f, ".ts"));
        for (const r of rules) {
            assert.ok(files.includes(r.name), `rules/<kind>/${r.name}.ts`);
        }
    });

    it("constructs the PolicyPack only in policy/index.ts, so importing the rules starts no server", () => {
        const constructing = tsFiles(POLICY_DIR).filter((f) => /new PolicyPack\(/.test(fs.readFileSync(f, "utf8")));
        assert.deepStrictEqual(constructing.map((f) => path.relative(POLICY_DIR, f)), ["index.ts"]);
    });

    it("documents every policy and every config key in policy/README.md", () => {
        const readme = fs.readFileSync(path.join(POLICY_DIR, "README.md"), "utf8");
        for (const r of rules) {
            assert.ok(readme.includes(`\`${r.name}\``), `README lists ${r.name}`);
            for (const key of Object.keys(r.configSchema?.properties ?? {})) {
                assert.ok(readme.includes(`\`${key}\``), `README documents ${r.name}.${key}`);
            }
        }
    });

    it("lists every curated entry in policy/README.md with a source (exposing marks, installer kinds, safe groups)", () => {
        const readme = fs.readFileSync(path.join(POLICY_DIR, "README.md"), "utf8");
        for (const m of DEFAULT_EXPOSING_MARKS) {
            assert.ok(m.source, `exposing mark ${m.key} has a source`);
            assert.ok(readme.includes(`\`${m.key.replace(/[._]$/, "")}`), `README lists the exposing mark ${m.key}`);
        }
        for (const k of DEFAULT_INSTALLER_KINDS) {
            assert.ok(k.source, `installer ${k.group} ${k.kind} has a source`);
            assert.ok(readme.includes(`\`${k.group}\``) && readme.includes(k.kind), `README lists the installer ${k.group} ${k.kind}`);
        }
        for (const g of DEFAULT_SAFE_GROUPS) {
            assert.ok(g.source, `safe group ${g.group} has a source`);
            assert.ok(readme.includes(`\`${g.group}\``), `README lists the safe group ${g.group}`);
        }
    });

    it("ships an example policy config that names only real policies and keys", () => {
        const example = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "config.example.json"), "utf8")) as Record<string, unknown>;
        for (const [name, value] of Object.entries(example)) {
            const rule = rules.find((r) => r.name === name);
            assert.ok(rule, name);
            if (typeof value === "object" && value !== null) {
                for (const key of Object.keys(value)) {
                    assert.ok(key === "enforcementLevel" || key in (rule!.configSchema?.properties ?? {}), `${name}.${key}`);
                }
            }
        }
    });

    it("is a nodejs policy pack whose main is index.ts", () => {
        const yaml = fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8");
        assert.match(yaml, /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        assert.strictEqual(pkg.main, "index.ts");
        assert.strictEqual(pkg.dependencies["@pulumi/policy"], "1.21.0");
        assert.strictEqual(pkg.dependencies["@pulumi/pulumi"], "3.248.0");
    });
});
