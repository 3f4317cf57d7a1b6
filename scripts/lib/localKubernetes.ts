// Local Kubernetes control planes for tests and `npm start -- --clusters local`: per named cluster a real
// kube-apiserver (own CA, serving cert, admin client cert in system:masters, service-account keys, all made
// at run time), kube-controller-manager, kube-scheduler and kwok with one fake node, on free ports of one
// address (127.0.0.1 by default). The clusters share one etcd, each under its own --etcd-prefix; etcd speaks
// TLS and wants a client certificate only the API servers hold, and Secrets are encrypted at rest (secretbox,
// a key made at run time: encryptionConfig.ts).
//
//   const local = await startLocalClusters({ names: ["kubeA", "kubeB"] });
//   local.clusters[0].kubeconfigPath ... local.clusters[0].client().get("/api/v1/namespaces") ...
//   await local.stop();                        // every process ended, the temp dir removed
//
// Nothing is left behind: every process runs in its own process group and is recorded, with its start
// time, in a run marker (<dir>/run.json) and in the private run registry (runRegistry.ts, kind `kube`). A
// later start reaps the runs whose owner died (a SIGKILLed test), signalling only processes that are still
// the recorded ones (same pid and start time, ours) and removing only the run's own private dir. Nothing
// in /tmp or any dir another user can write is trusted. `persistent: true` runs (npm start) have no owner
// and are stopped by `stopLocalClusters(dir)`.
//
// Binaries: SCRAPE_ANYWHERE_ETCD, SCRAPE_ANYWHERE_KUBE_BIN (kube-apiserver, kube-controller-manager,
// kube-scheduler), SCRAPE_ANYWHERE_KWOK; when unset, `bash scripts/tools.sh control-plane` provides them.
//
// Network namespaces: with `netns`, every process runs through `ip netns exec <netns>` and listens on
// `bindAddress` there (e.g. its loopback): nothing is reachable from the root namespace. The harness's own
// requests (readiness, the node object) run inside the namespace too (see kubeClient.ts).
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeClient } from "./kubeClient";
import { adminUser, ClusterPki, kubeconfigYaml, makeClusterPki, makeEtcdPki } from "./kubePki";
import { writeEncryptionConfig } from "./encryptionConfig";
import { NodesRecord, nodeBinaries, prepareNodes, startClusterNode, startLoopbackForwarder, teardownNodes } from "./node/lifecycle";
import { StartedNode } from "./node/node";
import { HOST_IP } from "./node/plan";
import { cgroupPids } from "./node/cgroups";
import { killGroup, release, runsOnceRecorded } from "./processes";
import { currentProcess, isPrivateDir, isRecordedProcess, ProcessRecord, readOwnJson, recordProcess, removeRunDir, RunRegistry, writeOwnJson } from "./runRegistry";
import { createHash } from "crypto";
import { freePort } from "./zitiQuickstart";

export interface LocalClustersOptions {
    /** Cluster names (also the kubeconfig context names); letters, digits, `_`, `-`. */
    names: string[];
    /** Where certificates, kubeconfigs, etcd data and logs go. Default: a new temp dir, removed by stop(). */
    dir?: string;
    /** Run every process inside this network namespace (`ip netns exec`). */
    netns?: string;
    /** The address every component listens on. Default 127.0.0.1. */
    bindAddress?: string;
    /** Processes outlive this process (no owner); stop them with stopLocalClusters(dir). Default false. */
    persistent?: boolean;
    /** Progress lines. Default: stderr, prefixed `[local-kube]`. */
    log?: (msg: string) => void;
    /** Give up when not ready after this long. Default 180000 ms. */
    timeoutMs?: number;
    /**
     * Real nodes (scripts/lib/node/): per cluster a kubelet, containerd, kube-proxy and CoreDNS in a network namespace
     * of its own, instead of kwok. The control planes then run in the run's host namespace (`netns`, made when not
     * given) on HOST_IP. Default false (kwok).
     */
    nodes?: boolean;
    /**
     * With `nodes`: also serve each API server on 127.0.0.1:<its port> of the root namespace (socat over a unix socket)
     * and write `loopbackKubeconfigPath` for it, for pulumi and kubectl run outside the namespaces. Default false.
     */
    loopback?: boolean;
    /**
     * Ports not to give an API server or etcd: those of earlier control planes that a stack's state may still name
     * (a kubeconfig there reaching a new server on an old port meets a new CA and fails, where a closed port reads as
     * gone).
     */
    avoidPorts?: number[];
}

