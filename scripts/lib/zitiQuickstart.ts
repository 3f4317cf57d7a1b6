// A local OpenZiti network for tests and the embedded default: `ziti edge quickstart` (a controller and an
// edge router) on 127.0.0.1 with its own home directory and free ports.
//
//   const ziti = await startZitiQuickstart();          // temp home, free ports, random admin password
//   ... ziti.controllerUrl, ziti.username, ziti.password, ziti.caBundlePath ...
//   await ziti.stop();                                  // kills the process group, removes a temp home
//
// The admin password never appears in a process's arguments: ziti v1.7.2 takes the quickstart's admin password
// only as `--password` (openziti/ziti ziti/run/quickstart.go: a cobra flag, no environment or file), and any
// local user can read every process's arguments (/proc/<pid>/cmdline, `ps`) for as long as the network runs.
// So the quickstart is started with a random throwaway, and as soon as it has finished its own setup with it
// (the edge router created and enrolled) the admin's password is changed to the real one through the Management
// API (`PUT /current-identity/authenticators/{id}` with `currentPassword`, openziti/edge-api
// source/shared/current-identity-authenticators.yml) and every other API session, including any opened with
// the throwaway meanwhile, is deleted (`DELETE /api-sessions/{id}`). A restart over an existing database passes
// a fresh throwaway the quickstart never uses (it only reads `--password` when it initializes: `edge init` and
// its own login, both skipped once <home>/db exists).
//
// The `ziti` binary comes from ZITI_BIN, else `bash scripts/tools.sh path ziti` (which finds it on PATH or builds
// it), else the tools cache, else PATH. Progress goes to stderr; the controller's own log goes to <home>/quickstart.log.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface ZitiQuickstartOptions {
    /** Home directory (kept after stop). Default: a new temp directory, removed by stop(). */
    home?: string;
    /** Controller (control plane + REST API) port. Default: a free port. */
    ctrlPort?: number;
    /** Edge router port. Default: a free port. */
    routerPort?: number;
    /** Admin password. Default: the one saved in <home>/admin-password, else a new random one (saved 0600). */
    password?: string;
    /** Wait until the edge router is online (needed for overlay traffic). Default true. */
    waitForRouter?: boolean;
    /** Give up after this many ms. Default 120000. */
    timeoutMs?: number;
    /**
     * Run the controller and router inside this network namespace (e.g. the real nodes' host namespace, which the
     * pods route to) and advertise `advertiseAddress` there; the controller's port is relayed to 127.0.0.1 of this
     * process's namespace (socat over a unix socket in `home`), so `controllerUrl` stays https://127.0.0.1:<port>.
     */
    netns?: string;
    /**
     * The address the controller and router advertise (identities' ztAPI, the router list clients get) and name in
     * their certificates (with `netns`, as an IP SAN). Default 127.0.0.1. For the pods of `npm start`'s local clusters:
     * node/zitiReach.ts podReachableZitiName() (a host name that is loopback here, relayed into the nodes).
     */
    advertiseAddress?: string;
}

export interface ZitiQuickstart {
    /** `https://127.0.0.1:<ctrlPort>` (the Management API is under /edge/management/v1). */
    controllerUrl: string;
    username: string;
    password: string;
    /** PEM file of the root CA that signs the controller's TLS certificate. */
    caBundlePath: string;
    home: string;
    ctrlPort: number;
    routerPort: number;
    /** Absolute path of the ziti binary used. */
    zitiBin: string;
    /** The quickstart process (leader of its process group). */
    pid: number;
    /** Stops the controller and router (whole process group); removes the home if it was a temp one. */
    stop(): Promise<void>;
}

const log = (msg: string) => process.stderr.write(`[ziti-quickstart] ${msg}\n`);

const repoRoot = path.resolve(__dirname, "..", "..");

