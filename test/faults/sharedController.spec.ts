// Two deployments of scrape-anywhere/dev on ONE real controller (issue 22 findings 1 and 4): two checkouts, each with
// its own state backend and the stack `dev` that `npm start` / `npm run down` hard-code, hence two stack instances
// with different owner ids (provider/ownerId.ts). Checkout A converges; checkout B, on the same controller:
//   1. with A's very settings, B's `npm start` is refused naming A's owner id: it takes nothing of A's and does not
//      re-enroll A's identities (A's certificates still log in); B's `npm run down` then leaves A alone;
//   2. with its own names, B's `pulumi up` is SIGKILLed half-way and B's `npm run down` recovers: its sweep deletes the
//      entities tagged with B's owner id that B's state never recorded, destroy the rest, and every one of A's
//      entities, an entity tagged by the scheme before owner ids, and A's entity whose tags were turned back to that
//      scheme are exactly as they were;
//   3. A's state proves its old-scheme-tagged entity A's: A's `npm run down` deletes it with the rest, and still
//      leaves the unrecorded old-scheme entity (no state proves it anyone's).
// Before owner ids (tags project/stack/resource only), 1 adopted and re-enrolled A's identities and 2 swept all of A.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Rest } from "../helpers/zitiController";
import { certLogin, listAll, STACK } from "./fixtures/invariants";
import { assertUnchanged, ownerIdOf, plant, restOf, Seen, seen, taggedWith, unplant } from "./fixtures/owners";
import { EngineEvent, EventMatch, progress, recoveryNotes, Workspace } from "./fixtures/workspace";

const isDone = (op: string, type: RegExp) => (e: EngineEvent) => !!e.resOutputsEvent && e.resOutputsEvent.metadata.op === op && type.test(e.resOutputsEvent.metadata.type);
const nth = (n: number, f: (e: EngineEvent) => boolean): EventMatch => (e, seen) => f(e) && seen.filter(f).length === n;

/** B's own place names: the dev settings with every place, client and admin renamed (no name shared with A). */
function renamedSettings(yaml: string): string {
    return yaml.replace(/\bkubeA\b/g, "kubeC").replace(/\bkubeB\b/g, "kubeD").replace(/name: central\b/, "name: centralb")
        .replace(/\bdev\.client\b/g, "devb.client").replace(/\bdev\.admin\b/g, "devb.admin");
}

