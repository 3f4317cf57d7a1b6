// `npm run down` acts on the local network's controller only (issue 22 finding 2): the caller's shell names ANOTHER
// real controller in ZITI_* (a teammate's, a staging one), which holds entities tagged exactly as this stack
// instance's (owner id included) that this stack's state does not record. scripts/down.sh must load the local
// network's settings before its recovery, so the recovery's sweep and the destroy after it both act on the local
// controller, say which controller that is, and leave the other one as it was. (down.sh ran the recovery first, with
// the shell's ZITI_*: the sweep deleted the other controller's entities and left the local ones.)
import * as assert from "assert";
import * as path from "path";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { adminRest, COLLECTIONS, Rest } from "../helpers/zitiController";
import { listAll, STACK } from "./fixtures/invariants";
import { assertUnchanged, ownerIdOf, plant, restOf, Seen, taggedWith } from "./fixtures/owners";
import { progress, recoveryNotes, Workspace } from "./fixtures/workspace";

describe("faults: npm run down acts on the local network's controller, whatever the shell's ZITI_* name", function () {
    this.timeout(1_800_000);
    let ws: Workspace;
    let other: ZitiQuickstart;
    let otherRest: Rest;
    let failed = false;

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        if (otherRest) await otherRest.close().catch(() => undefined);
        await other?.stop();
        if (ws && failed) await ws.down("cleanup: npm run down").catch(() => undefined);
        await ws?.dispose(failed);
    });

    it("recovery and destroy both use the local network (printed), sweep its unrecorded entity, and leave the other controller untouched", async function () {
        ws = new Workspace();
        const up = await ws.start("npm start");
        assert.strictEqual(up.code, 0, up.output.slice(-3000));
        let ziti = ws.zitiEnv();
        let local = await restOf(ziti);
        const ownerId = ownerIdOf(ws, ziti)!;
        assert.match(ownerId ?? "", /^[0-9a-f]{32}$/, "the state holds an owner id");
        const ours = await taggedWith(local, ownerId);
        assert.ok(ours.length >= 40, `the stack's entities are on the local controller (${ours.length})`);
        // On the local controller: an entity of this stack instance that its state never recorded (a create whose answer
        // was lost). Only a recovery that talks to the local controller deletes it.
        const tags = (resource: string) => ({ pulumiProject: "scrape-anywhere", pulumiStack: STACK, pulumiResource: resource, pulumiOwnerId: ownerId });
        const orphan = await plant(local, "services", { name: "kubeA.unrecorded.svc", encryptionRequired: true, tags: tags("kubeA-unrecorded-svc") });
        await local.close();

        // Another real controller, named by the shell: it holds entities tagged as this very stack instance's (names the
        // stack uses too, so a destroy aimed at it would find them) and an untagged one.
        other = await startZitiQuickstart({ waitForRouter: false });
        otherRest = await adminRest(other);
        const planted: Seen[] = [
            await plant(otherRest, "services", { name: "kubeA.reflect.svc", encryptionRequired: true, tags: tags("kubeA-reflect-svc") }),
            await plant(otherRest, "identities", { name: "kubeA.reflect.id", type: "Device", isAdmin: false, roleAttributes: [], tags: tags("kubeA-reflect-id") }),
            await plant(otherRest, "service-policies", { name: "kubeA.reflect.bind", type: "Bind", semantic: "AnyOf", serviceRoles: [], identityRoles: [], tags: tags("kubeA-reflect-bind") }),
            await plant(otherRest, "services", { name: "other.untagged.svc", encryptionRequired: true }),
        ];
        // Everything it holds (the quickstart's own admin, router and policies too), by id: none may go.
        const everything: string[] = [];
        for (const c of COLLECTIONS) for (const e of await listAll(otherRest, c)) everything.push(`${c}/${e.id} ${e.name}`);
        progress(`the other controller ${other.controllerUrl} holds ${everything.length} entities (${planted.length} planted, 3 tagged with this stack's owner id ${ownerId})`);

        const shell = { ZITI_API_HOST: other.controllerUrl, ZITI_USERNAME: other.username, ZITI_PASSWORD: other.password, ZITI_CA_BUNDLE: other.caBundlePath };
        const down = await ws.spawn("npm run down (shell's ZITI_* name another controller)", "bash", [path.join(ws.dir, "scripts", "down.sh")], { ...ws.env, ...shell });
        assert.strictEqual(down.code, 0, down.output.slice(-4000));
        // The other controller: the planted entities exactly as they were, and nothing it held is gone.
        await assertUnchanged(otherRest, planted, "npm run down");
        const now: string[] = [];
        for (const c of COLLECTIONS) for (const e of await listAll(otherRest, c)) now.push(`${c}/${e.id} ${e.name}`);
        assert.deepStrictEqual(everything.filter((e) => !now.includes(e)), [], "entities of the other controller were deleted");

        progress(`recovery: ${recoveryNotes(down.output)}`);
        const said = /\[recover\] Ziti controller: (\S+) \(from ([^)]+)\); this stack's owner id: (\w+)/.exec(down.output);
        assert.ok(said, `the recovery says which controller it acts on:\n${down.output.slice(-3000)}`);
        assert.strictEqual(said[1], ziti.ZITI_API_HOST, "the recovery acted on the local network's controller");
        assert.strictEqual(said[3], ownerId);
        assert.ok(!down.output.includes(other.controllerUrl), "nothing in down's output acted on the other controller");
        assert.match(down.output, new RegExp(`\\[recover\\] deleted services/kubeA\\.unrecorded\\.svc \\(${orphan.id}\\)`), "the sweep found the local unrecorded entity");

        // The local controller (down stopped the network; started again to look): none of the stack's entities left.
        ziti = ws.zitiEnv();
        local = await restOf(ziti);
        try {
            assert.deepStrictEqual(await taggedWith(local, ownerId), [], "destroy and sweep removed every entity of this stack instance from the local controller");
        } finally {
            await local.close();
        }
    });
});
