// The environment `scripts/tools.sh env` prints (PATH, PULUMI_HOME and the offline settings), parsed from its
// `export NAME=value` lines, for the tiers that run the real pulumi / ziti binaries from the shared tool cache.
import { execFileSync } from "child_process";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");

/** PATH, PULUMI_HOME and the offline settings of scripts/tools.sh (builds the tools first if needed). */
export function toolsEnv(): Record<string, string> {
    const out = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "env"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
        const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");
    }
    return env;
}
