// The controller's and router's CLI agent (a unix socket named gops-agent.<pid>.sock) of a local network lives in
// the network's own home, never in the shared /tmp, and nothing of it is left once the network stops.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cliAgentDir, startZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { localNetworkCli } from "../helpers/localNetworkCli";

/** A new home holding what a killed run leaves in the agent's directory; returns the home and that file. */
function homeWithStaleSocket(prefix: string): { home: string; stale: string } {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.mkdirSync(cliAgentDir(home), { mode: 0o700 });
    const stale = path.join(cliAgentDir(home), "gops-agent.1.sock");
    fs.writeFileSync(stale, "");
    return { home, stale };
}

/** The socket of the network `pid` in the shared temp directory, where it must never be. */
const sharedSocket = (pid: number) => path.join(os.tmpdir(), `gops-agent.${pid}.sock`);

function assertRunning(home: string, stale: string, pid: number): void {
    const own = path.join(cliAgentDir(home), `gops-agent.${pid}.sock`);
    assert.ok(fs.lstatSync(own).isSocket(), `the running network's agent socket is ${own}`);
    assert.strictEqual(fs.lstatSync(cliAgentDir(home)).mode & 0o777, 0o700, "only the invoking user reaches the agent");
    assert.ok(!fs.existsSync(sharedSocket(pid)), `nothing in the shared temp directory (${sharedSocket(pid)})`);
    assert.ok(!fs.existsSync(stale), "an earlier run's socket is gone");
}

function assertStopped(home: string, pid: number): void {
    assert.ok(!fs.existsSync(cliAgentDir(home)), "stopping removes the agent's directory");
    assert.ok(!fs.existsSync(sharedSocket(pid)), "stopping leaves no socket in the shared temp directory");
}

describe("quickstart CLI agent socket (scripts/lib/zitiQuickstart.ts)", function () {
    it("is in the home while the network runs, not in /tmp; a killed run's socket is cleared at start; none is left after stop", async function () {
        this.timeout(180_000);
        const { home, stale } = homeWithStaleSocket("ziti-agent-");
        try {
            const ctl = await startZitiQuickstart({ home, waitForRouter: false });
            try {
                assertRunning(home, stale, ctl.pid);
            } finally {
                await ctl.stop();
            }
            assertStopped(home, ctl.pid);
        } finally {
            // A home given to the quickstart is kept by its stop(): removed here whatever failed.
            fs.rmSync(home, { recursive: true, force: true });
        }
    });

    it("local network (scripts/localNetwork.ts): the same, through its own up and down", async function () {
        this.timeout(300_000);
        const { home, stale } = homeWithStaleSocket("ziti-agent-ln-");
        const cli = localNetworkCli(home);
        let running = false;
        try {
            const up = await cli("up");
            running = up.code === 0;
            assert.strictEqual(up.code, 0, `localNetwork up failed:\n${up.stderr}`);
            const pid: number = JSON.parse(up.stdout).pid;
            assertRunning(home, stale, pid);
            const down = await cli("down");
            running = down.code !== 0;
            assert.strictEqual(down.code, 0, `localNetwork down failed:\n${down.stderr}`);
            assertStopped(home, pid);
        } finally {
            if (running) await cli("down");
            fs.rmSync(home, { recursive: true, force: true });
        }
    });
});
