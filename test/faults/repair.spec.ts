// recoverStack.ts's state repairs, each made to happen on purpose (issue 22, finding 12): a real file backend of the
// real engine (`pulumi stack init`, `pulumi stack import` for a second write and its `.bak`), its files damaged the
// way a kill in the middle of a write leaves them, then recovery, then the engine must read the stack again.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { recoverStack } from "../../scripts/lib/recoverStack";
import { toolsEnv } from "../helpers/toolsEnv";

describe("faults: state repair of the file backend, made deterministic", function () {
    this.timeout(120_000);
    let dir: string;
    let saved: { cwd: string; env: NodeJS.ProcessEnv };
    const stackFile = () => path.join(dir, "backend", ".pulumi", "stacks", "repairtest", "dev.json");
    const pulumi = (...args: string[]) => execFileSync("pulumi", [...args, "--non-interactive"], { cwd: dir, env: process.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

    beforeEach(function () {
        saved = { cwd: process.cwd(), env: { ...process.env } };
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-repair-"));
        fs.mkdirSync(path.join(dir, "backend"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: repairtest\nruntime: nodejs\n");
        Object.assign(process.env, toolsEnv(), { PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}`, PULUMI_CONFIG_PASSPHRASE: "repair-test", PULUMI_SKIP_UPDATE_CHECK: "true" });
        process.chdir(dir);
        pulumi("stack", "init", "dev");
        // A second write, so the backend keeps a `.bak` of the first.
        const exported = pulumi("stack", "export", "--stack", "dev");
        fs.writeFileSync(path.join(dir, "export.json"), exported);
        pulumi("stack", "import", "--stack", "dev", "--file", path.join(dir, "export.json"));
    });

    afterEach(function () {
        process.chdir(saved.cwd);
        for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k];
        Object.assign(process.env, saved.env);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const [label, damage] of [
        ["an empty .attrs (killed between create and write)", (f: string) => fs.writeFileSync(f, "")],
        ["a cut .attrs (killed mid-write)", (f: string) => fs.writeFileSync(f, fs.readFileSync(f, "utf8").slice(0, 17))],
    ] as const) {
        it(`rewrites ${label} from the file it describes; the engine reads the stack again`, async function () {
            const attrs = `${stackFile()}.attrs`;
            assert.ok(fs.existsSync(attrs), "the backend wrote a sidecar");
            damage(attrs);
            // The damage is real: the engine cannot load the stack ("failed to load checkpoint").
            assert.throws(() => pulumi("stack", "export", "--stack", "dev"), /failed to load checkpoint/, "the engine cannot read the stack with the damaged .attrs");
            const s = await recoverStack("up", "dev", dir);
            assert.strictEqual(s.attrsRepaired, 1);
            JSON.parse(fs.readFileSync(attrs, "utf8"));
            assert.ok(JSON.parse(pulumi("stack", "export", "--stack", "dev")).deployment, "stack export works");
        });
    }

    it("sets an unparsable checkpoint aside and puts back the newest good copy; the engine reads the stack again", async function () {
        const damaged = fs.readFileSync(stackFile(), "utf8").slice(0, 40);
        fs.writeFileSync(stackFile(), damaged);
        assert.throws(() => pulumi("stack", "export", "--stack", "dev"), "the engine cannot read the damaged checkpoint");
        const s = await recoverStack("up", "dev", dir);
        assert.strictEqual(s.checkpointRestored, true);
        const aside = fs.readdirSync(path.join(dir, "backend", ".pulumi", "recovered")).filter((f) => f.startsWith("dev.damaged."));
        assert.strictEqual(aside.length, 1, "the damaged file is kept");
        assert.strictEqual(fs.readFileSync(path.join(dir, "backend", ".pulumi", "recovered", aside[0]), "utf8"), damaged);
        assert.ok(JSON.parse(pulumi("stack", "export", "--stack", "dev")).deployment, "stack export works");
    });

    it("stops, leaving the file as it is, when no copy of the checkpoint parses", async function () {
        fs.writeFileSync(stackFile(), "{");
        for (const f of fs.readdirSync(path.dirname(stackFile()))) if (f.endsWith(".bak")) fs.writeFileSync(path.join(path.dirname(stackFile()), f), "{");
        fs.rmSync(path.join(dir, "backend", ".pulumi", "backups"), { recursive: true, force: true });
        await assert.rejects(recoverStack("up", "dev", dir), /does not parse and no backup of it does/);
        assert.strictEqual(fs.readFileSync(stackFile(), "utf8"), "{");
    });
});
