// The admin-side `ziti tunnel proxy` ends with the process that started it, however that ends (issue 22
// finding 7): a wrapper that starts it the way startApiTunnel does (spawnTunnelProxy) is killed with SIGKILL,
// SIGTERM or SIGHUP, and the proxy (here a stand-in long-running command) must be gone right after, not
// listening on with the admin identity. Earlier versions started it detached and untied: it outlived them.
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { tiedToThisProcess, UNTIED_EXIT } from "../../scripts/lib/processes";
import { running } from "../helpers/running";

const repoRoot = path.resolve(__dirname, "..", "..");


/** Starts a wrapper that starts the stand-in proxy through spawnTunnelProxy; resolves with both pids. */
function startWrapper(): Promise<{ wrapper: number; proxy: number }> {
    const script = `const { spawnTunnelProxy } = require(${JSON.stringify(path.join(repoRoot, "scripts", "lib", "zitiTunnel"))});` +
        `const c = spawnTunnelProxy("sleep", ["300"], "ignore", process.env); c.unref();` +
        `process.stdout.write(c.pid + "\\n"); setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
            out += d;
            if (out.includes("\n")) resolve({ wrapper: child.pid!, proxy: Number(out.trim()) });
        });
        child.once("exit", (code) => reject(new Error(`the wrapper exited (${code}) before starting the proxy`)));
    });
}

describe("api tunnel: the proxy does not outlive its wrapper", function () {
    this.timeout(30_000);
    const started: number[] = [];
    after(() => { for (const p of started) { try { process.kill(-p, "SIGKILL"); } catch { /* gone */ } } });

    // The window between the fork and setpriv's prctl: had the wrapper died in it, the child would be another
    // process's by the time it is tied. Made on purpose by starting the tied argv from a parent that is not the
    // process that built it: the child must not run the command.
    it("does not run the command when its parent is not the process that asked (the wrapper died before the tie)", function () {
        const marker = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "sa-untied-")), "ran");
        const [file, argv] = tiedToThisProcess("touch", [marker]);
        const direct = spawnSync(file, argv);
        assert.strictEqual(direct.status, 0, `started by the process that asked, it runs: ${direct.stderr}`);
        assert.ok(fs.existsSync(marker), "the command ran");
        fs.rmSync(marker);
        // A shell in between (no exec of the last command: `; true`), so the tied child's parent is the shell.
        const other = spawnSync("/bin/sh", ["-c", '"$@"; true', "sh", file, ...argv]);
        assert.strictEqual(other.status, 0);
        assert.ok(!fs.existsSync(marker), "a child whose parent is another process ran the command untied");
        const status = spawnSync("/bin/sh", ["-c", '"$@"; echo $?', "sh", file, ...argv], { encoding: "utf8" }).stdout.trim();
        assert.strictEqual(status, String(UNTIED_EXIT), "it exits with UNTIED_EXIT");
        fs.rmSync(path.dirname(marker), { recursive: true, force: true });
    });

    for (const sig of ["SIGKILL", "SIGTERM", "SIGHUP"] as const) {
        it(`ends when the wrapper is killed with ${sig}`, async function () {
            const { wrapper, proxy } = await startWrapper();
            started.push(proxy);
            // setpriv has exec'ed the stand-in once its command line is the stand-in's.
            for (let i = 0; i < 50 && !fs.readFileSync(`/proc/${proxy}/cmdline`, "utf8").startsWith("sleep"); i++) await new Promise((r) => setTimeout(r, 100));
            assert.ok(running(proxy), "the proxy runs");
            process.kill(wrapper, sig);
            for (let i = 0; i < 30 && running(proxy); i++) await new Promise((r) => setTimeout(r, 100));
            assert.ok(!running(proxy), `the proxy ${proxy} still runs after its wrapper got ${sig}`);
        });
    }
});
