// The bridged Docker plugin speaks the npm SDK's names: for every resource and data source the pinned npm
// @pulumi/docker declares, its token is mapped by the plugin and every property the SDK sends or reads
// (its generated `resourceInputs["..."]` / invoke arguments) is a property of the plugin's mapping, and the
// provider config likewise. The names come from the plugin itself (`pulumi-resource-docker -print-names`,
// the bridge's run-time translation), the SDK's from its published JavaScript in node_modules.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../e2e/harness";

const SDK = path.join(repoRoot, "node_modules", "@pulumi", "docker");

/**
 * SDK properties the built Terraform provider (kreuzwerker/terraform-provider-docker at the served pseudo-version)
 * no longer has, by token. docker_network's `check_duplicate` survives only in its state migrator
 * (internal/provider/resource_docker_network_migrators.go). This program uses neither.
 */
const KNOWN_GONE: Record<string, string[]> = { "docker:index/network:Network": ["checkDuplicate"] };

interface Names { config: string[]; resources: Record<string, string[]>; dataSources: Record<string, string[]> }

/** token -> property names, from the SDK's generated resource classes and invoke functions. */
function sdkNames(): { resources: Map<string, string[]>; dataSources: Map<string, string[]>; config: string[] } {
    const resources = new Map<string, string[]>();
    const dataSources = new Map<string, string[]>();
    for (const f of fs.readdirSync(SDK).filter((f) => f.endsWith(".js"))) {
        const js = fs.readFileSync(path.join(SDK, f), "utf8");
        const type = /__pulumiType = '([^']+)'/.exec(js)?.[1];
        if (type) {
            if (f === "provider.js") continue;
            // The state branch of the constructor lists every property, inputs and outputs.
            resources.set(type, [...js.matchAll(/resourceInputs\["(\w+)"\] = state\?\.\w+/g)].map((m) => m[1]));
            continue;
        }
        const invoke = /runtime\.invoke(?:Output)?\("([^"]+)", \{([^}]*)\}/.exec(js);
        if (invoke) dataSources.set(invoke[1], [...invoke[2].matchAll(/"(\w+)":/g)].map((m) => m[1]));
    }
    const provider = fs.readFileSync(path.join(SDK, "provider.js"), "utf8");
    const config = [...provider.matchAll(/resourceInputs\["(\w+)"\] = /g)].map((m) => m[1]);
    return { resources, dataSources, config };
}

describe("docker plugin: the names of npm @pulumi/docker", function () {
    let plugin: Names;
    const sdk = sdkNames();

    before(function () {
        this.timeout(30 * 60_000);
        // Built once into the tools cache (~11 min cold), installed into the private PULUMI_HOME.
        const bin = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "path", "docker"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
        plugin = JSON.parse(execFileSync(bin, ["-print-names"], { encoding: "utf8" }));
    });

    it("is the version npm pins", function () {
        const pinned = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).dependencies["@pulumi/docker"];
        const sdkPkg = JSON.parse(fs.readFileSync(path.join(SDK, "package.json"), "utf8"));
        assert.strictEqual(sdkPkg.version, pinned);
        const bin = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "path", "docker"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
        assert.ok(bin.includes(`resource-docker-v${sdkPkg.pulumi.version}/`), `installed as ${sdkPkg.pulumi.version}: ${bin}`);
        assert.strictEqual(execFileSync(bin, ["-version"], { encoding: "utf8" }).trim(), sdkPkg.pulumi.version);
    });

    it("maps the config the SDK's Provider sends (host among it)", function () {
        assert.ok(sdk.config.includes("host"));
        assert.deepStrictEqual(sdk.config.filter((n) => !plugin.config.includes(n)), []);
    });

    it("maps every bridged resource of the SDK with all of its properties", function () {
        // docker:index/image:Image is pulumi-docker's own Go resource (provider/image.go), not the Terraform provider's.
        const bridged = [...sdk.resources.keys()].filter((t) => t !== "docker:index/image:Image");
        assert.ok(bridged.includes("docker:index/container:Container"));
        for (const token of bridged) {
            assert.ok(plugin.resources[token], `${token} is mapped by the plugin`);
            const missing = sdk.resources.get(token)!.filter((n) => !plugin.resources[token].includes(n));
            assert.deepStrictEqual(missing, KNOWN_GONE[token] ?? [], `${token}: SDK properties the plugin does not know`);
        }
    });

    it("maps every data source of the SDK with all of its arguments", function () {
        assert.ok(sdk.dataSources.size > 0);
        for (const [token, args] of sdk.dataSources) {
            assert.ok(plugin.dataSources[token], `${token} is mapped by the plugin`);
            assert.deepStrictEqual(args.filter((n) => !plugin.dataSources[token].includes(n)), [], `${token}: SDK arguments the plugin does not know`);
        }
    });
});
