// A local `ziti tunnel proxy` per cluster whose Kubernetes API is reached only over Ziti
// (`clusters[].apiOverZiti`), for the length of one deploy command.
//
//   const tunnel = await startApiTunnel({ cluster: "kubeB", service: "kubeB.k8s.svc", identityFile });
//   ... the Kubernetes provider talks to https://<tunnel.endpoint> (127.0.0.1:<the service's proxy.v1 port>) ...
//   await tunnel.stop();
//
// Before starting it asks the controller, as the admin identity itself (its certificate on the Client
// API), whether the service exists for it and whether it may dial it, so that a deploy fails with the
// reason (no identity, the controller rejects it, service missing, no Dial grant, port taken) instead of
// a Kubernetes timeout. With admin settings in the environment (ZITI_API_HOST, ZITI_USERNAME,
// ZITI_PASSWORD, ZITI_CA_BUNDLE: the provider's fallbacks) it also tells "missing" from "not granted".
//
// `ziti tunnel proxy <service>:<port>` (openziti/ziti ziti/tunnel/proxy.go; flags -i/--identity and
// --cli-agent in ziti/tunnel/root.go) has no flag for a bind address: by itself it listens on 0.0.0.0.
// A proxy.v1 config on the service replaces the command line's `service:port` entirely, port included, and
// its `binding` is where it listens (openziti/ziti v1.7.2 tunnel/intercept/proxy/proxy.go Intercept and
// handleTCP, binding resolved with openziti/transport ResolveLocalBinding; tunnel/entities/service.go
// ProxyV1Config). So the cluster's API service carries one on 127.0.0.1 (components/zitiEntities.ts), and
// this wrapper reads it through the Client API with the admin identity, refuses to start when it is missing
// or not on loopback, and uses its port. The API server still wants the kubeconfig's own credentials.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { tiedToThisProcess } from "./processes";
import { resolveZitiBinary } from "./zitiQuickstart";

export interface ApiTunnelSpec {
    cluster: string;
    /** The Ziti service of the cluster's API, e.g. `kubeB.k8s.svc`. */
    service: string;
    /** Enrolled admin identity file (JSON with ztAPI, id.cert, id.key, id.ca). */
    identityFile: string;
    /**
     * The loopback port the deployer expects (`apiOverZiti.localPort`); unset or 0: the service's proxy.v1 port,
     * which is where the proxy listens in any case. A different value is refused (`port-mismatch`).
     */
    localPort?: number;
    /**
     * Wording for another kind of user than a cluster's API admin (scripts/lib/clientTunnel.ts: a human client
     * opening the central Prometheus): what the messages call the place, how to get an identity file, how to get a
     * Dial grant, what makes the service. Unset: the API admin's wording.
     */
    wording?: { place?: string; enroll?: string; grant?: string; missing?: string };
}

/**
 * `service-not-visible`: the identity sees no such service and no admin settings were at hand to tell
 * "missing" (`service-missing`) from "not granted" (`no-dial-grant`).
 */
export type ApiTunnelFailure = "no-identity" | "identity-rejected" | "service-missing" | "service-not-visible" | "no-dial-grant" | "port-in-use" | "not-loopback" | "port-mismatch" | "tunnel-failed";

/** Why a tunnel could not be had; `reason` is stable for callers and tests, the message says the fix. */
export class ApiTunnelError extends Error {
    constructor(readonly reason: ApiTunnelFailure, message: string) {
        super(message);
        this.name = "ApiTunnelError";
    }
}

export interface ApiTunnel {
    spec: ApiTunnelSpec;
    /** `127.0.0.1:<port>`. */
    endpoint: string;
    pid: number;
    logFile: string;
    stop(): Promise<void>;
}

/** A service's proxy.v1 config as the Client API returns it (`config["proxy.v1"]`). */
export interface ProxyV1 { binding?: string; port: number; protocols?: string[] }

interface IdentityFile {
    ztAPI: string;
    id: { cert: string; key: string; ca: string };
}

const pem = (s: string) => s.replace(/^pem:/, "");

