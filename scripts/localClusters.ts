// The local Kubernetes control planes of `npm start -- --clusters local`: one per cluster of a stack (and one
// for the central Prometheus when it is placed in Kubernetes), started detached in `.state/kube/` and reused
// while they run (scripts/lib/localKubernetes.ts does the work).
//
//   ts-node scripts/localClusters.ts up [--stack dev] [--nodes auto|real|kwok]
//                                                      start or reuse; writes .state/kube/Pulumi.<stack>.yaml (the
//                                                      stack's settings plus a kubeconfig per cluster) and prints
//                                                      its path on stdout, for `pulumi up --config-file`
//   ts-node scripts/localClusters.ts nodes [--stack dev] [--nodes auto|real|kwok] [--stack-file <Pulumi.dev.yaml>]
//                                                      the nodes `up` would give (real or kwok) on stdout, the one-line
//                                                      reason for kwok on stderr (npm start decides with it)
//   ts-node scripts/localClusters.ts status             the clusters, their kubeconfigs, nodes and pods; exit 3 when not running
//   ts-node scripts/localClusters.ts down               stop every process and remove .state/kube
//
// Nothing tracked is written: the committed Pulumi.<stack>.yaml stays as it is (rendering mode).
// Nodes: `real` (kubelet + containerd per cluster, scripts/lib/node/; the API servers then live in the run's network
// namespace and are relayed to 127.0.0.1) or `kwok` (simulated). Default `auto` (or SCRAPE_ANYWHERE_LOCAL_NODES): real
// when this machine can run them and every image of the stack's flavor is built here (lib/node/capability.ts), else
// kwok, saying why in one line. With real nodes the local Ziti network (localNetwork.ts, when it runs and advertises
// a name pods resolve) is made reachable from the pods (lib/node/zitiReach.ts).
// Env: SCRAPE_ANYWHERE_KUBE_HOME moves .state/kube.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { KubeClient } from "./lib/kubeClient";
import { runningLocalClusters, startLocalClusters, stopLocalClusters } from "./lib/localKubernetes";
import { chooseNodes, NodesChoice, whyNoRealNodes } from "./lib/node/capability";
import { nodeBinaries } from "./lib/node/lifecycle";
import { connectZitiToPods, relayProcessNames } from "./lib/node/zitiReach";
import { networkRunning, savedNetwork } from "./localNetwork";
import { readOwnJson, writeOwnJson } from "./lib/runRegistry";

const repoRoot = path.resolve(__dirname, "..");
const kubeHome = path.resolve(process.env.SCRAPE_ANYWHERE_KUBE_HOME ?? path.join(repoRoot, ".state", "kube"));
const log = (msg: string) => process.stderr.write(`[local-clusters] ${msg}\n`);

/** The Kubernetes places of a stack's settings: each cluster entry, and central when placed in Kubernetes. */
export function kubernetesPlaces(stackConfig: any): { clusters: string[]; central?: string } {
    const c = stackConfig?.config ?? {};
    const clusters = ((c["scrape-anywhere:clusters"] ?? []) as any[]).map((x) => String(x.name));
    const central = c["scrape-anywhere:central"];
    return { clusters, central: central && (central.placement ?? "kubernetes") === "kubernetes" ? String(central.name ?? "central") : undefined };
}

/** The stack's settings with `kubeconfig` set on every cluster entry and on central (kubernetes placement). */
export function withKubeconfigs(stackConfig: any, kubeconfigs: Record<string, string>): any {
    const doc = JSON.parse(JSON.stringify(stackConfig ?? {}));
    const c = (doc.config = doc.config ?? {});
    c["scrape-anywhere:clusters"] = ((c["scrape-anywhere:clusters"] ?? []) as any[]).map((x) => ({ ...x, kubeconfig: kubeconfigs[x.name] }));
    const central = c["scrape-anywhere:central"];
    if (central && kubeconfigs[central.name ?? "central"]) c["scrape-anywhere:central"] = { ...central, kubeconfig: kubeconfigs[central.name ?? "central"] };
    return doc;
}

/**
 * The stack's settings with this machine's ports as the NetworkPolicies' egress (scrape-anywhere:networkPolicy): the
 * local Ziti network's (relayed to the pods at the same numbers) and the API servers' (a `kubernetes` Service's
 * endpoint). A stack that sets its own keeps it.
 */
export function withLocalEgress(stackConfig: any, ports: { zitiPorts?: number[]; kubernetesApiPorts: number[] }): any {
    const doc = JSON.parse(JSON.stringify(stackConfig ?? {}));
    const c = (doc.config = doc.config ?? {});
    if (c["scrape-anywhere:networkPolicy"] === undefined) {
        c["scrape-anywhere:networkPolicy"] = { ...(ports.zitiPorts ? { zitiPorts: ports.zitiPorts } : {}), kubernetesApiPorts: ports.kubernetesApiPorts };
    }
    return doc;
}