/** The ziti binary: ZITI_BIN, `scripts/tools.sh path ziti`, the tools cache, or PATH. */
export function resolveZitiBinary(): string {
    const fromEnv = process.env.ZITI_BIN;
    if (fromEnv) {
        if (!fs.existsSync(fromEnv)) throw new Error(`ZITI_BIN=${fromEnv} does not exist`);
        return fromEnv;
    }
    const toolsScript = path.join(repoRoot, "scripts", "tools.sh");
    if (fs.existsSync(toolsScript)) {
        // tools.sh prints progress on stderr (inherited) and the path on stdout.
        const out = execFileSync("bash", [toolsScript, "path", "ziti"], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
        const p = out.trim().split("\n").pop() ?? "";
        if (p && fs.existsSync(p)) return p;
        throw new Error(`scripts/tools.sh path ziti printed "${p}", which is not a file`);
    }
    const cacheRoot = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "scrape-anywhere", "tools");
    if (fs.existsSync(cacheRoot)) {
        const versions = fs.readdirSync(cacheRoot).filter((d) => d.startsWith("ziti-")).sort().reverse();
        for (const v of versions) {
            const p = path.join(cacheRoot, v, "bin", "ziti");
            if (fs.existsSync(p)) return p;
        }
    }
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const p = path.join(dir, "ziti");
        if (dir && fs.existsSync(p)) return p;
    }
    throw new Error("no ziti binary: set ZITI_BIN, or run `bash scripts/tools.sh path ziti` to build it");
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

async function distinctFreePorts(n: number, taken: number[]): Promise<number[]> {
    const out: number[] = [];
    while (out.length < n) {
        const p = await freePort();
        if (!out.includes(p) && !taken.includes(p)) out.push(p);
    }
    return out;
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

function tail(file: string, lines = 15): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Minimal HTTPS JSON call to a controller, trusting only `ca` (readiness probes; the provider has its own client). */
export async function controllerCall(url: string, ca: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; json: any }> {
    const { Agent, fetch } = require("undici") as typeof import("undici");
    const dispatcher = new Agent({ connect: { ca } });
    try {
        const headers: Record<string, string> = { accept: "application/json" };
        if (init.body !== undefined) headers["content-type"] = "application/json";
        if (init.token) headers["zt-session"] = init.token;
        const res = await fetch(url, {
            method: init.method ?? "GET",
            headers,
            body: init.body === undefined ? undefined : JSON.stringify(init.body),
            dispatcher,
            signal: AbortSignal.timeout(5000),
        });
        const text = await res.text();
        let json: any;
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
        return { status: res.status, json };
    } finally {
        await dispatcher.close();
    }
}

/** The quickstart's root CA under `home`, once it has written its PKI. */
export function findCaBundle(home: string): string | undefined {
    const direct = path.join(home, "pki", "root-ca", "certs", "root-ca.cert");
    if (fs.existsSync(direct)) return direct;
    const ctrl = path.join(home, "ctrl.yaml");
    if (fs.existsSync(ctrl)) {
        const m = /^\s*ca:\s*"?([^"\n]+)"?/m.exec(fs.readFileSync(ctrl, "utf8"));
        if (m && fs.existsSync(m[1].trim())) return m[1].trim();
    }
    return undefined;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
        process.kill(-child.pid, signal);
    } catch {
        // already gone
    }
}

/** The `ziti edge quickstart` arguments: every one may be read by any local user, so no secret but a throwaway. */
export function quickstartArgs(home: string, ctrlPort: number, routerPort: number, username: string, throwaway: string, address = "127.0.0.1"): string[] {
    // --ctrl-address/--router-address are the advertised addresses (openziti/ziti v1.7.2 ziti/run/quickstart.go); both
    // listen on every address of their namespace whatever is advertised (ctrl.yaml `interface: 0.0.0.0`).
    return [
        "edge", "quickstart",
        "--home", home,
        "--ctrl-address", address,
        "--ctrl-port", String(ctrlPort),
        "--router-address", address,
        "--router-port", String(routerPort),
        "--username", username,
        "--password", throwaway,
    ];
}