describe("faults: two deployments of one stack name share a controller", function () {
    this.timeout(1_800_000);
    let a: Workspace;
    let b: Workspace;
    let ziti: Record<string, string>;
    let rest: Rest;
    let ownerA: string;
    let aEntities: Seen[];
    const planted: Seen[] = [];
    let failed = false;

    async function connect(): Promise<void> {
        ziti = a.zitiEnv(); // starts the shared network again after a `npm run down` stopped it
        if (rest) await rest.close().catch(() => undefined);
        rest = await restOf(ziti);
    }

    /** A's identities log in with the JSON its state holds (a re-enrollment would have revoked those certificates). */
    async function assertALogsIn(label: string): Promise<void> {
        const dep = JSON.parse(a.pulumi(ziti, ["stack", "export", "--stack", STACK, "--show-secrets"])).deployment;
        const plainOf = (v: any) => (v && typeof v === "object" && "plaintext" in v ? JSON.parse(v.plaintext) : v);
        let n = 0;
        for (const r of dep.resources.filter((x: any) => x.type === "pulumi-nodejs:dynamic/ziti:Identity" && x.outputs?.enroll !== false)) {
            const login = await certLogin(plainOf(r.outputs.identityJson), r.outputs.name);
            assert.ok(login.ok, `${label}: A's identity ${r.outputs.name} no longer logs in with its certificate (${login.why})`);
            n++;
        }
        assert.ok(n >= 5, `${label}: A has enrolled identities to check (${n})`);
    }

    before(async function () {
        a = new Workspace();
        b = new Workspace();
        // One controller: B's npm start / npm run down use A's local network (the same SCRAPE_ANYWHERE_ZITI_HOME), as two
        // checkouts pointed at one shared controller would.
        b.env.SCRAPE_ANYWHERE_ZITI_HOME = a.zitiHome;
        const up = await a.start("A: npm start");
        assert.strictEqual(up.code, 0, up.output.slice(-3000));
        await connect();
        ownerA = ownerIdOf(a, ziti)!;
        assert.match(ownerA ?? "", /^[0-9a-f]{32}$/, "A's state holds an owner id");
        aEntities = await taggedWith(rest, ownerA);
        progress(`A (owner id ${ownerA}) holds ${aEntities.length} entities on the controller`);
        assert.ok(aEntities.length >= 40, `A's entities are on the controller (${aEntities.length})`);
        await assertALogsIn("after A's npm start");
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        if (rest && failed) {
            // Leave the shared controller clean for a rerun: whatever either deployment still holds.
            for (const ws of [b, a]) await ws?.down(`cleanup: npm run down of ${ws.dir}`).catch(() => undefined);
            await connect().catch(() => undefined);
        }
        await unplant(rest, planted);
        if (rest) await rest.close().catch(() => undefined);
        await b?.dispose(failed);
        await a?.dispose(failed);
    });

    it("with A's very settings, B's npm start is refused naming A's owner id, and takes, changes and re-enrolls nothing of A's; B's npm run down leaves A alone", async function () {
        const refused = await b.start("B (A's settings): npm start");
        assert.notStrictEqual(refused.code, 0, "B must not deploy entities that carry A's names");
        assert.match(refused.output, new RegExp(`belongs to another deployment of scrape-anywhere/dev on this controller \\(owner id ${ownerA}`), refused.output.slice(-3000));
        const ownerB = ownerIdOf(b, ziti)!;
        assert.match(ownerB ?? "", /^[0-9a-f]{32}$/, "B made an owner id of its own");
        assert.notStrictEqual(ownerB, ownerA);
        await assertUnchanged(rest, aEntities, "B's refused npm start");
        await assertALogsIn("after B's refused npm start");

        const down = await b.down("B (A's settings): npm run down");
        assert.strictEqual(down.code, 0, down.output.slice(-3000));
        assert.match(down.output, new RegExp(`\\[recover\\] Ziti controller: ${ziti.ZITI_API_HOST.replace(/[.]/g, "\\.")} .*this stack's owner id: ${ownerB}`));
        await connect();
        await assertUnchanged(rest, aEntities, "B's npm run down");
        await assertALogsIn("after B's npm run down");
        assert.deepStrictEqual(await taggedWith(rest, ownerB), [], "nothing of B is left");
    });

    it("B with its own names, SIGKILLed mid-up: B's npm run down sweeps and destroys exactly B's, and leaves A's and old-scheme entities as they were", async function () {
        fs.writeFileSync(path.join(b.dir, "Pulumi.dev.yaml"), renamedSettings(fs.readFileSync(path.join(b.dir, "Pulumi.dev.yaml"), "utf8")));
        // An entity tagged by the scheme before owner ids, in no state: nothing proves it anyone's.
        planted.push(await plant(rest, "services", { name: "legacy.dev.svc", encryptionRequired: true, tags: { pulumiProject: "scrape-anywhere", pulumiStack: STACK, pulumiResource: "legacy-svc" } }));
        // One of A's, its tags turned back to that scheme (as a deployment made before owner ids has them): A's state holds it.
        const svc = aEntities.find((e) => e.collection === "services" && e.name === "kubeA.reflect.svc")!;
        const live = (await rest.get(`services/${svc.id}`)).json.data;
        const { pulumiOwnerId: _, ...oldTags } = live.tags;
        const patched = await rest.send("PATCH", `services/${svc.id}`, { tags: oldTags });
        assert.strictEqual(patched.status, 200, JSON.stringify(patched.json?.error));
        const aOld = (await rest.get(`services/${svc.id}`)).json.data;
        assert.strictEqual(aOld.tags.pulumiOwnerId, undefined, "the PATCH left old-scheme tags");
        const aNow = [...aEntities.filter((e) => e.id !== svc.id), await seen(rest, "services", svc.id)];

        // B's converge, SIGKILLed (engine and every plugin) once its second service is made: a lock, pending operations,
        // entities made but never recorded.
        const log = path.join(b.dir, "events-b.jsonl");
        const zitiB = b.zitiEnv();
        const killed = await b.spawn("B: pulumi up (SIGKILL at its 2nd service)", "pulumi",
            ["up", "--stack", STACK, "--yes", "--skip-preview", "--non-interactive", "--suppress-outputs", "--suppress-progress", "--event-log", log],
            b.pulumiEnv(zitiB), { eventLog: log, match: nth(2, isDone("create", /^pulumi-nodejs:dynamic\/ziti:Service$/)), signal: "SIGKILL" });
        assert.ok(killed.killedAt, `B's up ended before the kill point:\n${killed.output.slice(-2000)}`);
        const ownerB = ownerIdOf(b, zitiB)!;
        assert.match(ownerB ?? "", /^[0-9a-f]{32}$/);
        assert.notStrictEqual(ownerB, ownerA);
        // And one unrecorded entity for certain (a create whose answer never came back), tagged as B's.
        const orphan = await plant(rest, "services", { name: "kubeC.unrecorded.svc", encryptionRequired: true, tags: { pulumiProject: "scrape-anywhere", pulumiStack: STACK, pulumiResource: "kubeC-unrecorded-svc", pulumiOwnerId: ownerB } });
        planted.push(orphan);
        const bBefore = await taggedWith(rest, ownerB);
        progress(`B (owner id ${ownerB}) holds ${bBefore.length} entities after the kill`);

        const down = await b.down("B: npm run down after the kill");
        assert.strictEqual(down.code, 0, down.output.slice(-4000));
        assert.match(down.output, new RegExp(`\\[recover\\] deleted services/kubeC\\.unrecorded\\.svc \\(${orphan.id}\\)`), "the sweep deleted B's unrecorded entity");
        progress(`B's recovery: ${recoveryNotes(down.output)}`);
        await connect();
        assert.deepStrictEqual(await taggedWith(rest, ownerB), [], "nothing tagged with B's owner id is left");
        await assertUnchanged(rest, aNow, "B's npm run down");
        await assertUnchanged(rest, planted.filter((p) => p.name === "legacy.dev.svc"), "B's npm run down (old-scheme entity)");
        await assertALogsIn("after B's recovery");
    });

    it("A's state proves its old-scheme-tagged entity A's: A's npm run down removes it with the rest, and still not the unrecorded old-scheme one", async function () {
        const down = await a.down("A: npm run down");
        assert.strictEqual(down.code, 0, down.output.slice(-3000));
        await connect();
        assert.deepStrictEqual(await taggedWith(rest, ownerA), [], "A's entities are gone");
        const names = new Set((await listAll(rest, "services")).map((e) => e.name));
        assert.ok(!names.has("kubeA.reflect.svc"), "A's old-scheme-tagged service went with A's destroy");
        await assertUnchanged(rest, planted.filter((p) => p.name === "legacy.dev.svc"), "A's npm run down (old-scheme entity)");
    });
});