type RunCluster = { name: string; kubeconfigPath: string; loopbackKubeconfigPath?: string; server: string; nodeName?: string };
/** The kubeconfig that works from the root namespace. */
/** Written beside run.json when the control planes were made afresh, until a `pulumi up --refresh` has run on them. */
const FRESH_MARKER = "fresh-clusters";
/**
 * The API server ports of this home's earlier control planes, kept beside it (not in it: a reboot or
 * `localClusters.ts down` removes the home while a stack's state still names them); `npm run down` drops it.
 */
const usedPortsFile = `${kubeHome}.ports.json`;
const USED_PORTS_KEPT = 64;
const usedPorts = (): number[] => (readOwnJson<number[]>(usedPortsFile) ?? []).filter((p) => Number.isInteger(p));
const rootKubeconfig = (c: RunCluster) => c.loopbackKubeconfigPath ?? c.kubeconfigPath;

async function answering(clusters: RunCluster[]): Promise<boolean> {
    for (const c of clusters) {
        const r = await KubeClient.fromKubeconfig(rootKubeconfig(c)).request("GET", "/readyz").catch(() => undefined);
        if (!r || r.status !== 200) return false;
    }
    return true;
}

/** The local Ziti network to relay to the pods: running and advertising a name (not 127.0.0.1); else why not. */
function zitiForPods(): { name: string; ports: number[] } | string {
    const n = savedNetwork();
    if (!n || !networkRunning()) return "the local Ziti network is not running (scripts/localNetwork.ts up)";
    if (!n.advertise || n.advertise === "127.0.0.1") {
        return `the local Ziti network advertises 127.0.0.1 (its database predates pod reachability, or this machine's name is not loopback): \`npm run down -- --purge\` remakes it`;
    }
    return { name: n.advertise, ports: [n.ctrlPort, n.routerPort] };
}

function stackSettings(stack: string, file?: string): any {
    const stackFile = file ? path.resolve(file) : path.join(repoRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) throw new Error(`no ${stackFile}: local clusters are made for the Kubernetes places of a stack's settings`);
    return YAML.parse(fs.readFileSync(stackFile, "utf8"));
}

async function up(stack: string, requested: NodesChoice | "auto"): Promise<void> {
    const stackFile = path.join(repoRoot, `Pulumi.${stack}.yaml`);
    const settings = stackSettings(stack);
    const places = kubernetesPlaces(settings);
    const names = [...places.clusters, ...(places.central ? [places.central] : [])];
    if (!names.length) throw new Error(`${stackFile} has no cluster and no central placed in Kubernetes`);
    const { nodes, why } = chooseNodes(requested, settings, () => whyNoRealNodes(nodeBinaries));
    if (why) log(why);
    const ziti = nodes === "real" ? zitiForPods() : undefined;
    if (typeof ziti === "string") log(`pods cannot reach Ziti: ${ziti}`);

    const run = runningLocalClusters(kubeHome);
    let clusters: RunCluster[] | undefined = run?.clusters;
    // Reused only with the same clusters, the same kind of node, and (real nodes) the relays of the network as it runs now.
    const relayed = typeof ziti !== "object" || ziti.ports.every((p) => run?.processes.some((x) => x.name === relayProcessNames(p)[1]));
    const same = clusters && names.every((n) => clusters!.some((c) => c.name === n)) && !!run?.nodes === (nodes === "real") && relayed;
    if (clusters && same && (await answering(clusters))) {
        log(`reusing the local clusters in ${kubeHome}: ${clusters.map((c) => c.name).join(", ")} (${nodes} nodes)`);
    } else {
        if (clusters || fs.existsSync(path.join(kubeHome, "run.json"))) await stopLocalClusters(kubeHome, log);
        fs.rmSync(kubeHome, { recursive: true, force: true });
        const avoidPorts = usedPorts();
        const local = await startLocalClusters({ names, dir: kubeHome, persistent: true, log, nodes: nodes === "real", loopback: true, avoidPorts });
        writeOwnJson(usedPortsFile, [...new Set([...local.clusters.map((c) => c.port), ...avoidPorts])].slice(0, USED_PORTS_KEPT));
        const mem = local.rss();
        log(`started ${names.length} control planes with ${nodes} nodes in ${(local.startMs / 1000).toFixed(1)}s, resident memory ${(mem.total / 2 ** 20).toFixed(0)} MiB ` +
            `(${(mem.proportional / 2 ** 20).toFixed(0)} MiB counting shared pages once)`);
        if (typeof ziti === "object") {
            const z = await connectZitiToPods(local, ziti);
            log(`the local Ziti network is reachable from the pods as ${z.name}:${z.ports.join("/")} (relayed on ${z.address} in the run's namespace)`);
        }
        clusters = local.clusters.map((c) => ({ name: c.name, server: c.server, kubeconfigPath: c.kubeconfigPath, loopbackKubeconfigPath: c.loopbackKubeconfigPath, nodeName: c.nodeName }));
        // New control planes start empty: a stack that deployed to the old ones records objects that are gone (a reboot,
        // a crashed run). start.sh runs the next `pulumi up --refresh` while this marker exists, and removes it after.
        fs.writeFileSync(path.join(kubeHome, FRESH_MARKER), `${new Date().toISOString()}\n`);
    }
    const kubeconfigs = Object.fromEntries(clusters.map((c) => [c.name, rootKubeconfig(c)]));
    const out = path.join(kubeHome, `Pulumi.${stack}.yaml`);
    const egress = { ...(typeof ziti === "object" ? { zitiPorts: ziti.ports } : {}), kubernetesApiPorts: [...new Set(clusters.map((c) => Number(new URL(c.server).port)))] };
    fs.writeFileSync(out, YAML.stringify(withLocalEgress(withKubeconfigs(settings, kubeconfigs), egress)), { mode: 0o600 });
    for (const c of clusters) log(`${c.name}: ${c.server}  kubectl --kubeconfig ${rootKubeconfig(c)} get all -A`);
    process.stdout.write(out + "\n");
}

