// Saving: ~0.4 CPU-s of every Node.js process of a `pulumi` command (require("@pulumi/pulumi") 0.85 -> 0.49 CPU-s, bench/RESULTS.md).
// Loads @npmcli/arborist when first used instead of with @pulumi/pulumi: its runtime/index.js loads
// runtime/closure/codePaths.js, which loads @npmcli/arborist (and with it pacote, sigstore, cacache,
// npm-registry-fetch...) at once, ~0.4 CPU-s of every Node.js process of a `pulumi` command (bench/RESULTS.md), for
// computeCodePaths, which packages code for cloud functions and which this project never calls. Required first by
// the program (../main.js) and preloaded into the Ziti provider process by the dynamic-provider wrapper
// (tools/pulumi-resource-pulumi-nodejs). Plain JavaScript; does nothing if arborist is already loaded.
"use strict";
const sdk = require("path").dirname(require.resolve("@pulumi/pulumi/package.json"));
const file = require.resolve("@npmcli/arborist", { paths: [sdk] });
if (!require.cache[file]) {
    let real;
    const load = () => {
        if (!real) {
            delete require.cache[file];
            real = require(file);
        }
        return real;
    };
    const Module = require("module");
    const stub = new Module(file, module);
    stub.filename = file;
    stub.loaded = true;
    // `__esModule` makes the SDK's __importStar keep this object as it is instead of copying its keys.
    stub.exports = new Proxy({}, {
        get: (_t, k) => (k === "__esModule" ? true : load()[k]),
        has: (_t, k) => k in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_t, k) => Object.getOwnPropertyDescriptor(load(), k),
    });
    require.cache[file] = stub;
}

// The closure serializer stand-in lives beside this hook: the dynamic-provider wrapper preloads only this file
// (tools/pulumi-resource-pulumi-nodejs names it), and both must be in place before the SDK loads.
require("./closureCache");
