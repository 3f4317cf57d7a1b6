// What a Ziti resource really stores as its provider (`__provider`: the small loaders of provider/remote.ts,
// taken from resources registered under the SDK's mocks, so serialized exactly as `pulumi.dynamic.Resource` does),
// run the way the engine runs it: a plain Node process (no ts-node loaded, no project module on the require path),
// deserialized like @pulumi/pulumi cmd/dynamic-provider (require-from-string), configured through `configure`,
// against the real controller. From the project folder every kind does create/read/diff/update/delete; from
// another folder the loader must run the checkout's code it recorded, never code that merely sits in that folder.
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZITI_KINDS, ZitiKind } from "../../provider/kinds";
import { adminRest, leftovers, Rest, uniquePrefix, zitiController } from "../helpers/zitiController";
import type { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";

const P = uniquePrefix("s");
const repo = path.resolve(__dirname, "..", "..");
let rest: Rest;
let ctl: ZitiQuickstart;
let dir: string;
/** `__provider` text by kind. */
let texts: Record<string, string>;

function execNode(args: string[], cwd: string, env: NodeJS.ProcessEnv, withTsNode = false): Promise<{ stdout: string; stderr: string; code: number }> {
    const cmd = withTsNode ? path.join(repo, "node_modules", ".bin", "ts-node") : process.execPath;
    return new Promise((resolve) => {
        execFile(cmd, args, { cwd, env, timeout: 90_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) =>
            resolve({ stdout, stderr, code: err ? ((err as any).code ?? 1) : 0 }),
        );
    });
}

// Runs in the child: deserialize like cmd/dynamic-provider (require-from-string), configure with stack config,
// then create -> read -> update -> delete.
const DRIVER = `
const requireFromString = require(require.resolve("require-from-string", { paths: [process.argv[2]] }));
const fs = require("fs");
(async () => {
    const [, , , providerFile, configJson, inputsJson, updateJson] = process.argv;
    if (require.extensions[".ts"]) throw new Error("the driver must start without a TypeScript loader");
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

/** A plain Node process in `cwd`, without the environment fallbacks, driving the provider text in `providerFile`. */
async function runDriver(providerFile: string, inputs: unknown, update: unknown, cwd = repo, extraEnv: Record<string, string> = {}): Promise<any> {
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...extraEnv };
    const r = await execNode([path.join(dir, "driver.js"), repo, providerFile, JSON.stringify(config()), JSON.stringify(inputs), JSON.stringify(update)], cwd, env);
    if (r.code !== 0) throw new Error(`driver failed: ${r.stderr}`);
    return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

const config = () => ({
    "ziti:controllerUrl": ctl.controllerUrl,
    "ziti:username": ctl.username,
    "ziti:password": ctl.password,
    "ziti:caBundle": ctl.caBundlePath,
});

describe("ziti provider: serialized providers in a plain Node process", function () {
    before(async function () {
        this.timeout(180_000);
        ctl = await zitiController();
        rest = await adminRest(ctl);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-ser-"));
        fs.writeFileSync(path.join(dir, "driver.js"), DRIVER);
        const captured = await execNode([path.join(__dirname, "fixtures", "serializedProviders.ts")], repo, { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" }, true);
        assert.strictEqual(captured.code, 0, captured.stderr);
        texts = JSON.parse(captured.stdout);
    });

    after(async function () {
        fs.rmSync(dir, { recursive: true, force: true });
        if (!rest) return;
        const left = await leftovers(rest, P);
        await rest.close();
        assert.deepStrictEqual(left, [], "entities left behind on the controller");
    });

    /** Inputs and an update per kind; the collection is the registry's (provider/kinds.ts). */
    const cases: [ZitiKind, () => unknown, () => unknown][] = [
        ["Identity", () => ({ name: `${P}.ser.id`, roleAttributes: ["a"] }), () => ({ name: `${P}.ser2.id`, roleAttributes: ["a", "b"] })],
        [
            "Config",
            () => ({ name: `${P}.ser.cfg`, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["ser.ziti"], portRanges: [{ low: 80, high: 81 }] } }),
            () => ({ name: `${P}.ser.cfg`, configType: "intercept.v1", data: { protocols: ["tcp"], addresses: ["ser2.ziti"], portRanges: [{ low: 80, high: 81 }] } }),
        ],
        ["Service", () => ({ name: `${P}.ser.svc` }), () => ({ name: `${P}.ser.svc`, roleAttributes: ["x"] })],
        [
            "ServicePolicy",
            () => ({ name: `${P}.ser.sp`, type: "Dial", serviceRoles: ["#x"], identityRoles: ["#a"] }),
            () => ({ name: `${P}.ser.sp`, type: "Dial", serviceRoles: ["#x"], identityRoles: ["#b", "#a"] }),
        ],
        [
            "EdgeRouterPolicy",
            () => ({ name: `${P}.ser.erp`, edgeRouterRoles: ["#all"], identityRoles: ["#a"] }),
            () => ({ name: `${P}.ser.erp`, edgeRouterRoles: ["#all"], identityRoles: ["#b"] }),
        ],
        [
            "ServiceEdgeRouterPolicy",
            () => ({ name: `${P}.ser.serp`, edgeRouterRoles: ["#all"], serviceRoles: ["#x"] }),
            () => ({ name: `${P}.ser.serp2`, edgeRouterRoles: ["#all"], serviceRoles: ["#x"] }),
        ],
    ];

    it("covers every kind of the registry", function () {
        assert.deepStrictEqual(cases.map(([k]) => k), ZITI_KINDS.map((k) => k.kind));
    });

    for (const [kind, inputs, update] of cases) {
        const collection = ZITI_KINDS.find((k) => k.kind === kind)!.collection;
        it(`${kind}: its __provider holds no live state and runs create/read/diff/update/delete from the project folder`, async function () {
            const text = texts[kind];
            assert.ok(text && text.includes("exports.handler"), `a serialized __provider for ${kind}`);
            assert.ok(text.length < 8_000, `the loader stays small (${text.length} characters)`);
            assert.ok(!text.includes(ctl.password), "no password in the serialized provider");
            assert.ok(!/zt-session"\s*:\s*"[0-9a-f-]{20,}/.test(text), "no session token in the serialized provider");
            const file = path.join(dir, `${kind}.js`);
            fs.writeFileSync(file, text);
            const r = await runDriver(file, inputs(), update());
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

    describe("the loader's code path, run from another folder", function () {
        const svc = (tag: string) => [{ name: `${P}.${tag}.svc` }, { name: `${P}.${tag}.svc`, roleAttributes: ["y"] }] as const;
        let elsewhere: string;
        let marker: string;

        beforeEach(function () {
            elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-elsewhere-"));
            marker = path.join(elsewhere, "EXECUTED");
            fs.writeFileSync(path.join(dir, "Service.js"), texts.Service);
        });
        afterEach(() => fs.rmSync(elsewhere, { recursive: true, force: true }));

        /** A folder with a provider/load.js that records that it ran, and the given package.json. */
        function planted(pkg: unknown): void {
            fs.mkdirSync(path.join(elsewhere, "provider"), { recursive: true });
            fs.writeFileSync(path.join(elsewhere, "provider", "load.js"), `require("fs").writeFileSync(${JSON.stringify(marker)}, "ran"); module.exports = () => { throw new Error("planted code ran"); };`);
            if (pkg !== undefined) fs.writeFileSync(path.join(elsewhere, "package.json"), JSON.stringify(pkg));
        }

        it("runs the recorded checkout's code from a folder that holds no project", async function () {
            const [inputs, update] = svc("away");
            const r = await runDriver(path.join(dir, "Service.js"), inputs, update, elsewhere);
            assert.strictEqual(r.updated.outs.roleAttributes[0], "y");
            assert.ok(!r.gone.id);
        });

        it("never runs code planted in the working folder: another project's, or this project's at another version", async function () {
            for (const pkg of [undefined, { name: "something-else", version: "0.1.0" }, { name: "scrape-anywhere", version: "99.0.0" }]) {
                planted(pkg);
                const [inputs, update] = svc(`planted${pkg ? (pkg as any).version.split(".")[0] : "none"}`);
                const r = await runDriver(path.join(dir, "Service.js"), inputs, update, elsewhere);
                assert.ok(!fs.existsSync(marker), `the planted load.js ran (package.json ${JSON.stringify(pkg)})`);
                assert.strictEqual(r.updated.outs.roleAttributes[0], "y", "the checkout's code did the work");
            }
        });

        it("fails with a clear error when the recorded code is missing, and runs the folder SCRAPE_ANYWHERE_ZITI_CODE names", async function () {
            const recorded = JSON.stringify(repo);
            assert.ok(texts.Service.includes(recorded), "the loader records the checkout");
            const moved = path.join(dir, "Service-moved.js");
            fs.writeFileSync(moved, texts.Service.split(recorded).join(JSON.stringify(path.join(elsewhere, "gone"))));
            const [inputs, update] = svc("moved");
            await assert.rejects(runDriver(moved, inputs, update, elsewhere), (e: Error) => {
                assert.match(e.message, /the Ziti provider code for this resource \(scrape-anywhere [^)]+\) was not found/);
                assert.match(e.message, /no readable package\.json/);
                assert.match(e.message, /SCRAPE_ANYWHERE_ZITI_CODE/);
                return true;
            });
            const r = await runDriver(moved, inputs, update, elsewhere, { SCRAPE_ANYWHERE_ZITI_CODE: repo });
            assert.strictEqual(r.updated.outs.roleAttributes[0], "y");
        });
    });
});

