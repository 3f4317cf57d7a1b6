// boot/ relies on internals of the pinned @pulumi/pulumi (3.248.0). If an SDK upgrade moves them, these fail loudly,
// naming the hook to re-measure or remove, instead of the hooks silently doing nothing (or breaking start-up).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
const read = (f: string) => fs.readFileSync(path.join(sdk, f), "utf8");

describe("boot: the SDK internals the start-up hooks rely on", () => {
    it("the SDK is the pinned version the hooks were measured on", () => {
        assert.strictEqual(JSON.parse(read("package.json")).version, "3.248.0", "re-measure boot/*.js (bench/RESULTS.md) against the new SDK, then update this pin");
    });

    it("stackTraces.js: promise stacks come from debuggablePromise, resource stacks with stackTraceLimit = Infinity, cmd/run maps them", () => {
        assert.match(read("runtime/debuggable.js"), /function debuggablePromise\(/, "boot/stackTraces.js keys on the frame name debuggablePromise");
        assert.match(read("resource.js"), /Error\.stackTraceLimit = Number\.POSITIVE_INFINITY/, "boot/stackTraces.js keys on stackTraceLimit === Infinity");
        assert.match(read("cmd/run/index.js"), /require\("source-map-support\/register"\)/, "boot/stackTraces.js wraps source-map-support's prepareStackTrace");
    });

    it("lazyArborist.js: the SDK loads @npmcli/arborist eagerly through runtime/closure/codePaths.js, through __importStar", () => {
        const codePaths = read("runtime/closure/codePaths.js");
        assert.match(codePaths, /__importStar\(require\("@npmcli\/arborist"\)\)/, "boot/lazyArborist.js stands in for this require");
        assert.match(read("runtime/index.js"), /require\("\.\/closure\/codePaths"\)/);
        assert.ok(require.resolve("@npmcli/arborist", { paths: [sdk] }));
    });

    it("transpileCache.js: the hook transpiles a .ts file and the entry loads the program through it", () => {
        const src = fs.readFileSync(path.join(root, "main.js"), "utf8");
        for (const hook of ["./boot/stackTraces", "./boot/lazyArborist", "./boot/transpileCache"]) assert.ok(src.includes(`require("${hook}")`), `main.js no longer requires ${hook}`);
        assert.strictEqual(typeof require(path.join(root, "boot", "transpileCache")).register, "function");
    });

    it("stackTraces.js: errors keep the mapped format, resource stacks (stackTraceLimit Infinity) get the plain one", () => {
        // In a plain node process: mocha's ts-node keeps its own stack formatting in this one.
        const script = `Error.prepareStackTrace = () => "mapped"; require(${JSON.stringify(path.join(root, "boot", "stackTraces.js"))});
            const a = new Error("x").stack; Error.stackTraceLimit = Infinity; const b = new Error("y").stack;
            process.stdout.write(JSON.stringify([a, b.split("\\n")[0]]));`;
        const out = require("child_process").execFileSync(process.execPath, ["-e", script], { encoding: "utf8" });
        assert.deepStrictEqual(JSON.parse(out), ["mapped", "Error: y"]);
    });

    it("closureCache.js: the SDK serializes a dynamic provider as `() => provider`, runtime/index.js reads two names, the serializer loads TypeScript", () => {
        assert.match(read("dynamic/index.js"), /sc\.serializeFunction\(\(\) => provider, \{ allowSecrets: true \}\)/, "boot/closureCache.js answers only this exact call");
        assert.match(read("dynamic/index.js"), /require\("\.\.\/runtime\/closure\/serializeClosure"\)/);
        const runtime = read("runtime/index.js");
        assert.match(runtime, /exports\.serializeFunctionAsync = serializeClosure_1\.serializeFunctionAsync;/, "boot/closureCache.js answers this name without loading the serializer");
        assert.match(runtime, /exports\.serializeFunction = serializeClosure_1\.serializeFunction;/);
        assert.match(read("runtime/closure/parseFunction.js"), /require\("\.\.\/\.\.\/typescript-shim"\)/, "the saving: the serializer loads TypeScript");
    });

    it("closureCache.js: the Ziti loaders' serialized text is the SDK's own, the SDK loads without TypeScript, a second process reads the cache", function () {
        this.timeout(60000);
        // Plain node processes (mocha's ts-node has loaded TypeScript already). `hook` 0: the SDK's serializer as is.
        const script = (hook: boolean) => `const root = ${JSON.stringify(root)};
            ${hook ? 'require(root + "/boot/lazyArborist");' : ""}
            require(root + "/boot/transpileCache").register();
            require(root + "/node_modules/@pulumi/pulumi");
            const ts = () => Object.keys(require.cache).some(k => k.includes("/node_modules/typescript/"));
            const withSdk = ts();
            const { remoteProviders } = require(root + "/provider/remote.ts");
            const sc = require(root + "/node_modules/@pulumi/pulumi/runtime/closure/serializeClosure");
            (async () => {
                const texts = [];
                for (const k of Object.keys(remoteProviders)) { const provider = remoteProviders[k]; texts.push((await sc.serializeFunction(() => provider, { allowSecrets: true })).text); }
                const atEnd = ts();
                // A provider that is not ours (the real serializer loads), then the SDK requires the module again, as
                // dynamic/index.js does for every resource: it must still get the stand-in.
                const other = { async create() { return { id: "x", outs: {} }; } };
                await sc.serializeFunction((() => { const provider = other; return () => provider; })(), { allowSecrets: true });
                const again = require(root + "/node_modules/@pulumi/pulumi/runtime/closure/serializeClosure");
                const standIn = again.serializeFunction.toString().includes("SDK_CALL");
                process.stdout.write(JSON.stringify({ withSdk, atEnd, texts, standIn }));
            })();`;
        const run = (hook: boolean) => JSON.parse(require("child_process").execFileSync(process.execPath, ["-e", script(hook)], { encoding: "utf8", cwd: root }));
        const real = run(false);
        const first = run(true);
        const second = run(true);
        assert.strictEqual(real.withSdk, true, "without the hook the SDK loads TypeScript (the saving)");
        assert.deepStrictEqual(first.texts, real.texts, "the cache must hold exactly what the SDK serializes");
        assert.deepStrictEqual(second.texts, real.texts);
        assert.strictEqual(first.withSdk, false, "with the hook the SDK loads without TypeScript");
        assert.strictEqual(second.atEnd, false, "a cache hit serializes nothing (TypeScript never loaded)");
        assert.strictEqual(second.standIn, true, "after a provider that is not ours loaded the real serializer, the SDK must still reach the cache");
    });
});
