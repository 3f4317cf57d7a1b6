// Tier `upstream`, the analyzer step: every Kubernetes object both flavors plan for the dev topology
// (scripts/renderFlavorManifests.ts), run through checkov --framework kubernetes (PyPI, pinned; installed by
// scripts/test.sh into the tools cache). Every failing check must be a waiver in checkov-waivers.json, and every
// waiver must still fail somewhere (a fixed gap takes its waiver out).
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const CHECKOV = process.env.SCRAPE_ANYWHERE_CHECKOV ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "scrape-anywhere", "checkov", "bin", "checkov");
const WAIVERS = JSON.parse(fs.readFileSync(path.join(__dirname, "checkov-waivers.json"), "utf8")) as Record<string, Record<string, string>>;

describe("upstream tier: the Kubernetes analyzer over both flavors' manifests", function () {
    this.timeout(600000);
    let dir: string;
    before(function () {
        if (!fs.existsSync(CHECKOV)) throw new Error(`checkov not found at ${CHECKOV}: run \`bash scripts/test.sh upstream\` (it installs checkov from PyPI) or set SCRAPE_ANYWHERE_CHECKOV`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-checkov-"));
        execFileSync("npx", ["ts-node", "--transpile-only", path.join(REPO, "scripts/renderFlavorManifests.ts"), dir], { cwd: REPO, stdio: "inherit" });
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    for (const flavor of ["upstream", "article"]) {
        it(`${flavor}: every failed check is a documented waiver, and every waiver still applies`, function () {
            const only = path.join(dir, flavor);
            fs.mkdirSync(only);
            for (const f of fs.readdirSync(dir).filter(f => f.startsWith(`${flavor}-`))) fs.copyFileSync(path.join(dir, f), path.join(only, f));
            let text: string;
            try {
                text = execFileSync(CHECKOV, ["-d", only, "--framework", "kubernetes", "--skip-download", "--quiet", "--compact", "-o", "json"], { encoding: "utf8", maxBuffer: 64 << 20 });
            } catch (e) {
                text = (e as { stdout: string }).stdout; // exit 1 when any check fails
            }
            const doc = JSON.parse(text);
            const report = Array.isArray(doc) ? doc[0] : doc;
            const failed = new Set<string>((report.results.failed_checks as { check_id: string }[]).map(c => c.check_id));
            const waived = new Set(Object.keys(WAIVERS[flavor]));
            assert.deepStrictEqual([...failed].filter(c => !waived.has(c)).sort(), [], "failures without a waiver");
            assert.deepStrictEqual([...waived].filter(c => !failed.has(c)).sort(), [], "waivers that no longer fail: remove them");
            console.log(`      ${flavor}: ${report.summary.passed} passed, ${report.summary.failed} failed (all waived)`);
        });
    }
});
