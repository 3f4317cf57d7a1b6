// Proves a change leaves existing stacks alone: every committed stack file is brought up with the code of a base
// revision (a `git archive` of it, so the repository's worktrees are not touched), then previewed with this
// checkout's code against that state; the preview must show 0 changes (issue 25: "compare `pulumi preview --diff`
// against a state made before"). As the e2e tier does: a real quickstart controller, a temporary file:// backend,
// every cluster rendered to files. dev and the cluster stacks make the same Ziti names, so dev runs first and is
// destroyed before clusterA, clusterB and central.
//
//   eval "$(bash scripts/tools.sh env)" && npx ts-node test/e2e/zeroDiff.ts [base-rev, default main]
//
// Prints each stack's preview summary and exits non-zero when any stack would change.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { E2E, progress, repoRoot, resourceCounts } from "./harness";

const PROGRAM_FILES = ["Pulumi.yaml", "main.js", "index.ts", "package.json"];

/** The program files of `rev`, extracted next to the backend; node_modules is this checkout's (a superset). */
function extract(rev: string, into: string): string {
    fs.mkdirSync(into, { recursive: true });
    execFileSync("sh", ["-c", 'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"', "sh", repoRoot, rev, into]);
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(into, "node_modules"));
    return into;
}

/** Points the workspace's program symlinks at `dir` (the stack settings, with their secrets salt, stay). */
function repoint(ws: string, dir: string): void {
    for (const f of PROGRAM_FILES) {
        fs.rmSync(path.join(ws, f), { force: true });
        fs.symlinkSync(path.join(dir, f), path.join(ws, f));
    }
    for (const f of fs.readdirSync(dir).filter((f) => /^tsconfig.*\.json$/.test(f))) {
        fs.writeFileSync(path.join(ws, f), JSON.stringify({ extends: path.join(dir, f) }));
    }
}

async function main(): Promise<number> {
    const rev = process.argv[2] ?? "main";
    const ctl = await startZitiQuickstart({ waitForRouter: false });
    const e2e = new E2E(ctl);
    const results: string[] = [];
    let changed = 0;
    try {
        const base = extract(rev, path.join(e2e.dir, "base"));
        const ws = e2e.workspace("ws", base, ["dev", "clusterA", "clusterB", "central"]);
        for (const group of [["dev"], ["clusterA", "clusterB", "central"]]) {
            repoint(ws, base);
            for (const s of group) {
                await e2e.configureZiti("ws", s);
                await e2e.pulumi("ws", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s], { env: { SCRAPE_ANYWHERE_ZITI_CODE: base } });
            }
            repoint(ws, repoRoot);
            for (const s of group) {
                const res = await e2e.pulumi("ws", ["preview", "--diff", "--stack", s], { env: { SCRAPE_ANYWHERE_ZITI_CODE: repoRoot } });
                const counts = resourceCounts(res.output);
                const changes = Object.entries(counts).filter(([k]) => k !== "unchanged" && k !== "changes").reduce((n, [, v]) => n + v, 0);
                changed += changes;
                results.push(`${s}: ${JSON.stringify(counts)}${changes ? "  <- CHANGES" : ""}`);
                if (changes) fs.writeFileSync(path.join(e2e.dir, `${s}.diff.txt`), res.output);
            }
            repoint(ws, base);
            for (const s of [...group].reverse()) {
                await e2e.pulumi("ws", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s], { env: { SCRAPE_ANYWHERE_ZITI_CODE: base } });
            }
        }
    } finally {
        await ctl.stop();
        progress(`preview of ${repoRoot} against state made by ${rev} (${execFileSync("git", ["-C", repoRoot, "rev-parse", "--short", rev]).toString().trim()}):\n  ${results.join("\n  ")}`);
        e2e.dispose(changed > 0);
    }
    return changed > 0 || results.length < 4 ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(2);
});
