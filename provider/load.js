// Loads the real Ziti providers (./providers.ts) in the dynamic-provider process, for the loaders that Ziti
// resources serialize (./remote.ts). Plain JavaScript, so that finding it needs no TypeScript.
//
// Unless the process already compiles TypeScript (the program, mocha), `.ts` files are loaded through
// ../transpileCache.js (transpiled once, cached on disk): loading the TypeScript compiler costs ~1.5 CPU-seconds,
// which every `pulumi` command that touches a Ziti resource (even a no-op `up`) paid at provider start
// (bench/RESULTS.md).
"use strict";
let implementations;

module.exports = function load(kind) {
    if (!implementations) {
        require("../boot/transpileCache").register();
        implementations = require("./providers").implementations;
    }
    const provider = implementations[kind];
    if (!provider) throw new Error(`no Ziti provider for kind ${kind}`);
    return provider;
};
