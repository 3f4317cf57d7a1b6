// `scripts/localNetwork.ts` run as a user runs it (ts-node, transpile only) on a home of the test's own, so a test
// starts and stops its own local network without touching the checkout's `.state/ziti/`.
import { execFile } from "child_process";
import * as path from "path";

const repo = path.resolve(__dirname, "..", "..");

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `cmd` in the repository; never rejects: a failure is a non-zero `code`. */
export function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout = 240_000): Promise<CommandResult> {
    return new Promise((resolve) => {
        execFile(cmd, args, { cwd: repo, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

/** `localNetwork.ts <args>` with its home at `home` (SCRAPE_ANYWHERE_ZITI_HOME). */
export function localNetworkCli(home: string): (...args: string[]) => Promise<CommandResult> {
    const env = { ...process.env, SCRAPE_ANYWHERE_ZITI_HOME: home, TS_NODE_TRANSPILE_ONLY: "true" };
    const tsNode = path.join(repo, "node_modules", ".bin", "ts-node");
    return (...args) => runCommand(tsNode, [path.join(repo, "scripts", "localNetwork.ts"), ...args], env);
}
