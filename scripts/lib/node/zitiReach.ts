// A Ziti network of the root namespace (controller and router on its loopback: `ziti edge quickstart`, the local
// network of npm start or a test's own) made reachable from the pods of a run's real nodes, with nothing added to the
// root namespace:
//
//   name    the network advertises this machine's host name (quickstart --ctrl-address/--router-address): here it
//           resolves to loopback (/etc/hosts), so this namespace's clients (pulumi's provider, a person's tunnel) keep
//           working; inside the clusters CoreDNS answers it with ZITI_RELAY_IP (each node's hosts file, config.ts).
//   route   ZITI_RELAY_IP/32 is on the run's host namespace's lo and routed from every node namespace (network.ts),
//           so pod -> bridge -> node namespace -> veth -> host namespace, the path pods already take to the API servers.
//   relay   per port, socat listens on ZITI_RELAY_IP:<port> in the host namespace and hands each connection over a unix
//           socket (a file in the run's private dir: sockets in the filesystem cross network namespaces) to a socat in
//           the root namespace that connects 127.0.0.1:<port>. TLS passes through untouched: the controller's and
//           router's certificates name the advertised host name (quickstart.go createMinimalPki: --dns localhost,<ctrl
//           address>; the router's csr sans), so a pod verifies them as any client does.
//
//   const name = await podReachableZitiName();                       // "vm" here; throws saying why not
//   const ziti = await startZitiQuickstart({ advertiseAddress: name });     // or the local network of npm start
//   const local = await startLocalClusters({ names, nodes: true });
//   await connectZitiToPods(local, { name, ports: [ziti.ctrlPort, ziti.routerPort] });
//   // identities enrolled now carry ztAPI https://<name>:<ctrlPort> (the JWT's issuer); pods reach it
//
// The relays are processes of the run (LocalClusters.startProcess): stop(), stopLocalClusters and the reaper end them.
import { execFile } from "child_process";
import * as dns from "dns";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nodePaths } from "./config";
import { NodePlan, ZITI_RELAY_IP } from "./plan";

export { ZITI_RELAY_IP };

/** What connectZitiToPods needs of a run of local clusters with real nodes (a LocalClusters from startLocalClusters({ nodes: true })). */
export interface ZitiReachRun {
    dir: string;
    /** The run's host namespace (the control planes'). */
    netns?: string;
    clusters: { name: string; node?: { plan: NodePlan } }[];
    startProcess(name: string, cmd: string, args: string[]): number;
    processNames(): string[];
}

export interface ZitiForPods {
    /** The name pods resolve to reach the network (what it advertises). */
    name: string;
    /** Where it resolves inside the clusters. */
    address: string;
    ports: number[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isLoopback = (a: dns.LookupAddress) => (a.family === 4 ? a.address.startsWith("127.") : a.address === "::1");
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The relay process names of `port` in a run (connectZitiToPods starts them; a reused run that has them needs nothing). */
export function relayProcessNames(port: number): [string, string] {
    return [`ziti-relay-${port}-root`, `ziti-relay-${port}-host`];
}

/**
 * The name a Ziti network must advertise so that this namespace and the pods of the local clusters both reach it:
 * this machine's host name, when every address it resolves to here is a loopback one. Throws saying why not (no
 * name, a name the clusters' DNS would not answer, or one that resolves off this machine's loopback).
 */
export async function podReachableZitiName(hostname = os.hostname()): Promise<string> {
    const name = hostname.replace(/\.$/, "");
    if (!name || !name.split(".").every((l) => LABEL.test(l))) throw new Error(`this machine's host name "${hostname}" is not a DNS name pods could resolve`);
    if (/(^|\.)(cluster\.local|in-addr\.arpa|localhost)$/i.test(name)) throw new Error(`this machine's host name "${name}" falls in a zone the clusters' DNS answers otherwise`);
    const addrs = await dns.promises.lookup(name, { all: true }).catch(() => [] as dns.LookupAddress[]);
    if (!addrs.length) throw new Error(`this machine's host name "${name}" does not resolve here`);
    const off = addrs.filter((a) => !isLoopback(a));
    if (off.length) throw new Error(`this machine's host name "${name}" resolves to ${off.map((a) => a.address).join(", ")}, not to loopback: a network advertising it would be dialled off this machine`);
    return name;
}

/** Resolves once `check` passes or throws after `ms` with `what`. */
async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`connectZitiToPods: ${what} after ${ms} ms`);
        await sleep(200);
    }
}

