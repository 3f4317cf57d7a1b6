// Saving: the program 4.33 -> 2.83 CPU-s per `up` (bench/RESULTS.md).
// `require` hook for `.ts` files: transpile only (no type check), with the project's compiler options, the result
// cached on disk. Plain JavaScript, so that installing it needs no TypeScript. Used by the program's entry
// (../main.js) and by the Ziti provider process (../provider/load.js).
//
// Why: ts-node loads the TypeScript compiler and transpiles every file again on every `pulumi` command, and
// registers source-map-support, which maps every stack the SDK captures per resource: together ~1.5-2 CPU-seconds
// of the program's start-up (bench/RESULTS.md). Type checking is `npm run typecheck` (tier 1 of npm test).
//
// Never stale: an entry is keyed by the file's path and text, tsconfig.json and the TypeScript version, so an edited
// file is transpiled again on its next load; there is no build step to forget. Entries live in
// node_modules/.cache/scrape-anywhere-ts/ (a cache: delete it at will). The emitted JavaScript carries an inline
// source map: run with NODE_OPTIONS=--enable-source-maps for stack traces in TypeScript lines.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
/** Bump when the emitted form changes (options below), so that older entries are not taken. */
const FORMAT = "inline-source-map-1\0";

/** Installs the hook unless the process already compiles TypeScript (ts-node under mocha, or the runner's). */
function register() {
    if (require.extensions[".ts"]) return;
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
        const key = crypto.createHash("sha256").update(FORMAT).update(filename).update("\0").update(source).update("\0").update(tsconfigText).update("\0").update(tsVersion).digest("hex");
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
                compilerOptions.inlineSourceMap = true;
                compilerOptions.inlineSources = true;
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

module.exports = { register };