export interface LocalCluster {
    name: string;
    /** https://<bindAddress>:<port> */
    server: string;
    port: number;
    /** Admin kubeconfig (credentials embedded, 0600). */
    kubeconfigPath: string;
    /** With `nodes` and `loopback`: the admin kubeconfig for https://127.0.0.1:<port> in the root namespace. */
    loopbackKubeconfigPath?: string;
    /** The cluster's directory: pki/, kubeconfig, logs. */
    dir: string;
    pki: ClusterPki;
    etcdPrefix: string;
    /** The node: kwok's fake one, or the real one (`node` set). */
    nodeName: string;
    node?: StartedNode;
    pids: { apiserver: number; controllerManager: number; scheduler: number; kwok?: number };
    /** An admin client for this cluster's API server. */
    client(): KubeClient;
}

export interface LocalClusters {
    dir: string;
    clusters: LocalCluster[];
    etcd: { url: string; pid: number };
    /** The network namespace of the control planes (real nodes: the run's host namespace), if any. */
    netns?: string;
    /** Milliseconds from the call to every cluster ready. */
    startMs: number;
    cluster(name: string): LocalCluster;
    /**
     * Resident memory of every process (bytes): `total` sums each one's Rss; `proportional` sums Pss, which
     * counts the pages they share (the same binaries' code, three API servers) once: what they use together.
     */
    rss(): { total: number; proportional: number; byProcess: Record<string, number> };
    /** Ends every process (SIGTERM, then SIGKILL) and removes a temp dir. Safe to call twice. */
    stop(): Promise<void>;
    /**
     * Starts a detached helper process that belongs to the run (recorded before it runs: stop(), stopLocalClusters and
     * the reaper end it with the rest). Runs in the root namespace as given (wrap it in `ip netns exec` yourself).
     * Returns its pid. E.g. zitiReach.ts's relays.
     */
    startProcess(name: string, cmd: string, args: string[]): number;
    /** Names of the run's recorded processes (to tell whether a helper is already there). */
    processNames(): string[];
}

interface RunMarker {
    /** Names the registry entry (a hash of `dir`). */
    id: string;
    /** The process that owns the run, with its start time (pid reuse): absent for persistent runs. */
    owner?: ProcessRecord;
    dir: string;
    /** Remove `dir` when reaped or stopped. */
    removeDir: boolean;
    netns?: string;
    processes: ProcessRecord[];
    clusters?: { name: string; server: string; kubeconfigPath: string; nodeName?: string; loopbackKubeconfigPath?: string }[];
    etcdUrl?: string;
    /** Real nodes: namespaces and cgroups to remove after the processes (scripts/lib/node/lifecycle.ts). */
    nodes?: NodesRecord;
}

const repoRoot = path.resolve(__dirname, "..", "..");
// The registry entry carries a run's real-node record, so the reaper of a killed run undoes its namespaces and cgroups too.
const registry = () => new RunRegistry<NodesRecord>("kube");
const runId = (dir: string) => createHash("sha256").update(dir).digest("hex").slice(0, 24);
const STAGES_FILE = path.join(__dirname, "kwok-stages.yaml");
/** Service ClusterIP range of every local cluster; its first address is the `kubernetes` Service's (in the serving cert). */
const SERVICE_CIDR = "10.96.0.0/16";
const SERVICE_IP = "10.96.0.1";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const defaultLog = (msg: string) => process.stderr.write(`[local-kube] ${msg}\n`);

