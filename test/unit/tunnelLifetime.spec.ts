// The admin-side `ziti tunnel proxy` ends with the process that started it, however that ends (issue 22
// finding 7): a wrapper that starts it the way startApiTunnel does (spawnTunnelProxy) is killed with SIGKILL,
// SIGTERM or SIGHUP, and the proxy (here a stand-in long-running command) must be gone right after, not
// listening on with the admin identity. Earlier versions started it detached and untied: it outlived them.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");

function running(pid: number): boolean {
    try {
        return !"ZX".includes(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "X");
    } catch {
        return false;
    }
}

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
