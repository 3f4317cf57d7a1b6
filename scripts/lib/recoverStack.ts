// Recovery of a stack whose last `pulumi up` / `pulumi destroy` was interrupted (SIGKILL, OOM, a closed laptop, a
// CI timeout), run by `npm start` before `pulumi up` and by `npm run down` before `pulumi destroy`:
//
//   ts-node scripts/lib/recoverStack.ts up|down --stack <name>
//
// It repairs only what it can prove, says what it did on stderr (lines `[recover] ...`), and never deletes state
// or an entity that is not provably this stack's:
//   1. a lock left by a process that is gone (same host, pid not alive or not a pulumi process) is removed; a lock of
//      a live pulumi or of another host stops here with what to do;
//   2. damaged metadata of the file backend (an empty or cut `<file>.attrs` sidecar, written by gocloud.dev's
//      fileblob before it renames the new checkpoint into place) is rewritten from the file it describes; a
//      checkpoint that does not parse is set aside and the newest one that does (`.bak`, then `.pulumi/backups/`)
//      is put back;
//   3. pending operations (a create/update/delete the engine had started when it died): each pending Ziti create
//      is looked up on the controller; the state is then exported (kept in `.pulumi/recovered/`) and imported again,
//      which is how the CLI clears them (pulumi v3.248.0 cmd/pulumi/stack/io.go SaveSnapshot: "Explicitly clear-out
//      any pending operations"). That is safe because the provider's create adopts an entity whose owner tags name
//      its resource (provider/owner.ts), and a delete of an entity already gone succeeds;
//   4. `down` only: Ziti entities whose owner tags name this project and stack AND this stack instance's owner id
//      (provider/ownerId.ts: random, made once, kept in the state; read here from the export) but that are
//      in no resource of the state (made by a create that never got recorded) are deleted, since `pulumi destroy`
//      cannot see them. `up` only reports them (the next `up` adopts the ones the program still declares). Entities
//      of another deployment with the same project and stack names carry another owner id and are never touched;
//      entities tagged before owner ids, and every entity when the state holds no owner id, are not swept.
//
// The controller is the one the provider would use: the stack's `ziti:*` config first, then the ZITI_* environment
// (the same resolveSettings), printed before anything is done. `npm start` and `npm run down` set the local network's
// environment before they call this, as they do before `pulumi up` / `pulumi destroy`.
//
// Facts of the file backend from pulumi v3.248.0 pkg/backend/diy: lock.go (lock files
// `.pulumi/locks/<org>/<project>/<stack>/<id>.json` with {pid, username, hostname, timestamp}), store.go
// (`.pulumi/stacks/<project>/<stack>.json`, backups `.pulumi/backups/<project>/<stack>/`), state.go (`.bak` copy
// before each write); of fileblob from gocloud.dev v0.46.0 blob/fileblob attrs.go (the sidecar's JSON fields).
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const log = (msg: string) => process.stderr.write(`[recover] ${msg}\n`);

/** What recovery did, also printed as one JSON line `[recover] summary {...}` for tools (the faults tier). */
export interface RecoverySummary {
    locksRemoved: number;
    attrsRepaired: number;
    checkpointRestored: boolean;
    pendingCleared: number;
    orphansDeleted: number;
    orphansKept: number;
    actions: string[];
}

class RecoveryStop extends Error {}

function readJson(file: string): any | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return undefined;
    }
}

/** The project name from Pulumi.yaml (`name:`), read with the yaml package the program already uses. */
function projectName(dir: string): string {
    const YAML = require("yaml") as typeof import("yaml");
    const doc = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    if (typeof doc?.name !== "string") throw new Error(`${dir}/Pulumi.yaml has no project name`);
    return doc.name;
}

function files(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(d, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile()) out.push(p);
        }
    };
    walk(dir);
    return out;
}

/** True when `pid` is a live process whose command is pulumi (guards against a reused pid). */
function livePulumi(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's: treat as live
    }
    try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return cmd.some((a) => path.basename(a).startsWith("pulumi"));
    } catch {
        return true; // no /proc (macOS): alive is all we know
    }
}

