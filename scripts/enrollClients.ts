// The human client identities of a stack (scrape-anywhere:clientIdentities), enrolled by `npm start` into
// <dir>/<client>.json so that its summary can read the central Prometheus' scrapes over Ziti and `npm run ui` can
// open it. Each file is 0600 in a 0700 folder; nothing secret is printed and the one-time JWT never appears on a
// command line: it is read from `pulumi stack output --show-secrets` through a pipe and handed to
// `ziti edge enroll --jwt <file>` (openziti/ziti v1.7.2 ziti/enroll/enroll_identity.go) in a 0600 file of a
// private temp folder, removed right after.
//
// A client is enrolled again when the stack's identity is another one than the one its file was enrolled for (the
// stack was destroyed and made again): <client>.id records the identity id (the JWT's `sub`, not a secret).
// `npm run down` removes what this wrote (`prune`).
//
//   ts-node scripts/enrollClients.ts enroll --stack dev --dir .state/clients   (prints one line per client, on stderr)
//   ts-node scripts/enrollClients.ts prune --dir .state/clients                (removes every <client>.json with its .id)
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveZitiBinary } from "./lib/zitiQuickstart";

const log = (msg: string) => process.stderr.write(`[clients] ${msg}\n`);

/** The `sub` claim (the identity id) of an enrollment JWT; its payload is not secret, its signature is. */
export function jwtSubject(jwt: string): string | undefined {
    try {
        return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")).sub;
    } catch {
        return undefined;
    }
}

/** What to do for one client: nothing (its file is for this identity), or enroll it (why). */
export function enrollmentNeeded(dir: string, client: string, jwt: string | undefined): { enroll: false } | { enroll: true; why: string } | { enroll: false; why: string } {
    const file = path.join(dir, `${client}.json`);
    const idFile = path.join(dir, `${client}.id`);
    const sub = jwt ? jwtSubject(jwt) : undefined;
    const have = fs.existsSync(file);
    const recorded = fs.existsSync(idFile) ? fs.readFileSync(idFile, "utf8").trim() : undefined;
    if (!jwt) {
        // No JWT: the identity is enrolled already (the controller drops the token once used) or the stack has none.
        return have ? { enroll: false } : { enroll: false, why: `no enrollment token for ${client} in the stack's outputs (enrolled elsewhere?): no ${path.relative(process.cwd(), file)}` };
    }
    // A file without the record is not ours (enrolled by hand, as the README shows): it is left as it is.
    if (have && (!recorded || recorded === sub)) return { enroll: false };
    return { enroll: true, why: have ? `the stack's ${client} is another identity than the one ${path.relative(process.cwd(), file)} was enrolled for` : "not enrolled here yet" };
}

function readJwts(stack: string): Record<string, string> {
    // stdout is a pipe: the JWTs stay in this process.
    const out = execFileSync("pulumi", ["stack", "output", "--stack", stack, "--json", "--show-secrets", "clientEnrollmentJwts"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 * 1024 * 1024 });
    const v = JSON.parse(out || "null");
    return v && typeof v === "object" ? v : {};
}

function enroll(stack: string, dir: string): number {
    const clients: string[] = (() => {
        const o = JSON.parse(execFileSync("pulumi", ["stack", "output", "--stack", stack, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        return o.clientIdentities ?? [];
    })();
    if (!clients.length) {
        log(`stack ${stack} has no client identities (scrape-anywhere:clientIdentities): nothing to enroll`);
        return 0;
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const jwts = readJwts(stack);
    let failed = 0;
    for (const client of clients) {
        const file = path.join(dir, `${client}.json`);
        const rel = path.relative(process.cwd(), file);
        const need = enrollmentNeeded(dir, client, jwts[client]);
        if (!need.enroll) {
            if ("why" in need) { log(need.why); failed++; } else log(`${client}: ${rel} (enrolled before)`);
            continue;
        }
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sa-enroll-"));
        try {
            const jwtFile = path.join(tmp, `${client}.jwt`);
            fs.writeFileSync(jwtFile, jwts[client], { mode: 0o600 });
            const out = path.join(tmp, `${client}.json`);
            // The enroll's output names only paths and the controller; it is kept for a failure's message.
            execFileSync(resolveZitiBinary(), ["edge", "enroll", "--jwt", jwtFile, "--out", out], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            fs.chmodSync(out, 0o600);
            fs.renameSync(out, file);
            fs.writeFileSync(path.join(dir, `${client}.id`), `${jwtSubject(jwts[client]) ?? ""}\n`, { mode: 0o600 });
            log(`${client}: enrolled into ${rel} (0600; ${need.why})`);
        } catch (e) {
            const err = e as { stderr?: string; message: string };
            log(`${client}: enrollment failed: ${(err.stderr || err.message).trim().split("\n").slice(-2).join(" ")}`);
            failed++;
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    }
    return failed ? 1 : 0;
}

/** Removes the files `enroll` wrote (a <client>.json with its <client>.id), and the folder when it is then empty. */
function prune(dir: string): void {
    if (!fs.existsSync(dir)) return;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".id"))) {
        const client = f.slice(0, -3);
        fs.rmSync(path.join(dir, `${client}.json`), { force: true });
        fs.rmSync(path.join(dir, f), { force: true });
        log(`${client}: removed ${path.relative(process.cwd(), path.join(dir, `${client}.json`))} (its identity is destroyed with the stack)`);
    }
    try { fs.rmdirSync(dir); } catch { /* other files of the user's stay */ }
}

if (require.main === module) {
    const [cmd, ...rest] = process.argv.slice(2);
    const flag = (name: string, dflt: string) => {
        const i = rest.indexOf(`--${name}`);
        return i >= 0 && rest[i + 1] ? rest[i + 1] : dflt;
    };
    const dir = path.resolve(flag("dir", path.join(".state", "clients")));
    try {
        if (cmd === "enroll") process.exit(enroll(flag("stack", "dev"), dir));
        else if (cmd === "prune") prune(dir);
        else {
            process.stderr.write("usage: ts-node scripts/enrollClients.ts enroll --stack dev --dir .state/clients | prune --dir .state/clients\n");
            process.exit(2);
        }
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        log(`cannot enroll: ${(err.stderr || err.message).trim().split("\n").slice(-2).join(" ")}`);
        process.exit(1);
    }
}
