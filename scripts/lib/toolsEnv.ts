// The environment `scripts/tools.sh env` prints (PATH, PULUMI_HOME and the offline settings), parsed from its
// `export NAME=value` lines: for the tiers and commands that run the real pulumi / ziti binaries from the shared
// tool cache.
import { execFileSync } from "child_process";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * PATH, PULUMI_HOME and the offline settings of scripts/tools.sh (builds the tools first if needed); with `what`
 * (`control-plane`, `node`, `workloads`), what that command of tools.sh exports instead.
 */
export function toolsEnv(what = "env"): Record<string, string> {
    const out = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), what], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
        const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");
    }
    return env;
}

/** Whether `name` is an executable on PATH. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
    const fs = require("fs") as typeof import("fs");
    return (env.PATH ?? "").split(path.delimiter).some(d => {
        try { fs.accessSync(path.join(d, name), fs.constants.X_OK); return true; } catch { return false; }
    });
}

/** Puts the tools of scripts/tools.sh into `process.env` unless `pulumi` is on PATH already. */
export function ensureToolsOnPath(): void {
    if (onPath("pulumi")) return;
    Object.assign(process.env, toolsEnv());
}
