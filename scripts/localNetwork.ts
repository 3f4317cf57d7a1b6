// The persistent local OpenZiti network of `npm start`: one `ziti edge quickstart` (controller + edge
// router on 127.0.0.1) whose home is `.state/ziti/` in the repo. It runs detached (own process group,
// survives the script that started it), is recorded in `.state/ziti/network.json` and `.state/ziti/quickstart.pid`,
// and is reused while it is alive and answers the admin login.
//
//   ts-node scripts/localNetwork.ts up        start or reuse; prints the settings as JSON on stdout (no password)
//   ts-node scripts/localNetwork.ts env       start or reuse; prints `export ZITI_*=...` lines for the
//                                             provider's environment fallbacks (for `eval`; holds the password)
//   ts-node scripts/localNetwork.ts status    exit 0 when running and answering, 3 when not
//   ts-node scripts/localNetwork.ts down [--purge]   stop it (and with --purge remove .state/ziti)
//
// The admin password is random, saved 0600 in `.state/ziti/admin-password`; it never goes to stdout, and never
// into a command line: the quickstart gets a throwaway, replaced through the Management API once the network is up
// (scripts/lib/zitiQuickstart.ts settleAdminPassword).
// Env: SCRAPE_ANYWHERE_ZITI_HOME moves the home; ZITI_BIN names the ziti binary.
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { killGroup } from "./lib/processes";
import * as YAML from "yaml";
import { podReachableZitiName } from "./lib/node/zitiReach";
import { bindHomeToLoopback, LOOPBACK_CONTROLLER_ENV, resolvesTo127 } from "./lib/zitiBind";
import { cliAgentDir, controllerCall, findCaBundle, quickstartArgs, prepareQuickstartEnv, randomPassword, resolveZitiBinary, settleAdminPassword, throwawayFile } from "./lib/zitiQuickstart";

const repoRoot = path.resolve(__dirname, "..");
/** The home `npm start` uses unless SCRAPE_ANYWHERE_ZITI_HOME moves it: the only one that takes the default ports. */
export const defaultZitiHome = path.join(repoRoot, ".state", "ziti");
export const zitiHome = path.resolve(process.env.SCRAPE_ANYWHERE_ZITI_HOME ?? defaultZitiHome);
/** The quickstart's own defaults (controller, edge router), kept for the default home so its stack config stays familiar. */
export const DEFAULT_PORTS: readonly [number, number] = [1280, 3022];
const files = {
    pid: path.join(zitiHome, "quickstart.pid"),
    network: path.join(zitiHome, "network.json"),
    password: path.join(zitiHome, "admin-password"),
    log: path.join(zitiHome, "quickstart.log"),
};

export interface LocalNetwork {
    controllerUrl: string;
    username: string;
    caBundlePath: string;
    ctrlPort: number;
    routerPort: number;
    home: string;
    pid: number;
    /**
     * The host the controller and router advertise (identities' ztAPI, the router list): this machine's host name when
     * it is loopback here, so the local clusters' pods reach the network too (lib/node/zitiReach.ts); else 127.0.0.1.
     */
    advertise?: string;
    /** Whether this call started it (false: an already running one was reused). */
    started?: boolean;
}

/** The host a network's controller advertises, from its ctrl.yaml (`edge.api.address`): fixed when its database was made. */
export function advertisedHost(home: string = zitiHome): string | undefined {
    try {
        const address = String(YAML.parse(fs.readFileSync(path.join(home, "ctrl.yaml"), "utf8"))?.edge?.api?.address ?? "");
        return address ? address.replace(/:\d+$/, "") : undefined;
    } catch {
        return undefined;
    }
}

/** The recorded network of this home (running or not). */
export function savedNetwork(): LocalNetwork | undefined {
    const n = readJson<LocalNetwork>(files.network);
    return n ? { ...n, advertise: n.advertise ?? advertisedHost() } : undefined;
}

/** Whether the recorded network's quickstart process is alive. */
export function networkRunning(): boolean {
    const n = readJson<LocalNetwork>(files.network);
    return !!n && runningPid() === n.pid;
}

