// Preloaded into every Node.js process of a `pulumi` command by bench/profileStart.ts (NODE_OPTIONS=--require ...;
// Node 20 refuses --cpu-prof in NODE_OPTIONS): V8's sampling profiler over the inspector protocol, from the
// preload to the process's end, written to $SA_CPU_PROFILE_DIR/<pid>.cpuprofile with <pid>.json beside it (argv,
// and the epoch of the monotonic clock, so the profile's sample times can be put on the command's timeline).
// The inspector session of the main thread answers synchronously, so the profile is written even from "exit".
"use strict";
const dir = process.env.SA_CPU_PROFILE_DIR;
if (dir) {
    const fs = require("fs");
    const path = require("path");
    const inspector = require("inspector");
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.setSamplingInterval", { interval: 500 });
    session.post("Profiler.enable");
    session.post("Profiler.start");
    const epochMs = Date.now();
    const monoUs = Number(process.hrtime.bigint() / 1000n);
    let written = false;
    const write = () => {
        if (written) return;
        written = true;
        session.post("Profiler.stop", (err, res) => {
            if (err) return;
            fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
            fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify({ pid: process.pid, argv: process.argv, epochMs, monoUs }));
        });
    };
    process.on("exit", write);
    for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { write(); process.exit(128 + (sig === "SIGINT" ? 2 : 15)); });
}
