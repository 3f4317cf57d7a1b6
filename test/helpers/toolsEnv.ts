// The environment `scripts/tools.sh env` prints, for the tiers that run the real pulumi / ziti binaries
// (the same function the commands use: scripts/lib/toolsEnv.ts).
export { toolsEnv } from "../../scripts/lib/toolsEnv";
