// What `npm start` sets for the embedded dev stack, for `npm run ui` / `npm run verify` run from a fresh shell: the
// commands npm start's summary prints must work as printed. Only for the stack `dev`, only what the caller has not
// set, and only when npm start's state is there: its file:// backend in <program>/.state/pulumi with the documented
// throwaway passphrase (scripts/start.sh), and the local OpenZiti network's ZITI_* settings while it runs
// (scripts/localNetwork.ts env, without starting it). Says on stderr what it took.
import * as fs from "fs";
import * as path from "path";

export function applyDevDefaults(stack: string, programDir: string, tool: string, env: NodeJS.ProcessEnv = process.env): void {
    if (stack !== "dev") return;
    const took: string[] = [];
    const backend = path.join(programDir, ".state", "pulumi");
    if (!env.PULUMI_BACKEND_URL && fs.existsSync(backend)) {
        env.PULUMI_BACKEND_URL = `file://${backend}`;
        took.push(`the backend ${path.relative(process.cwd(), backend) || backend}`);
        if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
            // The documented throwaway of the local dev stack only (README; scripts/start.sh sets the same).
            env.PULUMI_CONFIG_PASSPHRASE = "scrape-anywhere-dev";
            took.push("its throwaway passphrase");
        }
    }
    if (!env.ZITI_API_HOST && !env.ZITI_IDENTITY_FILE) {
        // Loaded here, not at the top: localNetwork.ts reads SCRAPE_ANYWHERE_ZITI_HOME when loaded.
        const net = require("../localNetwork") as typeof import("../localNetwork");
        const n = net.savedNetwork();
        if (n && net.networkRunning()) {
            Object.assign(env, { ZITI_API_HOST: n.controllerUrl, ZITI_USERNAME: n.username, ZITI_PASSWORD: net.adminPassword(), ZITI_CA_BUNDLE: n.caBundlePath });
            took.push(`the local OpenZiti network ${n.controllerUrl}`);
        }
    }
    if (took.length) process.stderr.write(`${tool}: npm start's ${took.join(", ")} (set PULUMI_BACKEND_URL / ZITI_API_HOST to use others)\n`);
}
