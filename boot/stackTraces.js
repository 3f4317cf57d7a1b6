// Stack traces the SDK formats all the time, made cheap. Saving: ~0.5 CPU-s per `up` of the seed (bench/RESULTS.md).
// Required first by the program's entry (../main.js). Relies on the pinned SDK's internals, which
// test/unit/boot.spec.ts checks: runtime/debuggable.js `debuggablePromise`, resource.js raising
// Error.stackTraceLimit to Infinity around its callsite capture, cmd/run installing source-map-support.
//
"use strict";
// The SDK's runner (@pulumi/pulumi/cmd/run) installs source-map-support, and the SDK formats stack traces all the
// time: one for every promise it makes (debuggablePromise in runtime/debuggable.js), printed only in the leak report
// of PULUMI_DEBUG_PROMISE_LEAKS, and a full one for every resource it constructs (Resource.callsites in
// resource.js, with Error.stackTraceLimit raised to Infinity), for its source position. Mapping those through source
// maps, mostly parsing the SDK's own .js.map files, cost ~0.5 CPU-s for the seed's resources (bench/RESULTS.md).
// So: promise stacks are not formatted unless that leak report is asked for, resource stacks get V8's plain format,
// and every other stack (errors) is still mapped, so a trace points at TypeScript lines.
const mapped = Error.prepareStackTrace;
if (typeof mapped === "function") {
    const leakReport = !!process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    const plain = (error, frames) => `${error}${frames.map((f) => `\n    at ${f}`).join("")}`;
    Error.prepareStackTrace = (error, frames) => {
        if (Error.stackTraceLimit === Infinity) return plain(error, frames);
        if (!leakReport && frames[0]?.getFunctionName() === "debuggablePromise") return `${error}`;
        return mapped(error, frames);
    };
}