const log = (msg: string) => process.stderr.write(`[local-network] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readJson<T>(file: string): T | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as T;
    } catch {
        return undefined;
    }
}

/** The admin password of the local network (created on first use). */
export function adminPassword(): string {
    if (fs.existsSync(files.password)) return fs.readFileSync(files.password, "utf8").trim();
    const pw = randomPassword();
    fs.mkdirSync(zitiHome, { recursive: true, mode: 0o700 });
    fs.writeFileSync(files.password, pw + "\n", { mode: 0o600 });
    return pw;
}

/**
 * True when `pid` is a live ziti quickstart process of this home and of this user (guards against pid reuse: on a
 * shared host the pid may by now be another user's process whose command line names the same words, and a root
 * `npm run down` would signal its whole group).
 */
function isOurQuickstart(pid: number | undefined): boolean {
    if (!pid) return false;
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        if (process.getuid && fs.lstatSync(`/proc/${pid}`).uid !== process.getuid()) return false;
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return cmd.includes("quickstart") && cmd.includes(zitiHome);
    } catch {
        return true; // no /proc (macOS): trust kill(0)
    }
}

function runningPid(): number | undefined {
    const pid = Number(fs.existsSync(files.pid) ? fs.readFileSync(files.pid, "utf8").trim() : NaN);
    return isOurQuickstart(pid) ? pid : undefined;
}

function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

/**
 * The ports a network of `home` asks for first: its saved ones (so the controller URL, and with it the stack config,
 * stays the same), else 1280/3022 for the default home only; undefined = free ones. Another home (a test's isolated
 * workspace, a second checkout's tier run) never asks for the defaults: two such networks started at once both found
 * 1280 free and the second failed to bind it (tier faults, README "Tests").
 */
export function wantedPorts(home: string, saved?: Pick<LocalNetwork, "ctrlPort" | "routerPort">): [number, number] | undefined {
    if (saved) return [saved.ctrlPort, saved.routerPort];
    return path.resolve(home) === defaultZitiHome ? [DEFAULT_PORTS[0], DEFAULT_PORTS[1]] : undefined;
}

/**
 * wantedPorts() when both are free now, else free ones. A home whose controller exists keeps its saved ports: the
 * quickstart writes ctrl.yaml and router.yml only when it makes the database (openziti/ziti v1.7.2
 * ziti/run/quickstart.go, AlreadyInitialized), so other ports would be waited on while the controller listens on the
 * old ones (CI: a fresh home's one restart, after the router's listener was moved to 127.0.0.1, found 1280 still
 * taken, chose a free port and timed out waiting for the controller there).
 */
async function choosePorts(saved?: LocalNetwork): Promise<[number, number]> {
    const wanted = wantedPorts(zitiHome, saved);
    const free = async () => !!wanted && wanted[0] !== wanted[1] && (await portFree(wanted[0])) && (await portFree(wanted[1]));
    if (saved && wanted && fs.existsSync(path.join(zitiHome, "db"))) {
        // The controller just stopped (a restart) may hold its ports for a moment.
        for (let i = 0; i < 60 && !(await free()); i++) await sleep(500);
        if (await free()) return wanted;
        throw new Error(`the local network's ports ${wanted.join("/")} are taken by another process, and its controller (home ${zitiHome}) ` +
            "was made with them: stop that process, or start afresh with `npm run down -- --purge`.");
    }
    if (await free()) return wanted!;
    if (saved && wanted) log(`ports ${wanted.join("/")} are taken now: choosing free ones (the dev stack's ziti:controllerUrl will be updated)`);
    const a = await freePort();
    let b = await freePort();
    while (b === a) b = await freePort();
    return [a, b];
}

/**
 * "ok" when the admin login works and an edge router is online; otherwise what is missing. On a new network this is
 * also where the throwaway password of the command line is replaced by the real one (./lib/zitiQuickstart).
 */