/** The control-plane binaries: from the environment, else from `scripts/tools.sh control-plane` (which builds them once). */
export function controlPlaneBinaries(): { etcd: string; apiserver: string; controllerManager: string; scheduler: string; kwok: string } {
    let etcd = process.env.SCRAPE_ANYWHERE_ETCD;
    let kubeBin = process.env.SCRAPE_ANYWHERE_KUBE_BIN;
    let kwok = process.env.SCRAPE_ANYWHERE_KWOK;
    if (!etcd || !kubeBin || !kwok) {
        const out = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "control-plane"], {
            cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
        });
        const env: Record<string, string> = {};
        for (const line of out.split("\n")) {
            const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
            if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, "$1");
        }
        etcd = etcd ?? env.SCRAPE_ANYWHERE_ETCD;
        kubeBin = kubeBin ?? env.SCRAPE_ANYWHERE_KUBE_BIN;
        kwok = kwok ?? env.SCRAPE_ANYWHERE_KWOK;
    }
    const bins = {
        etcd: etcd!, apiserver: path.join(kubeBin!, "kube-apiserver"), controllerManager: path.join(kubeBin!, "kube-controller-manager"),
        scheduler: path.join(kubeBin!, "kube-scheduler"), kwok: kwok!,
    };
    for (const [what, p] of Object.entries(bins)) {
        if (!p || !fs.existsSync(p)) throw new Error(`no ${what} binary at ${p}: run \`bash scripts/tools.sh control-plane\` (builds etcd, Kubernetes and kwok once)`);
    }
    return bins;
}

/** Resident (Rss) and proportional (Pss: shared pages split among their users) memory of a process, bytes. */
function memoryOf(pid: number): { rss: number; pss: number } {
    try {
        const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
        const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(t)?.[1] ?? 0) * 1024;
        return { rss: kb("Rss"), pss: kb("Pss") };
    } catch {
        return { rss: 0, pss: 0 };
    }
}

/** The marker of the run in `dir`, when `dir` is a private dir of ours and the marker our file; its own `dir` field is not trusted. */
function readMarker(dir: string): RunMarker | undefined {
    if (!isPrivateDir(dir)) return undefined;
    const m = readOwnJson<RunMarker>(path.join(dir, "run.json"));
    return m && Array.isArray(m.processes) ? { ...m, dir, id: runId(dir) } : undefined;
}

/** Both records of a run: <dir>/run.json (for stopLocalClusters(dir)) and the registry entry (for reaping). */
function writeMarker(dir: string, m: RunMarker): void {
    writeOwnJson(path.join(dir, "run.json"), m);
    registry().write({ id: m.id, dir: m.dir, removeDir: m.removeDir, owner: m.owner, processes: m.processes, data: m.nodes });
}

/** Ends the recorded processes of a run (those still naming its dir): SIGTERM, up to `graceMs`, then SIGKILL. */
async function endProcesses(m: RunMarker, graceMs: number): Promise<void> {
    // Which pids are ours is decided once, up front; after that a process counts as gone when it is a zombie
    // or absent (its command line empties before its sockets close, so that is no test of "ended").
    const targets = m.processes.filter(isRecordedProcess);
    const alive = () => targets.filter((p) => running(p.pid));
    // Dependants first (kwok, scheduler, controller-manager), then API servers, etcd last.
    for (const p of [...targets].reverse()) killGroup(p.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive().length && Date.now() < deadline) await sleep(100);
    for (const p of alive()) killGroup(p.pid, "SIGKILL");
    while (alive().length && Date.now() < deadline + 5000) await sleep(100);
    teardownNodes(m.nodes, m.dir);
}

/** Whether `pid` exists and has not ended (a zombie has: it only waits for its parent to reap it). */
function running(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return !"ZX".includes(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
    } catch {
        return false;
    }
}

