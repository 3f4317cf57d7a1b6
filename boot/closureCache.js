// Saving: measured in bench/RESULTS.md (issue 24): the program no longer serializes the six Ziti loaders (nor
// loads the TypeScript compiler to parse them) on every `pulumi` command, and the Ziti provider process starts that
// much earlier, since the engine starts it only when the first Ziti resource's `__provider` is known.
//
// Disk cache of the serialized Ziti loaders (../provider/remote.ts remoteProviders) and of the owner id's provider
// (../provider/ownerId.ts). Every `pulumi.dynamic.Resource`
// serializes its provider object with the SDK's closure serializer (@pulumi/pulumi dynamic/index.js
// serializeFunctionMaybeSecret -> runtime/closure/serializeClosure.js serializeFunction(() => provider)), which
// loads TypeScript to parse each function and walks everything it captures; the SDK caches the result per object
// for one process only. The loaders' text is a pure function of their code and the plain data they capture, so this
// hook stands in for the serializer's module (as lazyArborist.js does for @npmcli/arborist: nothing is loaded until
// used) and, for the SDK's own `() => provider` call on one of our loaders, answers from
// node_modules/.cache/scrape-anywhere-closures/<key>.json. Any other call goes to the real serializer untouched.
//
// Never stale: the key is the SDK, Node.js and TypeScript versions, the source of the provider's methods, and for a
// loader its kind, the source of every function remote.ts exports (what the loaders capture: remoteProvider, implementation, locateProvider, describeCode) and the
// checkout data the loaders record (describeCode: folder, version, fingerprint of provider/). A miss serializes as the SDK would
// and stores the result. Required by ./lazyArborist.js, which ../main.js requires before the program loads the SDK
// and the dynamic-provider wrapper (tools/pulumi-resource-pulumi-nodejs) preloads into the Ziti provider process.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
const file = require.resolve("@pulumi/pulumi/runtime/closure/serializeClosure", { paths: [root] });
/** The exact text of the SDK's call (dynamic/index.js): only then is calling the function free of side effects. */
const SDK_CALL = "() => provider";

function version(pkg) {
    try {
        return JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [sdk, root] }), "utf8")).version;
    } catch {
        return "";
    }
}

/** The cache key of `provider` when it is one of ours (remote.ts loaders, ownerId.ts's provider), else undefined. */
function keyOf(provider) {
    const h = crypto.createHash("sha256").update("closure-cache-2\0");
    for (const part of [version("@pulumi/pulumi"), process.version, version("typescript")]) h.update(part).update("\0");
    // Every method's source: what the serializer starts from.
    for (const m of Object.keys(provider).sort()) h.update(m).update("\0").update(String(provider[m])).update("\0");
    const loaded = (f) => require.cache[path.join(root, "provider", f)]?.exports;
    const owner = loaded("ownerId.ts");
    // Self-contained: its methods capture nothing but `require`.
    if (owner?.ownerIdProvider === provider) return h.update("OwnerId").digest("hex");
    const remote = loaded("remote.ts");
    if (!remote?.remoteProviders || typeof remote.describeCode !== "function") return undefined;
    const kind = Object.keys(remote.remoteProviders).find(k => remote.remoteProviders[k] === provider);
    if (!kind) return undefined;
    // What remote.ts recorded when it loaded (its RECORDED, not exported: an exported const would be captured as
    // `exports.RECORDED`, and with it the whole module), computed again the same way.
    h.update(kind).update("\0").update(JSON.stringify(remote.describeCode(root))).update("\0");
    for (const name of Object.keys(remote).sort()) if (typeof remote[name] === "function") h.update(name).update("\0").update(remote[name].toString()).update("\0");
    return h.digest("hex");
}

if (!require.cache[file]) {
    let real;
    // The real module is loaded beside the stand-in, which stays in require.cache: the SDK requires the serializer
    // anew for every dynamic resource (dynamic/index.js), and each must reach the cache.
    const load = () => {
        if (!real) {
            const stub = require.cache[file];
            delete require.cache[file];
            try {
                real = require(file);
            } finally {
                require.cache[file] = stub;
            }
        }
        return real;
    };
    const cacheDir = path.join(root, "node_modules", ".cache", "scrape-anywhere-closures");
    async function serializeFunction(func, args) {
        const key = typeof func === "function" && func.length === 0 && func.toString() === SDK_CALL ? keyOf(func()) : undefined;
        const entry = key && path.join(cacheDir, `${key}.json`);
        if (entry) {
            try {
                return JSON.parse(fs.readFileSync(entry, "utf8"));
            } catch {
                // a miss (or an unreadable entry): serialize below
            }
        }
        const result = await load().serializeFunction(func, args);
        if (entry) {
            try {
                fs.mkdirSync(cacheDir, { recursive: true });
                const tmp = `${entry}.${process.pid}.tmp`;
                fs.writeFileSync(tmp, JSON.stringify({ text: result.text, exportName: result.exportName, containsSecrets: result.containsSecrets }));
                fs.renameSync(tmp, entry);
            } catch {
                // a cache that cannot be written only costs the next run this serialization again
            }
        }
        return result;
    }
    const Module = require("module");
    const stub = new Module(file, module);
    stub.filename = file;
    stub.loaded = true;
    // The SDK's runtime/index.js reads serializeFunction and serializeFunctionAsync when it loads: both are answered
    // here without loading the serializer, which loads the TypeScript compiler (parseFunction.js ->
    // typescript-shim.js), ~0.5 CPU-s of every Node.js process of a `pulumi` command that never serializes.
    const serializeFunctionAsync = (...a) => load().serializeFunctionAsync(...a);
    stub.exports = new Proxy({}, {
        get: (_t, k) => (k === "serializeFunction" ? serializeFunction : k === "serializeFunctionAsync" ? serializeFunctionAsync : k === "__esModule" ? true : load()[k]),
        has: (_t, k) => k in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_t, k) => (k === "serializeFunction" ? { value: serializeFunction, enumerable: true, configurable: true, writable: false } : Object.getOwnPropertyDescriptor(load(), k)),
    });
    require.cache[file] = stub;
}