function inNetns(netns: string, cmd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) =>
        execFile("ip", ["netns", "exec", netns, cmd, ...args], { encoding: "utf8", timeout: 10_000 }, (e, out) => (e ? reject(e) : resolve(out))));
}

/**
 * Makes the Ziti network whose controller and router listen on 127.0.0.1:`ports` of this namespace reachable from
 * every pod of `run` as `name`:<port>, where `name` is what the network advertises (podReachableZitiName()). Starts
 * the relays (once per port and run), writes `name` into every node's CoreDNS hosts file, and resolves when a node
 * namespace connects to each relayed port and every node's CoreDNS answers `name`.
 */
export async function connectZitiToPods(run: ZitiReachRun, ziti: { name: string; ports: number[] }): Promise<ZitiForPods> {
    const nodes = run.clusters.map((c) => c.node?.plan).filter((p): p is NodePlan => !!p);
    if (!run.netns || !nodes.length) throw new Error("connectZitiToPods: the run has no real nodes (startLocalClusters({ nodes: true }))");
    const sockDir = path.join(run.dir, "ziti-relay");
    fs.mkdirSync(sockDir, { recursive: true, mode: 0o700 });
    for (const port of ziti.ports) {
        const [rootName, hostName] = relayProcessNames(port);
        if (run.processNames().includes(hostName)) continue;
        const sock = path.join(sockDir, `${port}.sock`);
        fs.rmSync(sock, { force: true });
        run.startProcess(rootName, "socat", [`UNIX-LISTEN:${sock},fork,mode=600`, `TCP:127.0.0.1:${port}`]);
        await until(`no relay socket ${sock}`, async () => fs.existsSync(sock), 10_000);
        run.startProcess(hostName, "ip", ["netns", "exec", run.netns, "socat", `TCP-LISTEN:${port},bind=${ZITI_RELAY_IP},reuseaddr,fork`, `UNIX-CONNECT:${sock}`]);
    }
    // The hosts file of every node: CoreDNS re-reads it (reload 2s).
    for (const p of nodes) {
        const file = nodePaths(p).hostsFile;
        const keep = (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "").split("\n").filter((l) => l.trim() && l.trim().split(/\s+/)[1] !== ziti.name);
        fs.writeFileSync(file, [...keep, `${ZITI_RELAY_IP} ${ziti.name}`].join("\n") + "\n", { mode: 0o644 });
    }
    // A node namespace reaches each relayed port (bash's /dev/tcp: one connect, nothing sent).
    for (const port of ziti.ports) {
        await until(`${ZITI_RELAY_IP}:${port} not reachable from ${nodes[0].netns}`,
            async () => (await inNetns(nodes[0].netns, "bash", ["-c", `exec 3<>/dev/tcp/${ZITI_RELAY_IP}/${port}`]), true), 15_000);
    }
    const script = (p: NodePlan) => `const r=new (require("dns").promises.Resolver)();r.setServers([${JSON.stringify(p.nodeIP)}]);` +
        `r.resolve4(${JSON.stringify(ziti.name + ".")}).then((a)=>process.stdout.write(a.join(",")),()=>process.exit(1))`;
    await Promise.all(nodes.map((p) => until(`CoreDNS of ${p.nodeName} does not answer ${ziti.name}`,
        async () => (await inNetns(p.netns, process.execPath, ["-e", script(p)])).trim() === ZITI_RELAY_IP, 20_000)));
    return { name: ziti.name, address: ZITI_RELAY_IP, ports: [...ziti.ports] };
}
