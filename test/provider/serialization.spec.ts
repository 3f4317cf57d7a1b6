// The engine runs a dynamic provider from its serialized closure in a separate plain-Node process (no ts-node,
// no project modules on the require path). Serialize each provider as the SDK does, then drive the serialized
// form in such a process against the real controller, configured through `configure` like the engine does.
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as ziti from "../../components/ziti";
import { adminRest, leftovers, Rest, uniquePrefix, zitiController } from "../helpers/zitiController";
import type { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";

const P = uniquePrefix("s");
let rest: Rest;
let ctl: ZitiQuickstart;
let dir: string;

/** What `pulumi.dynamic.Resource` stores in `__provider`. */
async function serialized(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return sf.text;
}

// Runs in the child: deserialize like cmd/dynamic-provider (require-from-string), configure with stack config,
// then create -> read -> update -> delete.
const DRIVER = `
const requireFromString = require(require.resolve("require-from-string", { paths: [process.cwd()] }));
const fs = require("fs");
(async () => {
    const [providerFile, configJson, inputsJson, updateJson] = process.argv.slice(2);
    const provider = requireFromString(fs.readFileSync(providerFile, "utf8")).handler();
    const raw = JSON.parse(configJson);
    await provider.configure({ config: { get: (k) => raw[k], require: (k) => raw[k] } });
    const inputs = JSON.parse(inputsJson);
    const check = await provider.check({}, inputs);
    const created = await provider.create(inputs);
    const read = await provider.read(created.id, created.outs);
    const diff = await provider.diff(created.id, read.props, JSON.parse(updateJson));
    const updated = await provider.update(created.id, read.props, JSON.parse(updateJson));
    await provider.delete(created.id, updated.outs);
    const gone = await provider.read(created.id, updated.outs);
    process.stdout.write(JSON.stringify({ check, created, read, diff, updated, gone }));
    process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });
`;

function runDriver(providerFile: string, config: Record<string, string>, inputs: unknown, update: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            [path.join(dir, "driver.js"), providerFile, JSON.stringify(config), JSON.stringify(inputs), JSON.stringify(update)],
            // A plain Node process in the project directory, without the environment fallbacks.
            { cwd: path.resolve(__dirname, "..", ".."), env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }, timeout: 60_000 },
            (err, stdout, stderr) => (err ? reject(new Error(`driver failed: ${stderr || err.message}`)) : resolve(JSON.parse(stdout))),
        );
    });
}

describe("ziti provider: serialized providers in a plain Node process", function () {
    before(async function () {
        this.timeout(180_000);
        ctl = await zitiController();
        rest = await adminRest(ctl);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-ser-"));
        fs.writeFileSync(path.join(dir, "driver.js"), DRIVER);
    });

    after(async function () {
        fs.rmSync(dir, { recursive: true, force: true });
        if (!rest) return;
        const left = await leftovers(rest, P);
        await rest.close();
        assert.deepStrictEqual(left, [], "entities left behind on the controller");
    });

    const config = () => ({
        "ziti:controllerUrl": ctl.controllerUrl,
        "ziti:username": ctl.username,
        "ziti:password": ctl.password,
        "ziti:caBundle": ctl.caBundlePath,
    });

    const cases: [string, pulumi.dynamic.ResourceProvider, () => unknown, () => unknown, string][] = [
        ["Identity", ziti.identityProvider, () => ({ name: `${P}.ser.id`, roleAttributes: ["a"] }), () => ({ name: `${P}.ser2.id`, roleAttributes: ["a", "b"] }), "identities"],
        [
            "Config",
            ziti.configProvider,
            () => ({ name: `${P}.ser.cfg`, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["ser.ziti"], portRanges: [{ low: 80, high: 81 }] } }),
            () => ({ name: `${P}.ser.cfg`, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["ser2.ziti"], portRanges: [{ low: 80, high: 81 }] } }),
            "configs",
        ],
        ["Service", ziti.serviceProvider, () => ({ name: `${P}.ser.svc` }), () => ({ name: `${P}.ser.svc`, roleAttributes: ["x"] }), "services"],
        [
            "ServicePolicy",
            ziti.servicePolicyProvider,
            () => ({ name: `${P}.ser.sp`, type: "Dial", serviceRoles: ["#x"], identityRoles: ["#a"] }),
            () => ({ name: `${P}.ser.sp`, type: "Dial", serviceRoles: ["#x"], identityRoles: ["#b", "#a"] }),
            "service-policies",
        ],
        [
            "EdgeRouterPolicy",
            ziti.edgeRouterPolicyProvider,
            () => ({ name: `${P}.ser.erp`, edgeRouterRoles: ["#all"], identityRoles: ["#a"] }),
            () => ({ name: `${P}.ser.erp`, edgeRouterRoles: ["#all"], identityRoles: ["#b"] }),
            "edge-router-policies",
        ],
        [
            "ServiceEdgeRouterPolicy",
            ziti.serviceEdgeRouterPolicyProvider,
            () => ({ name: `${P}.ser.serp`, edgeRouterRoles: ["#all"], serviceRoles: ["#x"] }),
            () => ({ name: `${P}.ser.serp2`, edgeRouterRoles: ["#all"], serviceRoles: ["#x"] }),
            "service-edge-router-policies",
        ],
    ];

    for (const [kind, provider, inputs, update, collection] of cases) {
        it(`${kind}: serializes without live state and runs create/read/diff/update/delete from the serialized form`, async function () {
            const text = await serialized(provider);
            assert.ok(!text.includes(ctl.password), "no password in the serialized provider");
            assert.ok(!/zt-session"\s*:\s*"[0-9a-f-]{20,}/.test(text), "no session token in the serialized provider");
            const file = path.join(dir, `${kind}.js`);
            fs.writeFileSync(file, text);
            const r = await runDriver(file, config(), inputs(), update());
            assert.deepStrictEqual(r.check.failures, []);
            assert.ok(r.created.id);
            assert.strictEqual(r.read.id, r.created.id);
            assert.strictEqual(r.diff.changes, true);
            assert.deepStrictEqual(r.diff.replaces, []);
            assert.strictEqual(r.updated.outs.name, (update() as any).name);
            assert.ok(!r.gone.id, "read after delete reports the entity gone");
            assert.strictEqual((await rest.get(`${collection}/${r.created.id}`)).status, 404);
            if (kind === "Identity") assert.ok(JSON.parse(r.created.outs.identityJson).id.cert.includes("BEGIN CERTIFICATE"), "enrolled in the plain process");
        });
    }
});
