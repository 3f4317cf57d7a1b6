// The program's entry point, as the engine runs it (package.json "main"; Pulumi.yaml sets
// runtime.options.typescript: false, so the runner does not register ts-node): installs the cached transpile hook
// (boot/transpileCache.js) and runs index.ts. There is no build step and nothing to go stale: each .ts file
// is transpiled again when its text changes. Tests (mocha) and scripts keep using ts-node.
"use strict";

// The SDK start-up hooks (boot/, each with its measured saving): cheap stack traces, @npmcli/arborist loaded when
// first used instead of with @pulumi/pulumi, and the cached transpile hook.
require("./boot/stackTraces");
require("./boot/lazyArborist");
require("./boot/transpileCache").register();
module.exports = require("./index.ts");