/** 1. Locks of this stack left by a process that is gone. */
function clearStaleLocks(root: string, project: string, stack: string, s: RecoverySummary): void {
    const dir = path.join(root, ".pulumi", "locks");
    const mine = files(dir).filter((f) => f.endsWith(".json") && path.basename(path.dirname(f)) === stack && path.basename(path.dirname(path.dirname(f))) === project);
    for (const f of mine) {
        const lock = readJson(f);
        const where = path.relative(root, f);
        if (!lock || typeof lock.pid !== "number") {
            // Cut while being written: the process that wrote it never got to run anything under it.
            log(`lock ${where} is unreadable (a write cut short): removing it`);
        } else if (lock.hostname !== os.hostname()) {
            throw new RecoveryStop(
                `the stack ${stack} is locked by pid ${lock.pid} on host ${lock.hostname} since ${lock.timestamp}: that host must finish, ` +
                    `or, if it is known to be gone, run \`pulumi cancel --stack ${stack}\``,
            );
        } else if (livePulumi(lock.pid)) {
            throw new RecoveryStop(`the stack ${stack} is locked by a running pulumi (pid ${lock.pid}, since ${lock.timestamp}): wait for it to finish`);
        } else {
            log(`lock ${where} belongs to pid ${lock.pid} (${lock.username}@${lock.hostname}, ${lock.timestamp}), which is gone: removing it`);
        }
        fs.rmSync(f, { force: true });
        fs.rmSync(`${f}.attrs`, { force: true });
        s.locksRemoved++;
        s.actions.push("stale lock removed");
    }
}

/** The sidecar gocloud.dev fileblob writes beside each object (blob/fileblob/attrs.go `xattrs`). */
function sidecarFor(file: string, contentType: string): string {
    const md5 = crypto.createHash("md5").update(fs.readFileSync(file)).digest("base64");
    return JSON.stringify({
        "user.cache_control": "",
        "user.content_disposition": "",
        "user.content_encoding": "",
        "user.content_language": "",
        "user.content_type": contentType,
        "user.metadata": null,
        md5,
    }) + "\n";
}

/** 2a. `.attrs` sidecars of this stack's files that do not parse (empty: killed between create and write). */
function repairAttrs(root: string, project: string, stack: string, s: RecoverySummary): void {
    const ours = [path.join(root, ".pulumi", "stacks", project), path.join(root, ".pulumi", "backups", project, stack), path.join(root, ".pulumi", "history", project, stack)];
    const all = ours.flatMap((d) => files(d)).filter((f) => f.endsWith(".attrs"));
    const good = all.map(readJson).find((a) => a && typeof a["user.content_type"] === "string");
    const contentType = good?.["user.content_type"] ?? "text/plain; charset=utf-8";
    for (const a of all) {
        if (readJson(a) !== undefined) continue;
        const target = a.slice(0, -".attrs".length);
        const where = path.relative(root, a);
        if (!fs.existsSync(target)) {
            log(`${where} is damaged and describes no file: leaving it (the backend ignores it)`);
            continue;
        }
        fs.writeFileSync(a, sidecarFor(target, contentType), { mode: 0o600 });
        log(`${where} was damaged (${fs.statSync(target).size} bytes of state beside it are intact): rewritten from ${path.basename(target)}`);
        s.attrsRepaired++;
        s.actions.push("damaged .attrs rewritten");
    }
}

function isCheckpoint(file: string): boolean {
    const doc = readJson(file);
    return !!doc && typeof doc.version === "number" && doc.checkpoint !== undefined;
}

/** 2b. A checkpoint that does not parse: set aside, the newest good copy the backend kept put back. */
function restoreCheckpoint(root: string, project: string, stack: string, s: RecoverySummary): void {
    const file = path.join(root, ".pulumi", "stacks", project, `${stack}.json`);
    if (!fs.existsSync(file) || isCheckpoint(file)) return;
    const backups = files(path.join(root, ".pulumi", "backups", project, stack))
        .filter((f) => f.endsWith(".json"))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    const good = [`${file}.bak`, ...backups].find((f) => fs.existsSync(f) && isCheckpoint(f));
    if (!good) throw new RecoveryStop(`${path.relative(root, file)} does not parse and no backup of it does: it is left as it is for you to inspect`);
    const aside = path.join(root, ".pulumi", "recovered", `${stack}.damaged.${Date.now()}.json`);
    fs.mkdirSync(path.dirname(aside), { recursive: true, mode: 0o700 });
    fs.renameSync(file, aside);
    fs.copyFileSync(good, file);
    fs.writeFileSync(`${file}.attrs`, sidecarFor(file, "text/plain; charset=utf-8"), { mode: 0o600 });
    log(`${path.relative(root, file)} did not parse: kept it as ${path.relative(root, aside)} and restored ${path.relative(root, good)}`);
    s.checkpointRestored = true;
    s.actions.push(`checkpoint restored from ${path.basename(good)}`);
}