async function probe(controllerUrl: string, caBundlePath: string | undefined, password: string): Promise<string> {
    if (!caBundlePath) return "no CA yet";
    try {
        const ca = fs.readFileSync(caBundlePath, "utf8");
        const auth = await settleAdminPassword(controllerUrl, ca, zitiHome, "admin", password);
        if (!auth.token) return auth.state;
        const ers = await controllerCall(`${controllerUrl}/edge/management/v1/edge-routers?limit=100`, ca, { token: auth.token });
        return (ers.json?.data ?? []).some((r: any) => r.isOnline) ? "ok" : "edge router not online yet";
    } catch (e) {
        return `not answering: ${(e as any)?.cause?.code ?? (e as Error).message}`;
    }
}

function tail(file: string, lines = 20): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Starts the local network, or reuses the running one. */
export async function up(timeoutMs = 180_000): Promise<LocalNetwork> {
    fs.mkdirSync(zitiHome, { recursive: true, mode: 0o700 });
    const password = adminPassword();
    const saved = readJson<LocalNetwork>(files.network);
    const pid = runningPid();
    if (pid && saved && saved.pid === pid) {
        const deadline = Date.now() + 60_000;
        let state = await probe(saved.controllerUrl, saved.caBundlePath, password);
        while (state !== "ok" && Date.now() < deadline) {
            await sleep(1000);
            state = await probe(saved.controllerUrl, saved.caBundlePath, password);
        }
        if (state === "ok") {
            log(`reusing the running network (pid ${pid}) at ${saved.controllerUrl}`);
            return { ...saved, started: false };
        }
        log(`the running network (pid ${pid}) does not answer (${state}): restarting it`);
        await down(false);
    } else if (pid) {
        log(`a quickstart (pid ${pid}) runs on ${zitiHome} without a record: restarting it`);
        await down(false);
    }

    const [ctrlPort, routerPort] = await choosePorts(saved);
    const controllerUrl = `https://127.0.0.1:${ctrlPort}`;
    const zitiBin = resolveZitiBinary();
    // A new database takes the advertised host; an existing one keeps the one it was made with (its ctrl.yaml).
    const advertise = advertisedHost() ?? (await podReachableZitiName().catch((e: Error) => {
        log(`advertising 127.0.0.1, so the local clusters' pods cannot reach this network: ${e.message}`);
        return "127.0.0.1";
    }));
    // Loopback only (./lib/zitiBind.ts): the root namespace's default route leaves the machine. Only where what is
    // advertised is 127.0.0.1 (clients dial it); a home made before this is rewritten here.
    const loopback = await resolvesTo127(advertise);
    if (loopback) {
        const changed = bindHomeToLoopback(zitiHome);
        if (changed.length) log(`listening on 127.0.0.1 only from now on: rewrote ${changed.map((f) => path.basename(f)).join(", ")} (were 0.0.0.0)`);
    } else {
        log(`${advertise} does not resolve to 127.0.0.1 only: the controller and router listen on every address`);
    }
    const fresh = !fs.existsSync(path.join(zitiHome, "db"));
    log(`starting ${zitiBin} edge quickstart: controller ${controllerUrl} (advertised as ${advertise}), router ${advertise}:${routerPort}, home ${zitiHome}`);
    const out = fs.openSync(files.log, "a", 0o600);
    // The command line is world-readable while the network runs: it carries only a throwaway (see ./lib/zitiQuickstart).
    const throwaway = randomPassword();
    if (!fs.existsSync(path.join(zitiHome, "db"))) fs.writeFileSync(throwawayFile(zitiHome), throwaway + "\n", { mode: 0o600 });
    const child = spawn(zitiBin, quickstartArgs(zitiHome, ctrlPort, routerPort, "admin", throwaway, advertise), {
        cwd: zitiHome,
        detached: true,
        stdio: ["ignore", out, out],
        env: prepareQuickstartEnv(zitiHome, loopback ? LOOPBACK_CONTROLLER_ENV : {}),
    });
    fs.closeSync(out);
    child.unref();
    let exited: string | undefined;
    child.on("exit", (code, signal) => (exited = signal ? `signal ${signal}` : `code ${code}`));
    if (!child.pid) throw new Error(`could not start ${zitiBin}`);
    fs.writeFileSync(files.pid, `${child.pid}\n`, { mode: 0o600 });

    const deadline = Date.now() + timeoutMs;
    let state = "starting";
    let lastReport = Date.now();
    while (Date.now() < deadline) {
        if (exited) {
            fs.rmSync(files.pid, { force: true });
            throw new Error(`ziti edge quickstart exited (${exited}) before it was ready; last lines of ${files.log}:\n${tail(files.log)}`);
        }
        state = await probe(controllerUrl, findCaBundle(zitiHome), password);
        if (state === "ok") break;
        if (Date.now() - lastReport > 10_000) {
            lastReport = Date.now();
            log(`waiting for the controller and router (${state})...`);
        }
        await sleep(500);
    }
    if (state !== "ok") {
        killGroup(child.pid, "SIGTERM");
        throw new Error(`the local network was not ready within ${timeoutMs} ms (${state}); last lines of ${files.log}:\n${tail(files.log)}`);
    }
    const network: LocalNetwork = { controllerUrl, username: "admin", caBundlePath: findCaBundle(zitiHome)!, ctrlPort, routerPort, home: zitiHome, pid: child.pid, advertise };
    fs.writeFileSync(files.network, JSON.stringify(network, null, 2) + "\n", { mode: 0o600 });
    if (fresh && loopback && bindHomeToLoopback(zitiHome).length) {
        // A new home's router config was generated with 0.0.0.0 and is already listening so: once, with the rewrite.
        log("restarting once: the new router's config was generated listening on 0.0.0.0 (ziti v1.7.2 router.yml), now 127.0.0.1");
        await down(false);
        return up(timeoutMs);
    }
    log(`ready: controller ${controllerUrl} (pid ${child.pid}, log ${path.relative(repoRoot, files.log)})`);
    return { ...network, started: true };
}