/** A random password for the admin (or a throwaway): 24 URL-safe characters. */
export function randomPassword(): string {
    return require("crypto").randomBytes(18).toString("base64url");
}

/** Where a quickstart home keeps the throwaway until the real password is set (0600; gone once it is). */
export function throwawayFile(home: string): string {
    return path.join(home, "admin-password.initial");
}

/**
 * One step towards "the admin logs in with `password`": "ok" with a session token when it does; otherwise what is
 * still missing. While <home>/admin-password.initial exists the admin may still have that throwaway: once the
 * quickstart has created and enrolled its edge router (its last use of the password), the password is changed to
 * `password`, the file removed, and every API session but the new one deleted.
 */
export async function settleAdminPassword(controllerUrl: string, ca: string, home: string, username: string, password: string): Promise<{ state: string; token?: string }> {
    const api = `${controllerUrl}/edge/management/v1`;
    const login = async (pw: string) => {
        const r = await controllerCall(`${api}/authenticate?method=password`, ca, { method: "POST", body: { username, password: pw } });
        return r.status === 200 && typeof r.json?.data?.token === "string" ? (r.json.data.token as string) : undefined;
    };
    const initial = throwawayFile(home);
    const throwaway = fs.existsSync(initial) ? fs.readFileSync(initial, "utf8").trim() : undefined;
    if (!throwaway) {
        const token = await login(password);
        return token ? { state: "ok", token } : { state: "the admin login with the saved password is refused" };
    }
    const first = await login(throwaway);
    if (!first) {
        // Changed already (a run stopped between the change and removing the file)?
        const token = await login(password);
        if (!token) return { state: "admin login not accepted yet" };
        fs.rmSync(initial, { force: true });
        return { state: "ok", token };
    }
    const routers = await controllerCall(`${api}/edge-routers?limit=100`, ca, { token: first });
    if (!(routers.json?.data ?? []).some((r: any) => r.isVerified)) return { state: "the quickstart is still setting up its edge router" };
    const authenticators = await controllerCall(`${api}/current-identity/authenticators`, ca, { token: first });
    const updb = (authenticators.json?.data ?? []).find((a: any) => a.method === "updb");
    if (!updb) throw new Error(`the quickstart admin has no password authenticator (answer ${authenticators.status})`);
    const put = await controllerCall(`${api}/current-identity/authenticators/${encodeURIComponent(updb.id)}`, ca, {
        method: "PUT",
        token: first,
        body: { username, password, currentPassword: throwaway },
    });
    if (put.status !== 200) throw new Error(`changing the quickstart admin's throwaway password failed: ${put.status} ${put.json?.error?.code ?? ""}`);
    fs.rmSync(initial, { force: true });
    const token = await login(password);
    if (!token) throw new Error("the admin login with the new password is refused right after the change");
    // Whoever read the throwaway from the process list in the meantime loses any session opened with it.
    const current = await controllerCall(`${api}/current-api-session`, ca, { token });
    const sessions = await controllerCall(`${api}/api-sessions?limit=500`, ca, { token });
    for (const s of sessions.json?.data ?? []) {
        if (s.id !== current.json?.data?.id) await controllerCall(`${api}/api-sessions/${encodeURIComponent(s.id)}`, ca, { method: "DELETE", token });
    }
    return { state: "ok", token };
}

/**
 * 127.0.0.1:<port> of this namespace relayed to <address>:<port> in `netns`, without any link between the two
 * namespaces: a socat in each, joined by a unix socket in `home` (as the real nodes' API server relay,
 * scripts/lib/node/lifecycle.ts startLoopbackForwarder).
 */
