// Loads the real Ziti providers (./providers.ts) in the dynamic-provider process, for the loaders that Ziti
// resources serialize (./remote.ts). Plain JavaScript, so that finding it needs no TypeScript: it registers
// ts-node (transpile only, the project's tsconfig.json) unless the process already compiles TypeScript.
"use strict";
const path = require("path");

let implementations;

module.exports = function load(kind) {
    if (!implementations) {
        if (!require.extensions[".ts"]) {
            const root = path.resolve(__dirname, "..", "..");
            const tsNode = require(require.resolve("ts-node", { paths: [root, process.cwd()] }));
            tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
        }
        implementations = require("./providers").implementations;
    }
    const provider = implementations[kind];
    if (!provider) throw new Error(`no Ziti provider for kind ${kind}`);
    return provider;
};