async function status(): Promise<number> {
    const run = runningLocalClusters(kubeHome);
    if (!run?.clusters || !(await answering(run.clusters))) {
        log(`no local clusters running in ${kubeHome}`);
        return 3;
    }
    const relayed = run.processes.map((p) => /^ziti-relay-(\d+)-host$/.exec(p.name)?.[1]).filter(Boolean);
    const ziti = savedNetwork();
    process.stdout.write(`${kubeHome}: ${run.nodes ? "real nodes" : "kwok nodes (simulated: no container runs)"}` +
        (run.nodes ? (relayed.length ? `; Ziti network reachable from the pods as ${ziti?.advertise ?? "?"}:${relayed.join("/")}` : "; Ziti network not reachable from the pods") : "") + "\n");
    for (const c of run.clusters) {
        process.stdout.write(`${c.name}\t${c.server}\t${rootKubeconfig(c)}\n`);
        const api = KubeClient.fromKubeconfig(rootKubeconfig(c));
        for (const n of await api.list<any>("/api/v1/nodes")) {
            const ready = (n.status?.conditions ?? []).find((x: any) => x.type === "Ready")?.status === "True";
            const kind = n.metadata.annotations?.["kwok.x-k8s.io/node"] ? "kwok (simulated)" : `${n.status?.nodeInfo?.kubeletVersion} ${n.status?.nodeInfo?.containerRuntimeVersion}`;
            process.stdout.write(`  node ${n.metadata.name}\t${ready ? "Ready" : "NotReady"}\t${kind}\n`);
        }
        for (const p of await api.list<any>("/api/v1/pods")) {
            const states = (p.status?.containerStatuses ?? []).map((s: any) => `${s.name}=${Object.keys(s.state ?? {})[0]}${s.state?.waiting?.reason ? `(${s.state.waiting.reason})` : ""}${s.ready ? " ready" : ""}`);
            process.stdout.write(`  pod ${p.metadata.namespace}/${p.metadata.name}\t${p.status?.phase}\t${p.spec?.nodeName ?? "-"}\t${states.join(", ")}\n`);
        }
    }
    return 0;
}

async function main(argv: string[]): Promise<number> {
    const [cmd, ...rest] = argv;
    const flag = (name: string, dflt: string) => {
        const i = rest.indexOf(`--${name}`);
        return i >= 0 && rest[i + 1] ? rest[i + 1] : dflt;
    };
    switch (cmd) {
        case "up": {
            const nodes = flag("nodes", process.env.SCRAPE_ANYWHERE_LOCAL_NODES ?? "auto");
            if (nodes !== "real" && nodes !== "kwok" && nodes !== "auto") throw new Error(`--nodes takes auto, real or kwok (got ${nodes})`);
            await up(flag("stack", "dev"), nodes);
            return 0;
        }
        case "nodes": {
            const nodes = flag("nodes", process.env.SCRAPE_ANYWHERE_LOCAL_NODES ?? "auto");
            if (nodes !== "real" && nodes !== "kwok" && nodes !== "auto") throw new Error(`--nodes takes auto, real or kwok (got ${nodes})`);
            const file = rest.includes("--stack-file") ? flag("stack-file", "") : undefined;
            const c = chooseNodes(nodes, stackSettings(flag("stack", "dev"), file), () => whyNoRealNodes(nodeBinaries));
            if (c.why) process.stderr.write(`${c.why}\n`);
            process.stdout.write(`${c.nodes}\n`);
            return 0;
        }
        case "status":
            return status();
        case "down":
            if (!(await stopLocalClusters(kubeHome, log))) log(`no local clusters recorded in ${kubeHome}`);
            fs.rmSync(kubeHome, { recursive: true, force: true });
            return 0;
        default:
            process.stderr.write("usage: ts-node scripts/localClusters.ts up [--stack dev] [--nodes auto|real|kwok] | status | down\n");
            return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
        process.stderr.write(`[local-clusters] ${(e as Error).message}\n`);
        process.exit(1);
    });
}
