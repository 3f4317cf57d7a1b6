// The controller's and router's CLI agent (a unix socket named gops-agent.<pid>.sock) of a local network lives in
// the network's own home, never in the shared /tmp, and nothing of it is left once the network stops.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cliAgentDir, startZitiQuickstart } from "../../scripts/lib/zitiQuickstart";

const repo = path.resolve(__dirname, "..", "..");

describe("quickstart CLI agent socket (scripts/lib/zitiQuickstart.ts)", function () {
    it("is in the home while the network runs, not in /tmp; a killed run's socket is cleared at start; none is left after stop", async function () {
        this.timeout(180_000);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-agent-"));
        try {
            const stale = path.join(cliAgentDir(home), "gops-agent.1.sock");
            fs.mkdirSync(cliAgentDir(home), { mode: 0o700 });
            fs.writeFileSync(stale, "");
            const ctl = await startZitiQuickstart({ home, waitForRouter: false });
            const shared = path.join(os.tmpdir(), `gops-agent.${ctl.pid}.sock`);
            try {
                const own = path.join(cliAgentDir(home), `gops-agent.${ctl.pid}.sock`);
                assert.ok(fs.lstatSync(own).isSocket(), `the running quickstart's agent socket is ${own}`);
                assert.strictEqual(fs.lstatSync(cliAgentDir(home)).mode & 0o777, 0o700, "only the invoking user reaches the agent");
                assert.ok(!fs.existsSync(shared), `nothing in the shared temp directory (${shared})`);
                assert.ok(!fs.existsSync(stale), "an earlier run's socket is gone");
            } finally {
                await ctl.stop();
            }
            assert.ok(!fs.existsSync(cliAgentDir(home)), "stop removes the agent's directory");
            assert.ok(!fs.existsSync(shared), "stop leaves no socket in the shared temp directory");
        } finally {
            // A home given to the quickstart is kept by its stop(): removed here whatever failed.
            fs.rmSync(home, { recursive: true, force: true });
        }
    });

    it("local network (scripts/localNetwork.ts): the same, through its own up and down", async function () {
        this.timeout(300_000);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-agent-ln-"));
        const env = { ...process.env, SCRAPE_ANYWHERE_ZITI_HOME: home, TS_NODE_TRANSPILE_ONLY: "true" };
        const cli = (...args: string[]) =>
            execFileSync(path.join(repo, "node_modules", ".bin", "ts-node"), [path.join(repo, "scripts", "localNetwork.ts"), ...args], { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 240_000 });
        try {
            fs.mkdirSync(cliAgentDir(home), { mode: 0o700 });
            fs.writeFileSync(path.join(cliAgentDir(home), "gops-agent.1.sock"), "");
            const pid: number = JSON.parse(cli("up")).pid;
            const shared = path.join(os.tmpdir(), `gops-agent.${pid}.sock`);
            assert.ok(fs.lstatSync(path.join(cliAgentDir(home), `gops-agent.${pid}.sock`)).isSocket(), "the running network's agent socket is in its home");
            assert.ok(!fs.existsSync(path.join(cliAgentDir(home), "gops-agent.1.sock")), "an earlier run's socket is gone");
            assert.ok(!fs.existsSync(shared), `nothing in the shared temp directory (${shared})`);
            cli("down");
            assert.ok(!fs.existsSync(cliAgentDir(home)), "down removes the agent's directory");
            assert.ok(!fs.existsSync(shared), "down leaves no socket in the shared temp directory");
        } finally {
            try {
                cli("down", "--purge");
            } finally {
                fs.rmSync(home, { recursive: true, force: true });
            }
        }
    });
});