function request(url: string, method: string, tls: { ca: string; cert?: string; key?: string }, opts: { token?: string; body?: unknown } = {}):
    Promise<{ status: number; body: any }> {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return new Promise((resolve, reject) => {
        const req = https.request(url, {
            method, ca: tls.ca, cert: tls.cert, key: tls.key, agent: false, timeout: 15000,
            headers: {
                accept: "application/json",
                ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
                ...(opts.token ? { "zt-session": opts.token } : {}),
            },
        }, res => {
            const chunks: Buffer[] = [];
            res.on("data", c => chunks.push(c));
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                let body: any = text;
                try { body = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
                resolve({ status: res.statusCode ?? 0, body });
            });
        });
        req.on("timeout", () => req.destroy(new Error(`timed out: ${method} ${url}`)));
        req.on("error", reject);
        if (payload) req.write(payload);
        req.end();
    });
}

const errorText = (body: any) => body?.error ? `${body.error.code ?? ""} ${body.error.message ?? ""}`.trim() : String(body ?? "").slice(0, 200);

/** What messages call the place of `spec`: `cluster "kubeB"` unless the spec words it otherwise. */
const placeOf = (spec: ApiTunnelSpec) => spec.wording?.place ?? `cluster "${spec.cluster}"`;

function readIdentity(spec: ApiTunnelSpec): IdentityFile {
    // `ziti edge enroll --jwt --out`: openziti/ziti v1.7.2 ziti/enroll/enroll_identity.go.
    const enroll = spec.wording?.enroll ?? (`enroll the admin's one-time JWT (pulumi stack output --show-secrets kubernetesAdminJwts) with ` +
        `\`ziti edge enroll --jwt <admin>.jwt --out ${spec.identityFile}\`, or fix clusters[].apiOverZiti.identityFile`);
    let text: string;
    try {
        text = fs.readFileSync(spec.identityFile, "utf8");
    } catch (e) {
        throw new ApiTunnelError("no-identity", `${placeOf(spec)}: no identity file ${spec.identityFile} (${(e as NodeJS.ErrnoException).code}): ${enroll}.`);
    }
    let id: IdentityFile;
    try {
        id = JSON.parse(text);
    } catch {
        throw new ApiTunnelError("no-identity", `${placeOf(spec)}: ${spec.identityFile} is not an identity JSON file: ${enroll}.`);
    }
    if (!id?.ztAPI || !id.id?.cert || !id.id?.key || !id.id?.ca) {
        throw new ApiTunnelError("no-identity", `${placeOf(spec)}: ${spec.identityFile} is not an enrolled identity (needs ztAPI, id.cert, id.key, id.ca): ${enroll}.`);
    }
    return id;
}

