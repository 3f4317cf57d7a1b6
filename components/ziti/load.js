// Loads the real Ziti providers (./providers.ts) in the dynamic-provider process, for the loaders that Ziti
// resources serialize (./remote.ts). Plain JavaScript, so that finding it needs no TypeScript.
//
// Unless the process already compiles TypeScript (the program, mocha), `.ts` files are transpiled here with the
// project's compiler options and the result is cached in node_modules/.cache/scrape-anywhere-ts/, keyed by file
// name, source, tsconfig.json and the TypeScript version: loading the TypeScript compiler costs ~1.5 CPU-seconds, which every `pulumi`
// command that touches a Ziti resource (even a no-op `up`) paid at provider start (bench/RESULTS.md).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
let implementations;

/** `require` hook for `.ts`: transpile only (no type check, as the program runs), cached on disk. */
function registerCachedTranspile() {
    const tsconfigFile = path.join(root, "tsconfig.json");
    const tsconfigText = fs.existsSync(tsconfigFile) ? fs.readFileSync(tsconfigFile, "utf8") : "{}";
    const cacheDir = path.join(root, "node_modules", ".cache", "scrape-anywhere-ts");
    let tsVersion = "";
    try {
        tsVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [root, process.cwd()] }), "utf8")).version;
    } catch {
        // no TypeScript installed: the first cache miss says so
    }
    let ts;
    let compilerOptions;
    require.extensions[".ts"] = (module, filename) => {
        const source = fs.readFileSync(filename, "utf8");
        const key = crypto.createHash("sha256").update(filename).update("\0").update(source).update("\0").update(tsconfigText).update("\0").update(tsVersion).digest("hex");
        const cached = path.join(cacheDir, `${key}.js`);
        let js;
        try {
            js = fs.readFileSync(cached, "utf8");
        } catch {
            if (!ts) {
                ts = require(require.resolve("typescript", { paths: [root, process.cwd()] }));
                const parsed = ts.parseConfigFileTextToJson(tsconfigFile, tsconfigText);
                compilerOptions = ts.convertCompilerOptionsFromJson(parsed.config?.compilerOptions ?? {}, root).options;
                compilerOptions.module = ts.ModuleKind.CommonJS;
                compilerOptions.sourceMap = false;
                compilerOptions.inlineSourceMap = false;
            }
            js = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
            try {
                fs.mkdirSync(cacheDir, { recursive: true });
                const tmp = `${cached}.${process.pid}`;
                fs.writeFileSync(tmp, js);
                fs.renameSync(tmp, cached);
            } catch {
                // a read-only checkout still works, it just transpiles every time
            }
        }
        module._compile(js, filename);
    };
}

module.exports = function load(kind) {
    if (!implementations) {
        if (!require.extensions[".ts"]) registerCachedTranspile();
        implementations = require("./providers").implementations;
    }
    const provider = implementations[kind];
    if (!provider) throw new Error(`no Ziti provider for kind ${kind}`);
    return provider;
};