/** Stops the local network (whole process group); with `purge`, removes its home. */
export async function down(purge: boolean): Promise<void> {
    const pid = runningPid();
    if (pid) {
        killGroup(pid, "SIGTERM");
        for (let i = 0; i < 50 && isOurQuickstart(pid); i++) await sleep(200);
        if (isOurQuickstart(pid)) killGroup(pid, "SIGKILL");
        for (let i = 0; i < 25 && isOurQuickstart(pid); i++) await sleep(200);
        log(`stopped the local network (pid ${pid})`);
    } else {
        log("the local network is not running");
    }
    fs.rmSync(files.pid, { force: true });
    fs.rmSync(cliAgentDir(zitiHome), { recursive: true, force: true });
    if (purge) {
        fs.rmSync(zitiHome, { recursive: true, force: true });
        log(`removed ${zitiHome}`);
    }
}

async function main(argv: string[]): Promise<number> {
    const [cmd, ...rest] = argv;
    switch (cmd) {
        case "up": {
            const n = await up();
            process.stdout.write(JSON.stringify(n) + "\n");
            return 0;
        }
        case "env": {
            const n = await up();
            const vars: Record<string, string> = {
                ZITI_API_HOST: n.controllerUrl,
                ZITI_USERNAME: n.username,
                ZITI_PASSWORD: adminPassword(),
                ZITI_CA_BUNDLE: n.caBundlePath,
            };
            const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
            // The local network's settings are the whole of it: an admin identity or `insecure` left in the caller's
            // shell would otherwise still apply to it.
            process.stdout.write("unset ZITI_IDENTITY_FILE ZITI_INSECURE\n" + Object.entries(vars).map(([k, v]) => `export ${k}=${quote(v)}\n`).join(""));
            return 0;
        }
        case "status": {
            const saved = readJson<LocalNetwork>(files.network);
            const pid = runningPid();
            if (!pid || !saved) {
                log("not running");
                return 3;
            }
            const state = await probe(saved.controllerUrl, saved.caBundlePath, adminPassword());
            log(`pid ${pid}, ${saved.controllerUrl}: ${state}`);
            return state === "ok" ? 0 : 3;
        }
        case "down":
            await down(rest.includes("--purge"));
            return 0;
        default:
            process.stderr.write("usage: localNetwork.ts up | env | status | down [--purge]\n");
            return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        // exit explicitly: the detached quickstart must not keep this process alive.
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`[local-network] error: ${(e as Error).message}\n`);
            process.exit(1);
        },
    );
}