/** For exit handlers: SIGKILL, then wait (blocking, up to 3 s) until they have ended, so their dir can go. */
function endProcessesSync(m: RunMarker): void {
    const targets = m.processes.filter(isRecordedProcess);
    for (const p of targets) killGroup(p.pid, "SIGKILL");
    const tick = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 60 && targets.some((p) => running(p.pid)); i++) Atomics.wait(tick, 0, 0, 50);
    teardownNodes(m.nodes, m.dir);
}

/** Removes a run's dir (or just its marker) and then its registry entry; a dir that cannot go yet keeps the entry, for the next reap. */
function removeRun(m: { id: string; dir: string; removeDir: boolean }): void {
    try {
        const gone = m.removeDir ? removeRunDir(m) : (fs.rmSync(path.join(m.dir, "run.json"), { force: true }), true);
        if (gone) registry().remove(m.id);
    } catch {
        /* reapStaleRuns tries again */
    }
}

/** Stops every run whose owner process is gone (e.g. a SIGKILLed test run). Persistent runs are left alone. */
export async function reapStaleRuns(log: (m: string) => void = defaultLog): Promise<number> {
    let reaped = 0;
    for (const e of registry().stale()) {
        const m: RunMarker = { id: e.id, dir: e.dir, removeDir: e.removeDir, owner: e.owner, processes: e.processes, nodes: e.data };
        log(`reaping a run left by dead process ${e.owner!.pid}: ${m.processes.filter(isRecordedProcess).length} processes, ${m.dir}`);
        await endProcesses(m, 3000);
        removeRun(m);
        reaped++;
    }
    return reaped;
}