function startRelay(home: string, netns: string, address: string, port: number, out: number): ChildProcess[] {
    const sock = path.join(home, `ctrl-${port}.sock`);
    fs.rmSync(sock, { force: true });
    const opts = { detached: true, stdio: ["ignore", out, out] as ["ignore", number, number] };
    return [
        spawn("ip", ["netns", "exec", netns, "socat", `UNIX-LISTEN:${sock},fork,mode=600`, `TCP:${address}:${port}`], opts),
        spawn("socat", [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${sock}`], opts),
    ];
}

/** The quickstart's private temp directory in `home`, where its CLI agent's unix socket lives. */
export function cliAgentDir(home: string): string {
    return path.join(home, "tmp");
}

/**
 * Makes the temp directory of a quickstart in `home` empty and returns the quickstart's environment (`extra` on top
 * of this process's).
 * The quickstart saves its CLI login under ZITI_CONFIG_DIR (default ~/.config/ziti, shared): two networks at once
 * would overwrite each other's, so each keeps its own. The controller's and router's CLI agent listens on
 * os.TempDir()/gops-agent.<pid>.sock and removes it only on SIGINT (openziti/agent agent.go Listen, gracefulShutdown;
 * v1.7.2's quickstart has no --cli-agent flag), so every stopped quickstart littered the shared /tmp: TMPDIR points it
 * into the home, emptied here (a killed run's socket) and removed by the caller at stop. A failed agent listen is only
 * logged (ziti v1.7.2 ziti/run/run_controller.go, router/router.go RunCliAgent), so a home too deep for a socket path
 * still starts.
 */
export function prepareQuickstartEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const agentDir = cliAgentDir(home);
    fs.rmSync(agentDir, { recursive: true, force: true });
    fs.mkdirSync(agentDir, { mode: 0o700 });
    return { ...process.env, ...extra, ZITI_HOME: home, ZITI_CONFIG_DIR: path.join(home, "cli"), TMPDIR: agentDir };
}

/** Starts `ziti edge quickstart` on 127.0.0.1 and resolves once the Management API accepts the admin login. */
export async function startZitiQuickstart(opts: ZitiQuickstartOptions = {}): Promise<ZitiQuickstart> {
    const zitiBin = resolveZitiBinary();
    const tempHome = !opts.home;
    const home = opts.home ? path.resolve(opts.home) : fs.mkdtempSync(path.join(os.tmpdir(), "ziti-qs-"));
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const pwFile = path.join(home, "admin-password");
    const password = opts.password ?? (fs.existsSync(pwFile) ? fs.readFileSync(pwFile, "utf8").trim() : randomPassword());
    fs.writeFileSync(pwFile, password + "\n", { mode: 0o600 });
    // A new database takes the throwaway of the command line; until it is changed, it is kept next to the password.
    const throwaway = randomPassword();
    if (!fs.existsSync(path.join(home, "db"))) fs.writeFileSync(throwawayFile(home), throwaway + "\n", { mode: 0o600 });
    if (opts.netns && !opts.advertiseAddress) throw new Error("startZitiQuickstart: `netns` needs `advertiseAddress` (the address the namespace's clients reach)");
    const [ctrlPort, routerPort] = opts.ctrlPort && opts.routerPort
        ? [opts.ctrlPort, opts.routerPort]
        : opts.ctrlPort
          ? [opts.ctrlPort, (await distinctFreePorts(1, [opts.ctrlPort]))[0]]
          : opts.routerPort
            ? [(await distinctFreePorts(1, [opts.routerPort]))[0], opts.routerPort]
            : await distinctFreePorts(2, []);
    const username = "admin";
    const controllerUrl = `https://127.0.0.1:${ctrlPort}`;
    const logFile = path.join(home, "quickstart.log");
    const timeoutMs = opts.timeoutMs ?? 120_000;

    const address = opts.advertiseAddress ?? "127.0.0.1";
    log(`starting ${zitiBin} edge quickstart: controller ${controllerUrl}, router ${address}:${routerPort}${opts.netns ? ` (in namespace ${opts.netns}, advertised as ${address})` : ""}, home ${home}`);
    const out = fs.openSync(logFile, "a");
    const qsArgs = quickstartArgs(home, ctrlPort, routerPort, username, throwaway, address);
    // An advertised IP must be an IP SAN of the controller's and the router's certificates: Go's TLS matches an IP
    // host against IP SANs only (openziti/ziti v1.7.2 ziti/run/quickstart.go createMinimalPki reads
    // ZITI_CTRL_EDGE_IP_OVERRIDE; ziti/cmd/create/create_config_router_common.go reads ZITI_ROUTER_IP_OVERRIDE).
    const overrides = opts.netns ? { ZITI_CTRL_EDGE_IP_OVERRIDE: address, ZITI_ROUTER_IP_OVERRIDE: address } : {};
    const child = spawn(
        opts.netns ? "ip" : zitiBin,
        opts.netns ? ["netns", "exec", opts.netns, zitiBin, ...qsArgs] : qsArgs,
        // Own process group, so stop() reaches the controller and router it forks.
        { cwd: home, detached: true, stdio: ["ignore", out, out], env: prepareQuickstartEnv(home, overrides) },
    );
    const relays = opts.netns ? startRelay(home, opts.netns, address, ctrlPort, out) : [];
    fs.closeSync(out);
    let exited: string | undefined;
    child.on("exit", (code, signal) => (exited = signal ? `signal ${signal}` : `code ${code}`));

    let stopped = false;
    const stop = async (): Promise<void> => {
        if (stopped) return;
        stopped = true;
        for (const r of relays) killGroup(r, "SIGKILL");
        if (!exited) {
            killGroup(child, "SIGTERM");
            for (let i = 0; i < 50 && !exited; i++) await sleep(200);
            if (!exited) killGroup(child, "SIGKILL");
            for (let i = 0; i < 25 && !exited; i++) await sleep(200);
        }
        fs.rmSync(tempHome ? home : cliAgentDir(home), { recursive: true, force: true });
        log(`stopped controller ${controllerUrl}${tempHome ? " and removed its temp home" : ""}`);
    };

    try {
        const deadline = Date.now() + timeoutMs;
        let caBundlePath: string | undefined;
        let token: string | undefined;
        let lastNote = "";
        let lastReport = 0;
        while (Date.now() < deadline) {
            if (exited) throw new Error(`ziti edge quickstart exited (${exited}) before it answered; last log lines:\n${tail(logFile)}`);
            if (Date.now() - lastReport > 10_000) {
                lastReport = Date.now();
                log(`waiting for the controller${lastNote ? ` (${lastNote})` : ""}...`);
            }
            caBundlePath = caBundlePath ?? findCaBundle(home);
            if (caBundlePath) {
                try {
                    const ca = fs.readFileSync(caBundlePath, "utf8");
                    if (!token) {
                        const settled = await settleAdminPassword(controllerUrl, ca, home, username, password);
                        token = settled.token;
                        lastNote = settled.state;
                    }
                    if (token) {
                        if (opts.waitForRouter === false) break;
                        const ers = await controllerCall(`${controllerUrl}/edge/management/v1/edge-routers?limit=100`, ca, { token });
                        if ((ers.json?.data ?? []).some((r: any) => r.isOnline)) break;
                        lastNote = "controller up, edge router not online yet";
                    }
                } catch (e) {
                    lastNote = `not answering yet: ${(e as any)?.cause?.code ?? (e as Error).message}`;
                }
            }
            await sleep(500);
        }
        if (!caBundlePath || !token || Date.now() >= deadline) {
            throw new Error(`the quickstart controller did not become ready within ${timeoutMs} ms (${lastNote}); last log lines:\n${tail(logFile)}`);
        }
        log(`controller ready at ${controllerUrl} (CA ${caBundlePath})`);
        return { controllerUrl, username, password, caBundlePath, home, ctrlPort, routerPort, zitiBin, pid: child.pid!, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}
