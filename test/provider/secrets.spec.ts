// Secrets on command lines: any local user can read every process's arguments (/proc/<pid>/cmdline, `ps`), so the
// admin password of a local network must be in none of them while the network runs, nor in those of the scripts
// that log in to it. What the quickstart's command line does hold (a throwaway) must not log in.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { controllerCall } from "../../scripts/lib/zitiQuickstart";
import { localNetworkCli, runCommand } from "../helpers/localNetworkCli";
import { adminRest, uniquePrefix, zitiController } from "../helpers/zitiController";

/** Every readable process command line: pid -> arguments. */
function commandLines(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const d of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
            out.set(Number(d), fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").filter((a) => a !== ""));
        } catch {
            // gone meanwhile
        }
    }
    return out;
}

/** Pids whose command line contains `secret` anywhere (as an argument or inside one, e.g. `--password=...`). */
function holders(secret: string): string[] {
    return [...commandLines()].filter(([, args]) => args.some((a) => a.includes(secret))).map(([pid, args]) => `${pid}: ${args[0]}`);
}

/** The value after `--password` on the command line of the quickstart running in `home`. */
function quickstartThrowaway(home: string): string {
    for (const [, args] of commandLines()) {
        if (args.includes("quickstart") && args.includes(home)) {
            const i = args.indexOf("--password");
            assert.ok(i > 0, "the quickstart is started with --password (ziti v1.7.2 has no other way)");
            return args[i + 1];
        }
    }
    throw new Error(`no quickstart process runs with home ${home}`);
}

/** Whether the admin logs in with `password` (v1.7.2 refuses a password login with HTTP 200 and an error body). */
async function logsIn(controllerUrl: string, caFile: string, password: string): Promise<boolean> {
    const r = await controllerCall(`${controllerUrl}/edge/management/v1/authenticate?method=password`, fs.readFileSync(caFile, "utf8"), {
        method: "POST",
        body: { username: "admin", password },
    });
    return r.status === 200 && typeof r.json?.data?.token === "string";
}

describe("secrets: the admin password is on no command line", function () {
    it("test quickstart (scripts/lib/zitiQuickstart.ts): not in any process's arguments, and the throwaway there logs in no more", async function () {
        this.timeout(180_000);
        const ctl = await zitiController();
        assert.deepStrictEqual(holders(ctl.password), [], "processes whose command line holds the admin password");
        const throwaway = quickstartThrowaway(ctl.home);
        assert.notStrictEqual(throwaway, ctl.password);
        assert.strictEqual(await logsIn(ctl.controllerUrl, ctl.caBundlePath, throwaway), false, "the command line's password is no credential");
        assert.strictEqual(await logsIn(ctl.controllerUrl, ctl.caBundlePath, ctl.password), true);
        assert.ok(!fs.existsSync(path.join(ctl.home, "admin-password.initial")), "the throwaway is not kept once replaced");
    });

    it("local network (scripts/localNetwork.ts): not in any process's arguments while it runs, also after a restart", async function () {
        this.timeout(420_000);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-ln-"));
        const cli = localNetworkCli(home);
        try {
            for (const round of ["new network", "restart over its database"]) {
                const up = await cli("up");
                assert.strictEqual(up.code, 0, `${round}: localNetwork up failed:\n${up.stderr}`);
                const net = JSON.parse(up.stdout);
                const password = fs.readFileSync(path.join(home, "admin-password"), "utf8").trim();
                assert.deepStrictEqual(holders(password), [], `${round}: processes whose command line holds the admin password`);
                assert.ok(!up.stdout.includes(password) && !up.stderr.includes(password), `${round}: the password is not printed`);
                assert.strictEqual(await logsIn(net.controllerUrl, net.caBundlePath, quickstartThrowaway(home)), false, `${round}: the throwaway is no credential`);
                assert.strictEqual(await logsIn(net.controllerUrl, net.caBundlePath, password), true, `${round}: the saved password logs in`);
                assert.strictEqual((await cli("down")).code, 0);
            }
        } finally {
            await cli("down", "--purge");
            fs.rmSync(home, { recursive: true, force: true });
        }
    });

    it("bench/baseline-cli.sh: no process it starts (ziti, curl, jq) gets the password as an argument, and its login works", async function () {
        this.timeout(180_000);
        const ctl = await zitiController();
        const rest = await adminRest(ctl);
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "baseline-argv-"));
        const client = `${uniquePrefix("sec")}.client`;
        try {
            // Shims record the arguments of every tool the script starts, then run the real one.
            const shims = path.join(work, "shims");
            const argvLog = path.join(work, "argv.log");
            fs.mkdirSync(shims);
            const real = (tool: string) => (tool === "ziti" ? ctl.zitiBin : `/usr/bin/${tool}`);
            for (const tool of ["ziti", "curl", "jq"]) {
                fs.writeFileSync(path.join(shims, tool), `#!/bin/sh\nprintf '%s\\0' "${tool}" "$@" >>"${argvLog}"\nprintf '\\n' >>"${argvLog}"\nexec "${real(tool)}" "$@"\n`, { mode: 0o755 });
            }
            const env = {
                PATH: `${shims}:${process.env.PATH}`,
                ZITI_BIN: path.join(shims, "ziti"),
                ZITI_API_HOST: ctl.controllerUrl,
                ZITI_USERNAME: ctl.username,
                ZITI_PASSWORD: ctl.password,
                ZITI_CA_BUNDLE: ctl.caBundlePath,
            };
            // The calls the bench writes from the plan (bench/lib/cliCalls.ts), here for one client: an identity and its router policy.
            const calls = path.join(work, "calls.sh");
            fs.writeFileSync(calls, `create identity '${client}' -o "$work/ids/"'${client}.jwt'\n` +
                `create edge-router-policy '${client}.erp' --semantic AnyOf --edge-router-roles '#all' --identity-roles '@${client}'\n`);
            const r = await runCommand("bash", ["bench/baseline-cli.sh", "--calls", calls, "--work", path.join(work, "w")], env);
            assert.strictEqual(r.code, 0, `baseline-cli.sh failed:\n${r.stderr}`);
            assert.match(r.stdout, /baseline: 3 ziti calls, 2 entities/);
            const argv = fs.readFileSync(argvLog, "utf8");
            assert.ok(!argv.includes(ctl.password), "a tool got the admin password as an argument");
            assert.ok(argv.includes("curl") && argv.includes("edge\0create"), "the shims saw the login and the creates");
            assert.ok(!r.stdout.includes(ctl.password) && !r.stderr.includes(ctl.password));
            const made = await rest.named("identities", client);
            assert.deepStrictEqual(made.map((e: any) => e.name), [client], "the CLI worked with the saved login");
        } finally {
            for (const [c, n] of [["identities", client], ["edge-router-policies", "clients.edge-router-policy"]]) {
                for (const e of await rest.named(c, n)) await rest.send("DELETE", `${c}/${e.id}`);
            }
            await rest.close();
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