/** Stops the run recorded in `dir` (a persistent one, or any other); resolves false when there was none. */
export async function stopLocalClusters(dir: string, log: (m: string) => void = defaultLog): Promise<boolean> {
    const m = readMarker(path.resolve(dir));
    if (!m) return false;
    const t0 = Date.now();
    await endProcesses(m, 3000);
    removeRun(m);
    log(`stopped ${m.processes.length} processes of ${m.dir}${m.nodes ? " and removed its nodes' namespaces and cgroups" : ""} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return true;
}

/** The run recorded in `dir` when all of its processes are still alive (for reuse), else undefined. */
export function runningLocalClusters(dir: string): RunMarker | undefined {
    const m = readMarker(path.resolve(dir));
    if (!m || !m.clusters) return undefined;
    return m.processes.every(isRecordedProcess) ? m : undefined;
}

/** A free TCP port on `address` (inside `netns` when given). */
async function freePortAt(address: string, netns?: string): Promise<number> {
    if (!netns && address === "127.0.0.1") return freePort();
    const script = `const s=require("net").createServer();s.listen(0,${JSON.stringify(address)},()=>{process.stdout.write(String(s.address().port));s.close()})`;
    const argv = netns ? ["ip", ["netns", "exec", netns, process.execPath, "-e", script]] as const : [process.execPath, ["-e", script]] as const;
    return Number(execFileSync(argv[0], [...argv[1]], { encoding: "utf8" }).trim());
}

/** The port can be bound on 127.0.0.1 of the root namespace right now (the loopback forwarders take the same port). */
function freeOnRootLoopback(port: number): boolean {
    const script = `const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(${port},"127.0.0.1",()=>s.close())`;
    try {
        execFileSync(process.execPath, ["-e", script], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

async function distinctPorts(n: number, address: string, opts: { netns?: string; avoid?: number[]; rootLoopback?: boolean }): Promise<number[]> {
    const out: number[] = [];
    while (out.length < n) {
        const p = await freePortAt(address, opts.netns);
        if (out.includes(p) || opts.avoid?.includes(p)) continue;
        if (opts.rootLoopback && !freeOnRootLoopback(p)) continue;
        out.push(p);
    }
    return out;
}

function tail(file: string, lines = 20): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Starts one control plane per name and resolves once each has a Ready node and running controllers. */
export async function startLocalClusters(opts: LocalClustersOptions): Promise<LocalClusters> {
    const t0 = Date.now();
    const log = opts.log ?? defaultLog;
    let bind = opts.bindAddress ?? (opts.nodes ? HOST_IP : "127.0.0.1");
    const timeoutMs = opts.timeoutMs ?? 180_000;
    if (!opts.names.length) throw new Error("startLocalClusters: give at least one cluster name");
    for (const n of opts.names) {
        if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(n)) throw new Error(`startLocalClusters: cluster name "${n}" must be letters, digits, '_' or '-'`);
    }
    if (new Set(opts.names).size !== opts.names.length) throw new Error(`startLocalClusters: duplicate cluster names in ${opts.names.join(", ")}`);
    const bins = controlPlaneBinaries();
    const nodeBins = opts.nodes ? nodeBinaries() : undefined;
    await reapStaleRuns(log);

    const removeDir = !opts.dir;
    const dir = opts.dir ? path.resolve(opts.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "scrape-anywhere-kube-"));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    if (!isPrivateDir(dir)) throw new Error(`startLocalClusters: ${dir} must be a directory of ${os.userInfo().username}'s that nobody else may enter (mode 0700, not a link)`);
    if (readMarker(dir)) await stopLocalClusters(dir, log); // a previous run in the same dir

    const marker: RunMarker = {
        id: runId(dir), owner: opts.persistent ? undefined : currentProcess(),
        dir, removeDir, netns: opts.netns, processes: [],
    };
    if (opts.nodes) {
        marker.nodes = prepareNodes(dir, opts.names, opts.netns);
        opts = { ...opts, netns: marker.nodes.hostNetns };
        marker.netns = opts.netns;
    }
    writeMarker(dir, marker);

    let stopped = false;
    const onExit = () => {
        if (!stopped && !opts.persistent) {
            endProcessesSync(marker);
            removeRun(marker);
        }
    };
    const onSignal = (sig: NodeJS.Signals) => {
        onExit();
        process.exit(sig === "SIGINT" ? 130 : 143);
    };
    if (!opts.persistent) {
        process.once("exit", onExit);
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
    }
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        process.removeListener("exit", onExit);
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        await endProcesses(marker, 3000);
        removeRun(marker);
        log(`stopped ${marker.processes.length} processes${removeDir ? ` and removed ${dir}` : ""}`);
    };

    const logDir = path.join(dir, "logs");
    fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
    const exits = new Map<number, string>();
    const start = (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, raw = false): number => {
        const logFile = path.join(logDir, `${name}.log`);
        const fd = fs.openSync(logFile, "a", 0o600);
        // `ip netns exec` execs the command after entering the namespace: the pid is the component's own.
        // `raw`: the caller enters its namespaces itself (a node's daemons).
        const [file, argv] = opts.netns && !raw ? runsOnceRecorded("ip", ["netns", "exec", opts.netns, cmd, ...args]) : runsOnceRecorded(cmd, args);
        const child = spawn(file, argv, { detached: true, stdio: ["pipe", fd, fd], env: { ...process.env, ...env }, cwd: dir });
        fs.closeSync(fd);
        if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
        child.on("exit", (code, signal) => exits.set(child.pid!, signal ?? `exit ${code}`));
        child.unref();
        marker.processes.push(recordProcess(name, child.pid));
        writeMarker(dir, marker);
        release(child);
        return child.pid;
    };
    const mustRun = (name: string, pid: number) => {
        const e = exits.get(pid);
        if (e) throw new Error(`${name} ended (${e}) before the cluster was ready; last lines of ${path.join(logDir, `${name}.log`)}:\n${tail(path.join(logDir, `${name}.log`))}`);
    };

    try {
        const ports = await distinctPorts(2 + opts.names.length, bind, { netns: opts.netns, avoid: opts.avoidPorts, rootLoopback: !!(opts.nodes && opts.loopback) });
        const [etcdClient, etcdPeer] = ports;
        const etcdUrl = `https://${bind}:${etcdClient}`;
        marker.etcdUrl = etcdUrl;
        // etcd speaks TLS only and wants a client cert from its own CA, which only the API servers hold.
        const etcdPki = await makeEtcdPki(path.join(dir, "etcd-pki"), {
            ips: [bind], dnsNames: ["localhost"], clientDirs: Object.fromEntries(opts.names.map((n) => [n, path.join(dir, n, "pki")])),
        });
        // Flags: go.etcd.io/etcd/server/v3 v3.7.3 embed/config.go (cert-file, key-file, client-cert-auth,
        // trusted-ca-file and their peer-* twins). No fsync: throwaway data, much less disk wait.
        const etcdPid = start("etcd", bins.etcd, [
            "--name=local", `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=https://${bind}:${etcdPeer}`, `--initial-advertise-peer-urls=https://${bind}:${etcdPeer}`,
            `--initial-cluster=local=https://${bind}:${etcdPeer}`,
            `--cert-file=${etcdPki.serverCert}`, `--key-file=${etcdPki.serverKey}`, "--client-cert-auth", `--trusted-ca-file=${etcdPki.caCert}`,
            `--peer-cert-file=${etcdPki.serverCert}`, `--peer-key-file=${etcdPki.serverKey}`, "--peer-client-cert-auth", `--peer-trusted-ca-file=${etcdPki.caCert}`,
            "--unsafe-no-fsync", "--auto-compaction-retention=1", "--quota-backend-bytes=1073741824", "--log-level=warn",
        ]);

        const clusters = await Promise.all(opts.names.map(async (name, i): Promise<LocalCluster> => {
            const port = ports[2 + i];
            const cdir = path.join(dir, name);
            const nodeName = opts.nodes ? `${name.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-node` : "kwok-node-0";
            const pki = await makeClusterPki(path.join(cdir, "pki"), {
                cluster: name, ips: opts.loopback ? [bind, "127.0.0.1", SERVICE_IP] : [bind, SERVICE_IP],
                clients: opts.nodes ? [{ name: "node", subject: `CN=system:node:${nodeName}, O=system:nodes` }, { name: "kube-proxy", subject: "CN=system:kube-proxy" }] : [],
                dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
            });
            const server = `https://${bind}:${port}`;
            const kubeconfigPath = path.join(cdir, "kubeconfig");
            fs.writeFileSync(kubeconfigPath, kubeconfigYaml(name, server, adminUser(pki)), { mode: 0o600 });
            const etcdPrefix = `/scrape-anywhere/${name}`;
            // Flags: k8s.io/kubernetes v1.37.2 pkg/controlplane/apiserver/options and k8s.io/apiserver
            // pkg/server/options; the set follows kwokctl's binary runtime (sigs.k8s.io/kwok
            // pkg/kwokctl/components/kube_apiserver.go) with RBAC and the default admission plugins on
            // (Pod Security included). advertise-address = bind address, the only address there is; the
            // endpoint reconcilers refuse a loopback address (pkg/controlplane/reconcilers lease.go ValidateIP),
            // so the `kubernetes` Service gets no endpoints (type none): nothing in these clusters runs to use it.
            const apiserver = start(`${name}-kube-apiserver`, bins.apiserver, [
                `--etcd-servers=${etcdUrl}`, `--etcd-prefix=${etcdPrefix}`,
                // k8s.io/apiserver v0.37.2 pkg/server/options/etcd.go: --etcd-cafile/-certfile/-keyfile, --encryption-provider-config.
                `--etcd-cafile=${etcdPki.caCert}`, `--etcd-certfile=${etcdPki.clients[name].cert}`, `--etcd-keyfile=${etcdPki.clients[name].key}`,
                `--encryption-provider-config=${writeEncryptionConfig(path.join(cdir, "pki", "encryption.yaml"))}`,
                // Real nodes: HOST_IP is reachable from the nodes' pods, so the `kubernetes` Service gets it as endpoint
                // (the lease reconciler); the kubelets are called with the admin certificate (logs, exec).
                `--bind-address=${bind}`, `--advertise-address=${bind}`, `--secure-port=${port}`,
                ...(opts.nodes ? [`--kubelet-client-certificate=${pki.adminCert}`, `--kubelet-client-key=${pki.adminKey}`, "--kubelet-preferred-address-types=InternalIP"] : ["--endpoint-reconciler-type=none"]),
                `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
                `--client-ca-file=${pki.caCert}`,
                `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                `--service-cluster-ip-range=${SERVICE_CIDR}`,
                "--authorization-mode=Node,RBAC", "--profiling=false",
                // Privileged containers allowed at the API level (as kubeadm and kwokctl set it): refusing them is
                // Pod Security admission's job, per namespace, which is what the program relies on.
                "--allow-privileged=true",
                `--cert-dir=${path.join(cdir, "pki")}`,
            ]);
            const client = () => KubeClient.fromKubeconfig(kubeconfigPath, opts.netns);
            const deadline = Date.now() + timeoutMs;
            let last = "";
            while (true) {
                mustRun(`${name}-kube-apiserver`, apiserver);
                mustRun("etcd", etcdPid);
                if (Date.now() > deadline) throw new Error(`${name}: kube-apiserver not ready after ${timeoutMs} ms (${last}); log ${path.join(logDir, `${name}-kube-apiserver.log`)}:\n${tail(path.join(logDir, `${name}-kube-apiserver.log`))}`);
                try {
                    const r = await client().request("GET", "/readyz");
                    if (r.status === 200) break;
                    last = `/readyz ${r.status}`;
                } catch (e) {
                    last = (e as any).code ?? (e as Error).message;
                }
                await sleep(250);
            }
            log(`${name}: kube-apiserver ready at ${server} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);

            // Leader election off: one instance each, and a fresh start never waits for an old lease.
            // Serving off (--secure-port=0): nothing scrapes them here, and fewer ports.
            const controllerManager = start(`${name}-kube-controller-manager`, bins.controllerManager, [
                `--kubeconfig=${kubeconfigPath}`, "--leader-elect=false", "--secure-port=0",
                `--root-ca-file=${pki.caCert}`, `--service-account-private-key-file=${pki.saKey}`,
            ]);
            const scheduler = start(`${name}-kube-scheduler`, bins.scheduler, [
                `--kubeconfig=${kubeconfigPath}`, "--leader-elect=false", "--secure-port=0",
            ]);
            const api = client();
            const running = () => [["kube-controller-manager", controllerManager], ["kube-scheduler", scheduler]].forEach(([n, pid]) => mustRun(`${name}-${n}`, pid as number));
            let kwok: number | undefined;
            let node: StartedNode | undefined;
            if (opts.nodes) {
                node = await startClusterNode({
                    dir, rec: marker.nodes!, cluster: name, index: i, server, pki, adminKubeconfig: kubeconfigPath, bins: nodeBins!,
                    start: (n, c, a, e) => start(n, c, a, e, true), client: api, log, deadline, mustRun: running,
                });
            } else {
                // kwok flags: sigs.k8s.io/kwok v0.8.0 pkg/kwok/cmd/root.go. Its work dir (KWOK_WORKDIR, where it
                // would read ~/.kwok/kwok.yaml) is the cluster's own, so a user's kwok config never leaks in.
                kwok = start(`${name}-kwok`, bins.kwok, [
                    `--kubeconfig=${kubeconfigPath}`, `--config=${STAGES_FILE}`, "--manage-all-nodes=true",
                    "--node-lease-duration-seconds=40",
                ], { KWOK_WORKDIR: path.join(cdir, "kwok") });
                const made = await api.create("/api/v1/nodes", {
                    apiVersion: "v1", kind: "Node",
                    metadata: { name: nodeName, labels: { "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
                        annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" } },
                });
                if (made.status !== 201 && made.status !== 409) throw new Error(`${name}: creating node ${nodeName} answered ${made.status}: ${JSON.stringify(made.body).slice(0, 300)}`);
            }
            // Ready = the node is Ready (kubelet or kwok) and the controller-manager made the default ServiceAccount.
            while (true) {
                running();
                if (kwok) mustRun(`${name}-kwok`, kwok);
                if (Date.now() > deadline) throw new Error(`${name}: not ready after ${timeoutMs} ms (${last}); logs in ${logDir}`);
                const n = await api.get<any>(`/api/v1/nodes/${nodeName}`).catch(() => undefined);
                const nodeReady = (n?.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
                const sa = nodeReady ? await api.get(`/api/v1/namespaces/default/serviceaccounts/default`).catch(() => undefined) : undefined;
                if (nodeReady && sa) break;
                last = nodeReady ? "no default ServiceAccount yet (controller-manager)" : `node not Ready yet (${opts.nodes ? "kubelet" : "kwok"})`;
                await sleep(250);
            }
            let loopbackKubeconfigPath: string | undefined;
            if (opts.nodes && opts.loopback) {
                startLoopbackForwarder({ dir, rec: marker.nodes!, cluster: name, port, start: (n, c, a, e) => start(n, c, a, e, true) });
                loopbackKubeconfigPath = path.join(cdir, "kubeconfig-loopback");
                fs.writeFileSync(loopbackKubeconfigPath, kubeconfigYaml(name, `https://127.0.0.1:${port}`, adminUser(pki)), { mode: 0o600 });
            }
            log(`${name}: node ${nodeName} Ready, controllers running, after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
            return { name, server, port, kubeconfigPath, loopbackKubeconfigPath, dir: cdir, pki, etcdPrefix, nodeName, node, pids: { apiserver, controllerManager, scheduler, kwok }, client };
        }));

        marker.clusters = clusters.map((c) => ({ name: c.name, server: c.server, kubeconfigPath: c.kubeconfigPath, nodeName: c.nodeName, loopbackKubeconfigPath: c.loopbackKubeconfigPath }));
        writeMarker(dir, marker);
        const startMs = Date.now() - t0;
        const rss = () => {
            const byProcess: Record<string, number> = {};
            let proportional = 0;
            for (const p of marker.processes) {
                const m = memoryOf(p.pid);
                byProcess[p.name] = m.rss;
                proportional += m.pss;
            }
            // Real nodes: what their cgroups hold beyond the recorded daemons (shims, pods, forked relays), as "node-cgroups".
            if (marker.nodes) {
                const recorded = new Set(marker.processes.map((p) => p.pid));
                const rest = cgroupPids(marker.nodes.cgroup).filter((pid) => !recorded.has(pid)).map(memoryOf);
                byProcess["node-cgroups"] = rest.reduce((a, m) => a + m.rss, 0);
                proportional += rest.reduce((a, m) => a + m.pss, 0);
            }
            return { total: Object.values(byProcess).reduce((a, b) => a + b, 0), proportional, byProcess };
        };
        const mem = rss();
        log(`${clusters.length} cluster(s) ready in ${(startMs / 1000).toFixed(1)}s; resident memory ${(mem.total / 2 ** 20).toFixed(0)} MiB ` +
            `(${(mem.proportional / 2 ** 20).toFixed(0)} MiB counting shared pages once; ${marker.processes.length} processes)`);
        return {
            dir, clusters, etcd: { url: etcdUrl, pid: etcdPid }, netns: opts.netns, startMs, rss, stop,
            startProcess: (name, cmd, args) => start(name, cmd, args, {}, true),
            processNames: () => marker.processes.map((p) => p.name),
            cluster(name: string) {
                const c = clusters.find((x) => x.name === name);
                if (!c) throw new Error(`no local cluster ${name} (have ${clusters.map((x) => x.name).join(", ")})`);
                return c;
            },
        };
    } catch (e) {
        await stop();
        throw e;
    }
}