/** Whether the service exists on the controller, asked with the admin settings of the environment (undefined: no settings). */
async function serviceExists(service: string, env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
    const url = env.ZITI_API_HOST, user = env.ZITI_USERNAME, password = env.ZITI_PASSWORD, caFile = env.ZITI_CA_BUNDLE;
    if (!url || !user || !password || !caFile) return undefined;
    try {
        const ca = fs.existsSync(caFile) ? fs.readFileSync(caFile, "utf8") : caFile;
        const base = `${url.replace(/\/+$/, "")}/edge/management/v1`;
        const auth = await request(`${base}/authenticate?method=password`, "POST", { ca }, { body: { username: user, password } });
        const token = auth.body?.data?.token;
        if (!token) return undefined;
        const r = await request(`${base}/services?filter=${encodeURIComponent(`name="${service}"`)}`, "GET", { ca }, { token });
        await request(`${base}/current-api-session`, "DELETE", { ca }, { token }).catch(() => undefined);
        return r.status === 200 ? (r.body?.data ?? []).length > 0 : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Asks the controller, as the identity of `spec`, for a Dial session on `spec.service`: the step every
 * tunneler takes before a router connects it. Throws an ApiTunnelError naming what is wrong; returns the
 * service's proxy.v1 config (undefined when it has none).
 */
export async function checkApiAccess(spec: ApiTunnelSpec, env: NodeJS.ProcessEnv = process.env): Promise<ProxyV1 | undefined> {
    const id = readIdentity(spec);
    const tls = { ca: pem(id.id.ca), cert: pem(id.id.cert), key: pem(id.id.key) };
    const base = `${id.ztAPI.replace(/\/+$/, "").replace(/\/edge\/client\/v1$/, "")}/edge/client/v1`;
    let auth;
    try {
        auth = await request(`${base}/authenticate?method=cert`, "POST", tls, { body: {} });
    } catch (e) {
        throw new ApiTunnelError("identity-rejected", `${placeOf(spec)}: the controller of ${spec.identityFile} (${id.ztAPI}) does not answer: ${(e as Error).message}.`);
    }
    const token = auth.body?.data?.token;
    if (!token) {
        throw new ApiTunnelError("identity-rejected", `${placeOf(spec)}: the controller rejects the identity in ${spec.identityFile} ` +
            `(HTTP ${auth.status} ${errorText(auth.body)}): it was deleted or re-created; enroll the admin's new JWT.`);
    }
    try {
        // `configTypes`: the Client API fills each service's `config` with these types (openziti/ziti v1.7.2
        // controller/internal/routes/service_router.go ListClientServices).
        const list = await request(`${base}/services?configTypes=proxy.v1&filter=${encodeURIComponent(`name="${spec.service}"`)}`, "GET", tls, { token });
        const svc = ((list.body?.data ?? []) as any[]).find(s => s.name === spec.service);
        const grant = spec.wording?.grant ?? `add the identity to the cluster's API admins (scrape-anywhere:kubernetesAdmins / clusters[].kubernetesAdmins) and \`pulumi up\` the cluster's stack from where the controller is reachable`;
        if (!svc) {
            const exists = await serviceExists(spec.service, env);
            if (exists === false) {
                throw new ApiTunnelError("service-missing", `${placeOf(spec)}: there is no Ziti service "${spec.service}" on the controller: ` +
                    (spec.wording?.missing ?? `turn scrape-anywhere:kubernetesApi on in the cluster's stack and \`pulumi up\` it, or fix clusters[].apiOverZiti.service.`));
            }
            throw new ApiTunnelError(exists ? "no-dial-grant" : "service-not-visible", exists
                ? `${placeOf(spec)}: the identity in ${spec.identityFile} has no Dial grant on "${spec.service}": ${grant}.`
                : `${placeOf(spec)}: the identity in ${spec.identityFile} sees no service "${spec.service}": it does not exist, or the identity may not dial it; ` +
                    `check clusters[].apiOverZiti.service, or ${grant}.`);
        }
        if (!(svc.permissions ?? []).includes("Dial")) {
            throw new ApiTunnelError("no-dial-grant", `${placeOf(spec)}: the identity in ${spec.identityFile} may only ${(svc.permissions ?? []).join("/") || "see"} "${spec.service}", not dial it: ${grant}.`);
        }
        const session = await request(`${base}/sessions`, "POST", tls, { token, body: { serviceId: svc.id, type: "Dial" } });
        if (!session.body?.data?.token) {
            throw new ApiTunnelError("no-dial-grant", `${placeOf(spec)}: the controller refuses the identity in ${spec.identityFile} a Dial session on "${spec.service}" ` +
                `(HTTP ${session.status} ${errorText(session.body)}): ${grant}.`);
        }
        return svc.config?.["proxy.v1"];
    } finally {
        await request(`${base}/current-api-session`, "DELETE", tls, { token }).catch(() => undefined);
    }
}

/**
 * The loopback port the proxy will listen on: the service's proxy.v1 port, when its binding is a loopback
 * address. Anything else would make `ziti tunnel proxy` listen on a network, and is refused.
 */
export function loopbackPort(spec: ApiTunnelSpec, proxy: ProxyV1 | undefined): number {
    const upgrade = spec.wording ? `\`pulumi up\` the stack that makes "${spec.service}" with the upstream flavor, which gives it a proxy.v1 config on 127.0.0.1`
        : `\`pulumi up\` the cluster's stack with this version, which gives the service a proxy.v1 config on 127.0.0.1`;
    if (!proxy) {
        throw new ApiTunnelError("not-loopback", `${placeOf(spec)}: the service "${spec.service}" has no proxy.v1 config, so \`ziti tunnel proxy\` ` +
            `would listen on every interface (0.0.0.0): ${upgrade}.`);
    }
    if (typeof proxy.binding !== "string" || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(proxy.binding)) {
        throw new ApiTunnelError("not-loopback", `${placeOf(spec)}: the proxy.v1 config of "${spec.service}" binds ${JSON.stringify(proxy.binding ?? "0.0.0.0")}, ` +
            `not a loopback address: a tunnel there would be reachable from the deployer's networks; ${upgrade}.`);
    }
    if (spec.localPort && spec.localPort !== proxy.port) {
        throw new ApiTunnelError("port-mismatch", `${placeOf(spec)}: clusters[].apiOverZiti.localPort is ${spec.localPort}, but the service "${spec.service}" ` +
            `makes every proxy listen on ${proxy.binding}:${proxy.port} (its proxy.v1 config): set localPort to ${proxy.port}, or remove it.`);
    }
    return proxy.port;
}

function portFree(port: number): Promise<boolean> {
    return new Promise(resolve => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
    });
}

function connects(port: number): Promise<boolean> {
    return new Promise(resolve => {
        const sock = net.connect({ host: "127.0.0.1", port });
        sock.once("connect", () => { sock.destroy(); resolve(true); });
        sock.once("error", () => resolve(false));
    });
}

function tail(file: string, max = 3000): string {
    try {
        const s = fs.readFileSync(file, "utf8");
        return s.length > max ? "…" + s.slice(-max) : s;
    } catch {
        return "";
    }
}

/**
 * Starts the proxy (`zitiBin args`) in its own process group (a terminal's ^C reaches the wrapper, which stops
 * it in order) and tied to this process: when the wrapper dies, by SIGKILL too, the kernel kills the proxy, so
 * it never keeps listening with the admin identity on its own (tiedToThisProcess).
 */
export function spawnTunnelProxy(zitiBin: string, args: string[], logFd: number | "ignore", env: NodeJS.ProcessEnv): ChildProcess {
    const [file, argv] = tiedToThisProcess(zitiBin, args);
    return spawn(file, argv, { detached: true, stdio: ["ignore", logFd, logFd], env });
}

/**
 * Checks access (checkApiAccess) and the service's loopback proxy.v1 (loopbackPort), then runs `ziti tunnel
 * proxy <service>:<port> -i <identity>` in its own process group and resolves once the port accepts connections. `logDir` holds its log (default: a temp dir).
 */
export async function startApiTunnel(spec: ApiTunnelSpec, opts: { env?: NodeJS.ProcessEnv; logDir?: string; timeoutMs?: number } = {}): Promise<ApiTunnel> {
    const env = opts.env ?? process.env;
    const port = loopbackPort(spec, await checkApiAccess(spec, env));
    if (!(await portFree(port))) {
        throw new ApiTunnelError("port-in-use", `${placeOf(spec)}: the local tunnel port ${port} (the proxy.v1 port of "${spec.service}") is taken ` +
            `(an earlier tunnel still running?): stop what holds it.`);
    }
    // A log dir of its own is removed again by stop(); a failure's message carries the log's tail.
    const ownDir = opts.logDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "sa-api-tunnel-"));
    const logDir = opts.logDir ?? ownDir!;
    const logFile = path.join(logDir, `ziti-tunnel-${spec.cluster}.log`);
    const fd = fs.openSync(logFile, "a", 0o600);
    const child = spawnTunnelProxy(resolveZitiBinary(), ["tunnel", "proxy", `${spec.service}:${port}`, "-i", spec.identityFile, "--cli-agent=false"], fd, env);
    fs.closeSync(fd);
    let exited: number | string | undefined;
    const done = new Promise<void>(resolve => child.once("exit", (code, sig) => { exited = code ?? sig ?? "exited"; resolve(); }));
    const stop = async () => {
        if (exited === undefined && child.pid !== undefined) {
            try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
            await Promise.race([done, new Promise(r => setTimeout(r, 5000).unref())]);
            if (exited === undefined) {
                try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
                await Promise.race([done, new Promise(r => setTimeout(r, 2000).unref())]);
            }
        }
        if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
    };
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    while (!(await connects(port))) {
        if (exited !== undefined) {
            const log = tail(logFile);
            await stop();
            throw new ApiTunnelError("tunnel-failed", `${placeOf(spec)}: \`ziti tunnel proxy\` exited (${exited}) before listening on ${port}:\n${log}`);
        }
        if (Date.now() > deadline) {
            const log = tail(logFile);
            await stop();
            throw new ApiTunnelError("tunnel-failed", `${placeOf(spec)}: \`ziti tunnel proxy\` did not listen on ${port} within ${(opts.timeoutMs ?? 60_000) / 1000}s:\n${log}`);
        }
        await new Promise(r => setTimeout(r, 250));
    }
    return { spec, endpoint: `127.0.0.1:${port}`, pid: child.pid!, logFile, stop };
}