function pulumi(args: string[], input?: string): string {
    return execFileSync("pulumi", [...args, "--non-interactive"], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

interface ZitiSide {
    /** Entities of every Ziti collection whose owner tags name this project, stack and owner id. */
    owned(): Promise<{ collection: string; id: string; name: string; resource: string }[]>;
    remove(collection: string, id: string): Promise<void>;
    close(): Promise<void>;
}

/** The stack's `ziti:*` config as the provider's configure would see it (secrets decrypted, in memory only). */
function stackZitiConfig(stack: string): { get(key: string): string | undefined } {
    let all: Record<string, { value?: unknown }> = {};
    try {
        all = JSON.parse(pulumi(["config", "--stack", stack, "--json", "--show-secrets"]));
    } catch {
        // no stack config (or no stack): the environment alone, as for the provider
    }
    return { get: (key: string) => (key.startsWith("ziti:") && typeof all[key]?.value === "string" ? (all[key].value as string) : undefined) };
}

/** The controller the provider would use (stack config, then environment), or why not; says which one it is. */
async function zitiSide(project: string, stack: string, ownerId: string): Promise<ZitiSide | string> {
    const { resolveSettings } = await import("../../provider/settings");
    const { createClient } = await import("../../provider/client");
    const { ownerOfEntity } = await import("../../provider/owner");
    const { zitiKinds } = await import("../../provider");
    let client: import("../../provider/client").ZitiClient;
    try {
        const config = stackZitiConfig(stack);
        const settings = resolveSettings(config, process.env);
        const from = config.get("ziti:controllerUrl") ? "stack config ziti:controllerUrl" : process.env.ZITI_API_HOST ? "ZITI_API_HOST" : "ziti:identityFile ztAPI";
        log(`Ziti controller: ${settings.controllerUrl} (from ${from}); this stack's owner id: ${ownerId}`);
        client = createClient(settings);
    } catch (e) {
        return (e as Error).message;
    }
    return {
        async owned() {
            const out: { collection: string; id: string; name: string; resource: string }[] = [];
            for (const { collection } of zitiKinds) {
                for (let offset = 0; ; offset += 500) {
                    const res = await client.request("GET", `/edge/management/v1/${collection}`, { query: { limit: 500, offset } });
                    const page: any[] = Array.isArray(res.data) ? res.data : [];
                    for (const e of page) {
                        const o = ownerOfEntity(e);
                        if (o && o.project === project && o.stack === stack && o.ownerId === ownerId) out.push({ collection, id: e.id, name: e.name, resource: o.resource });
                    }
                    if (page.length < 500) break;
                }
            }
            return out;
        },
        async remove(collection, id) {
            await client.request("DELETE", `/edge/management/v1/${collection}/${encodeURIComponent(id)}`).catch((e) => {
                if (e?.status !== 404) throw e;
            });
        },
        close: () => client.close(),
    };
}

/** 3 and 4: pending operations, and entities of this stack that no resource of the state holds. */
async function reconcile(mode: "up" | "down", root: string, project: string, stack: string, s: RecoverySummary): Promise<void> {
    const exported = JSON.parse(pulumi(["stack", "export", "--stack", stack]));
    const deployment = exported.deployment ?? {};
    const pending: any[] = deployment.pending_operations ?? [];
    const resources: any[] = deployment.resources ?? [];
    const zitiType = /^pulumi-nodejs:dynamic\/ziti:/;
    const hasZiti = resources.some((r) => zitiType.test(r.type)) || pending.some((p) => zitiType.test(p.resource?.type ?? ""));
    const { ownerIdInState } = await import("../../provider/ownerId");
    const ownerId = ownerIdInState(deployment);
    if (hasZiti && !ownerId) log(`the state holds no owner id of this stack instance: no entity on the controller is provably this stack's, none is looked for or swept`);
    let ziti: ZitiSide | string | undefined = hasZiti && ownerId ? await zitiSide(project, stack, ownerId) : undefined;
    const zitiKindsByToken = new Map((await import("../../provider")).zitiKinds.map((k) => [k.token, k.collection]));
    try {
        const owned = typeof ziti === "object" ? await ziti.owned() : [];
        if (typeof ziti === "string") log(`could not look at the Ziti controller (${ziti}): entities of interrupted creates are not checked`);

        if (pending.length > 0) {
            for (const op of pending) {
                const r = op.resource ?? {};
                const urnName = String(r.urn ?? "").split("::").pop();
                let note = "";
                if (zitiType.test(r.type ?? "") && typeof ziti === "object") {
                    const collection = zitiKindsByToken.get(r.type);
                    const made = owned.find((e) => e.resource === urnName && e.collection === collection);
                    note = made
                        ? op.type === "creating"
                            ? ` (made on the controller as ${made.id}: ${mode === "up" ? "the provider adopts it" : "deleted below"})`
                            : ` (on the controller as ${made.id})`
                        : op.type === "creating"
                          ? " (never reached the controller)"
                          : "";
                }
                log(`pending operation: ${op.type} ${r.type} ${urnName}${note}`);
            }
            const keep = path.join(root, ".pulumi", "recovered", `${stack}.pending.${Date.now()}.json`);
            fs.mkdirSync(path.dirname(keep), { recursive: true, mode: 0o700 });
            fs.writeFileSync(keep, JSON.stringify(exported), { mode: 0o600 });
            pulumi(["stack", "import", "--stack", stack, "--file", keep]);
            log(`cleared ${pending.length} pending operation(s) (state as it was kept in ${path.relative(root, keep)})`);
            s.pendingCleared = pending.length;
            s.actions.push(`${pending.length} pending op(s) cleared`);
        }

        if (typeof ziti === "object") {
            const inState = new Set(resources.filter((r) => zitiType.test(r.type)).map((r) => r.id));
            const orphans = owned.filter((e) => !inState.has(e.id));
            for (const e of orphans) {
                if (mode === "down") {
                    await ziti.remove(e.collection, e.id);
                    log(`deleted ${e.collection}/${e.name} (${e.id}): tagged as ${project}/${stack}/${e.resource} with this stack's owner id, in no resource of the state`);
                    s.orphansDeleted++;
                } else {
                    log(`${e.collection}/${e.name} (${e.id}) is tagged as ${project}/${stack}/${e.resource} but in no resource of the state: \`pulumi up\` adopts it if the program still declares it`);
                    s.orphansKept++;
                }
            }
            if (s.orphansDeleted) s.actions.push(`${s.orphansDeleted} unrecorded entit${s.orphansDeleted === 1 ? "y" : "ies"} deleted`);
            if (s.orphansKept) s.actions.push(`${s.orphansKept} unrecorded entit${s.orphansKept === 1 ? "y" : "ies"} left for adoption`);
        }
    } finally {
        if (typeof ziti === "object") await ziti.close();
        ziti = undefined;
    }
}

/** Runs every step for `stack` of the project in `projectDir` on the backend in PULUMI_BACKEND_URL. */
export async function recoverStack(mode: "up" | "down", stack: string, projectDir = process.cwd()): Promise<RecoverySummary> {
    const s: RecoverySummary = { locksRemoved: 0, attrsRepaired: 0, checkpointRestored: false, pendingCleared: 0, orphansDeleted: 0, orphansKept: 0, actions: [] };
    const project = projectName(projectDir);
    const url = process.env.PULUMI_BACKEND_URL ?? "";
    if (url.startsWith("file://")) {
        const root = path.resolve(url.slice("file://".length).replace(/\?.*$/, ""));
        const stackFile = path.join(root, ".pulumi", "stacks", project, `${stack}.json`);
        clearStaleLocks(root, project, stack, s);
        repairAttrs(root, project, stack, s);
        restoreCheckpoint(root, project, stack, s);
        if (!fs.existsSync(stackFile)) {
            log(`no state of ${project}/${stack} yet: nothing else to check`);
            return s;
        }
        await reconcile(mode, root, project, stack, s);
    } else {
        // Other backends keep their own locks and metadata; pending operations are handled the same way.
        log(`backend ${url.replace(/\/\/[^@/]*@/, "//***@") || "(default)"} is not a file backend: only pending operations are checked`);
        await reconcile(mode, fs.mkdtempSync(path.join(os.tmpdir(), "recover-")), project, stack, s);
    }
    if (s.actions.length === 0) log(`${project}/${stack}: nothing to recover`);
    log(`summary ${JSON.stringify(s)}`);
    return s;
}

if (require.main === module) {
    const [mode, ...rest] = process.argv.slice(2);
    const i = rest.indexOf("--stack");
    const stack = i >= 0 ? rest[i + 1] : undefined;
    if ((mode !== "up" && mode !== "down") || !stack) {
        process.stderr.write("usage: recoverStack.ts up|down --stack <name>\n");
        process.exit(2);
    }
    recoverStack(mode, stack).then(
        () => process.exit(0),
        (e) => {
            const msg = e instanceof RecoveryStop ? e.message : `${(e as Error).message ?? e}`;
            process.stderr.write(`[recover] error: ${msg}\n`);
            process.exit(1);
        },
    );
}
