// e2e, the upstream flavor's multi-stack layout through the policy pack (issue 23: "the project's own stacks, both
// workload flavors, still pass"): the committed stack files clusterA and clusterB previewed with the pack, brought up,
// then central (which reads both through StackReferences, so they must be up first) previewed with it. The article
// flavor's four stacks and the upstream dev stack pass the pack in e2e.spec.ts and upstream.spec.ts; this file adds
// the upstream cluster and central stacks. Every preview runs under the `strict` profile (unknown custom resources
// mandatory), the profile meant for dark clusters: the project's own stacks must pass it with no finding at all.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { zitiController } from "../helpers/zitiController";
import { E2E, repoRoot, tail } from "./harness";

const POLICY_PACK = path.join(repoRoot, "policy");
const UPSTREAM = { "scrape-anywhere:flavor": "upstream" };

describe("e2e: the upstream flavor's cluster and central stacks pass the policy pack (strict profile)", function () {
    this.timeout(900_000);
    let e2e: E2E;
    let strictConfig: string;
    let failed = false;

    before(async function () {
        e2e = new E2E(await zitiController());
        e2e.workspace("stacks", repoRoot, ["clusterA", "clusterB", "central"], UPSTREAM);
        strictConfig = path.join(e2e.dir, "strict-policy-config.json");
        fs.writeFileSync(strictConfig, JSON.stringify({ "disallow-unknown-custom-resources": { strict: true } }));
        for (const s of ["clusterA", "clusterB", "central"]) await e2e.configureZiti("stacks", s);
    });
    afterEach(function () { if (this.currentTest?.state === "failed") failed = true; });
    after(async function () {
        for (const s of ["central", "clusterA", "clusterB"]) {
            await e2e?.pulumi("stacks", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s], { allowFailure: true });
        }
        e2e?.dispose(failed);
    });

    /** `pulumi preview --policy-pack policy` under the strict profile: exit 0 and the pack's clean line. */
    async function passes(stack: string): Promise<void> {
        const preview = await e2e.pulumi("stacks", ["preview", "--stack", stack, "--policy-pack", POLICY_PACK, "--policy-pack-config", strictConfig]);
        assert.match(preview.output, /Policies:\s*\n\s*✅ scrape-anywhere@/, `${stack}: the pack reported no violation, advisory or mandatory\n${tail(preview.output, 30)}`);
    }

    it("clusterA and clusterB pass the pack in preview and come up", async function () {
        for (const s of ["clusterA", "clusterB"]) {
            await passes(s);
            await e2e.pulumi("stacks", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s]);
        }
    });

    it("central, reading both through StackReferences, passes the pack in preview", async function () {
        await passes("central");
    });
});
