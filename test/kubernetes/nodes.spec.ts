// Real nodes (scripts/lib/node/): kubeA, kubeB and central each get a kubelet v1.37.2, containerd v2.4.2 (runc),
// kube-proxy and CoreDNS in network namespaces of their own. Checked: nodes registered and Ready; the `kubernetes`
// Service has an endpoint and answers on its ClusterIP; CoreDNS answers for it; every catalog image is imported or
// reported as not buildable (its pods admitted and scheduled, but waiting); a workload built with the program's own
// Kubernetes building blocks (restricted security contexts, identity Secret volume, scratch volume, labels) runs
// `ziti tunnel host` from a locally built image of the real `ziti` CLI with the stack's own tunneler identity
// (`kubeA.ziti.id`, made and enrolled by the program's provider on a real controller that the pods reach through
// node/zitiReach.ts): Running and Ready, its terminator in the controller's API, and the kubelet/runc enforce what
// the contract says; logs through the API server; the host's kernel tunables untouched; stop() leaves no process,
// namespace, cgroup or /run/containerd behind. (stacks.spec.ts keeps kwok: see README.)
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { IDENTITY_KEY, POD_SECURITY_LABELS, workloadLabels } from "../../components/kubernetes";
import { identitySecretVolume, IDENTITY_FILE_MODE, restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "../../flavors/article/restricted";
import { ZITI_HOST, zitiHostPodSpec } from "../../flavors/article/zitiHost";
import { clusterZitiEntities } from "../../flavors/article/ziti";
import { defaultServiceNames } from "../../plan/names";
import { CATALOG, normalizeReference, ZITI_CLI } from "../../scripts/lib/images/catalog";
import { LocalClusters, reapStaleRuns, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { v1Hierarchies } from "../../scripts/lib/node/cgroups";
import { containerPid, listeners, nodeMemory, procStatus } from "../../scripts/lib/node/inspect";
import { nodeBinaries } from "../../scripts/lib/node/lifecycle";
import { whyNoRealNodes } from "../../scripts/lib/node/capability";
import { ctrList } from "../../scripts/lib/node/node";
import { HOST_IP, nodePlan, runId } from "../../scripts/lib/node/plan";
import { connectZitiToPods, podReachableZitiName, ZITI_RELAY_IP } from "../../scripts/lib/node/zitiReach";
import { startZitiQuickstart, ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { repoRoot } from "../e2e/harness";
import { startThenKill } from "../helpers/killedRun";
import { pollUntil } from "../helpers/pollUntil";
import { createPlanned, PlannedZiti } from "../helpers/plannedZiti";
import { adminRest, Rest } from "../helpers/zitiController";

/**
 * The global tunables the kubelet sets (k8s.io/kubernetes v1.37.2 pkg/kubelet/cm/container_manager_linux.go
 * setupKernelTunables), listed here rather than taken from the product's KUBELET_SYSCTLS, so that a tunable the
 * product forgets to shield shows up as a changed host value.
 */
const TUNABLES = ["vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes"];
const hostSysctls = () => Object.fromEntries(TUNABLES.map((k) => [k, fs.readFileSync(`/proc/sys/${k}`, "utf8").trim()]));

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> =>
    pollUntil(what, fn, (v) => v !== undefined, ms, 500) as Promise<T>;

describe("kubernetes: real nodes (kubelet, containerd, kube-proxy, CoreDNS)", function () {
    this.timeout(600_000);
    const NAMES = ["kubeA", "kubeB", "central"];
    const NS = "node-probe";
    let local: LocalClusters;
    let ziti: ZitiQuickstart;
    let zitiName: string;
    let planned: PlannedZiti | undefined;
    let rest: Rest;
    let hostTunables: Record<string, string>;
    const api = () => local.cluster("kubeA").client();
    const plan = (i: number) => nodePlan(runId(local.dir), local.dir, NAMES[i], i);

    before(async function () {
        hostTunables = hostSysctls();
        zitiName = await podReachableZitiName();
        // The Ziti network advertises the name pods resolve (node/zitiReach.ts); it starts beside the clusters.
        [local, ziti] = await Promise.all([startLocalClusters({ names: NAMES, nodes: true }), startZitiQuickstart({ advertiseAddress: zitiName })]);
        const m = local.rss();
        console.log(`      [nodes] ${NAMES.length} clusters with Ready nodes in ${(local.startMs / 1000).toFixed(1)}s; resident ${(m.total / 2 ** 20).toFixed(0)} MiB ` +
            `(${(m.proportional / 2 ** 20).toFixed(0)} MiB shared pages once)`);
        const t0 = Date.now();
        await connectZitiToPods(local, { name: zitiName, ports: [ziti.ctrlPort, ziti.routerPort] });
        console.log(`      [nodes] Ziti network (${zitiName}:${ziti.ctrlPort}/${ziti.routerPort}) reachable from the pods in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        rest = await adminRest(ziti);
    });

    after(async function () {
        await planned?.destroy().catch((e) => console.log(`      [nodes] removing the probe's Ziti entities: ${(e as Error).message}`));
        await rest?.close();
        await local?.stop();
        await ziti?.stop();
    });

    it("registers one Ready node per cluster: kubelet v1.37.2 over containerd v2.4.2, its address on its own namespace", async function () {
        for (const [i, c] of local.clusters.entries()) {
            const n = await c.client().get<any>(`/api/v1/nodes/${c.nodeName}`);
            assert.ok(n, `${c.name}: node ${c.nodeName} registered`);
            assert.ok(n.status.conditions.some((x: any) => x.type === "Ready" && x.status === "True"), `${c.name}: Ready`);
            assert.strictEqual(n.status.nodeInfo.kubeletVersion, "v1.37.2");
            assert.strictEqual(n.status.nodeInfo.containerRuntimeVersion, "containerd://2.4.2");
            assert.deepStrictEqual(n.status.addresses.filter((a: any) => a.type === "InternalIP").map((a: any) => a.address), [plan(i).nodeIP]);
            assert.ok(fs.existsSync(`/run/netns/${plan(i).netns}`), "the node's namespace exists");
        }
    });

    it("gives the `kubernetes` Service an endpoint that answers on its ClusterIP through kube-proxy, and CoreDNS resolves it", async function () {
        const c = local.cluster("kubeA");
        const slices = await waitFor("kubernetes EndpointSlice", async () => {
            const l = await c.client().list<any>("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes");
            return l.some((s) => s.endpoints?.length) ? l : undefined;
        });
        assert.deepStrictEqual(slices.flatMap((s) => s.endpoints.flatMap((e: any) => e.addresses)), [HOST_IP]);
        const ns = plan(0).netns;
        // From the node's namespace: the ClusterIP (kube-proxy's DNAT) reaches the API server, which answers /readyz
        // to anyone (system:public-info-viewer).
        const ready = await waitFor("ClusterIP 10.96.0.1 answering", async () => {
            const out = execFileSync("ip", ["netns", "exec", ns, "curl", "-sk", "--max-time", "3", "https://10.96.0.1/readyz"], { encoding: "utf8" });
            return out.trim() === "ok" ? out : undefined;
        }, 30_000);
        assert.strictEqual(ready.trim(), "ok");
        const script = `const r=new (require("dns").promises.Resolver)();r.setServers([${JSON.stringify(plan(0).nodeIP)}]);` +
            `r.resolve4("kubernetes.default.svc.cluster.local").then((a)=>process.stdout.write(a.join(",")),(e)=>{process.stderr.write(String(e));process.exit(1)})`;
        const addr = await waitFor("CoreDNS answering", async () => execFileSync("ip", ["netns", "exec", ns, process.execPath, "-e", script], { encoding: "utf8" }), 30_000);
        assert.strictEqual(addr, "10.96.0.1");
    });

    it("imports every image the catalog can build, and names each one it cannot, whose pods are scheduled but wait", async function () {
        const bins = nodeBinaries();
        const have = ctrList(bins.ctr, plan(0)).split("\n");
        for (const img of CATALOG) {
            if (img.unavailable) console.log(`      [nodes] image ${img.reference}: not built here: ${img.unavailable}`);
            else assert.ok(have.includes(normalizeReference(img.reference)), `${img.reference} imported (have ${have.join(", ")})`);
        }
        // The program's own ziti-host pod (the article flavor's image): admitted under `restricted`, scheduled, not started.
        await api().mustCreate("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels: { ...POD_SECURITY_LABELS } } });
        await api().mustCreate(`/api/v1/namespaces/${NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "ziti-host" }, spec: zitiHostPodSpec({ identitySecretName: "absent" }) });
        const p = await waitFor("ziti-host pod scheduled and waiting", async () => {
            const p = await api().get<any>(`/api/v1/namespaces/${NS}/pods/ziti-host`);
            return p?.spec?.nodeName && p.status?.phase === "Pending" ? p : undefined;
        });
        assert.strictEqual(p.spec.nodeName, local.cluster("kubeA").nodeName);
        await api().delete(`/api/v1/namespaces/${NS}/pods/ziti-host`);
    });

    it("runs `ziti tunnel host` from the locally built ziti-cli image with the stack's kubeA.ziti.id: hosts its service (terminator), restricted, identity 0440, dark, no token; kubectl logs and exec work; deleting the Deployment stops it", async function () {
        const c = local.cluster("kubeA");
        // The stack's own Ziti entities for the hybrid kubeA (the article flavor's plan), made and enrolled by the program's
        // provider: the probe runs as the cluster's tunneler `kubeA.ziti.id`, which binds kubeA.prometheus.svc (host.v1).
        const entities = clusterZitiEntities({
            kind: "hybrid", resourcePrefix: "kubeA", name: "kubeA", namespace: NS, serviceNames: defaultServiceNames("kubeA"),
            images: {}, scrapeInterval: "15s", edgeRouterRoles: ["#all"], networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
        });
        planned = await createPlanned(ziti, entities);
        const identity: string = planned.outs.get("kubeA.ziti.id").identityJson;
        assert.strictEqual(new URL(JSON.parse(identity).ztAPI).hostname, zitiName, "the identity's controller is the advertised name (the JWT's issuer)");
        const labels = workloadLabels("node-probe", "kubeA");
        await api().mustCreate(`/api/v1/namespaces/${NS}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "probe-identity", labels }, type: "Opaque", stringData: { [IDENTITY_KEY]: identity } });
        const runAs = { user: ZITI_CLI.uid, group: ZITI_CLI.gid };
        await api().mustCreate(`/apis/apps/v1/namespaces/${NS}/deployments`, {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "probe", labels },
            spec: {
                replicas: 1, selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false, securityContext: restrictedPodSecurityContext(runAs),
                        containers: [{
                            name: "tunnel", image: CATALOG.find((i) => i.name === "ziti-cli")!.reference,
                            args: ["tunnel", "host", "-i", `${ZITI_HOST.identityDir}/ziti_id.json`, "--cli-agent=false"],
                            securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: true }),
                            volumeMounts: [{ name: "identity", mountPath: ZITI_HOST.identityDir, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [identitySecretVolume("identity", "probe-identity", [{ key: IDENTITY_KEY, path: "ziti_id.json" }]), scratchVolume("tmp")],
                    },
                },
            },
        });
        const pod = await waitFor("probe pod Running and Ready", async () => {
            const [p] = await api().list<any>(`/api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io%2Fname%3Dnode-probe`);
            const ready = p?.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True");
            return p?.status?.phase === "Running" && ready ? p : undefined;
        });
        assert.strictEqual(pod.spec.nodeName, c.nodeName);
        // Its logs are the node's own (podLogsDir), not in the host's /var/log/pods that every kubelet prunes.
        const logDir = `${NS}_${pod.metadata.name}_${pod.metadata.uid}`;
        assert.ok(fs.existsSync(`${plan(0).dir}/pod-logs/${logDir}`), "the pod's logs are in the node's directory");
        assert.ok(!fs.existsSync(`/var/log/pods/${logDir}`), "nothing of the pod in the host's /var/log/pods");
        const cs = pod.status.containerStatuses[0];
        const pid = containerPid(plan(0).cgroupRoot, pod.metadata.uid, cs.containerID);
        assert.ok(pid, `found the container's process for ${cs.containerID}`);
        const st = procStatus(pid!);
        assert.strictEqual(st.Seccomp, "2", "seccomp filter (RuntimeDefault)");
        assert.strictEqual(st.NoNewPrivs, "1");
        assert.strictEqual(st.CapEff, "0000000000000000");
        assert.strictEqual(st.Uid.split(/\s+/)[0], String(ZITI_CLI.uid));
        const idFile = fs.statSync(`/proc/${pid}/root${ZITI_HOST.identityDir}/ziti_id.json`);
        assert.strictEqual(idFile.mode & 0o777, IDENTITY_FILE_MODE);
        assert.strictEqual(idFile.gid, ZITI_CLI.gid, "the identity belongs to the workload's group (fsGroup)");
        const podIpListeners = () => listeners(pid!).filter((l) => !/ (127\.0\.0\.1|::1):/.test(l));
        // Sampled while the tunneler authenticates: sdk-golang v1.2.10 (edge-apis/oidc.go newLocalRpServer) serves its
        // OIDC callback on net.Listen("tcp", ":0"), every address of the pod, for the length of each login.
        const duringLogin = podIpListeners();
        assert.ok(!fs.existsSync(`/proc/${pid}/root/var/run/secrets/kubernetes.io/serviceaccount`), "no service-account token");
        // What a person does: kubectl logs and kubectl exec (API server -> kubelet -> containerd's stream server),
        // from the run's host namespace where the API server listens.
        const kubectl = (...args: string[]) => execFileSync("ip", ["netns", "exec", local.netns!, process.env.SCRAPE_ANYWHERE_KUBECTL!,
            "--kubeconfig", c.kubeconfigPath, "-n", NS, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const log = await waitFor("tunneler log through kubectl logs", async () => {
            const out = kubectl("logs", pod.metadata.name);
            return out.includes("loading identity") ? out : undefined;
        }, 30_000);
        assert.match(log, /ziti_id\.json/);
        // The tunneler reached the controller (through the relay on ZITI_RELAY_IP) and the router, and hosts its service:
        // the controller lists a terminator for kubeA.prometheus.svc, which only kubeA.ziti.id may bind (the plan's Bind
        // policy; the API does not name a terminator's host), and kubeA.ziti.id, as the ziti CLI, is connected to the router.
        const tunnelerId = planned!.outs.get("kubeA.ziti.id").id;
        const filter = encodeURIComponent(`service.name="kubeA.prometheus.svc"`);
        const terminator = await waitFor("a terminator of kubeA.prometheus.svc", async () => {
            const r = await rest.get(`terminators?filter=${filter}`);
            return (r.json?.data ?? [])[0];
        }, 60_000).catch((e) => {
            throw new Error(`${(e as Error).message}; the tunneler's log:\n${kubectl("logs", pod.metadata.name).split("\n").slice(-25).join("\n")}`);
        });
        assert.strictEqual(terminator.binding, "edge");
        const idState = await waitFor("kubeA.ziti.id connected to the edge router", async () => {
            const d = (await rest.get(`identities/${tunnelerId}`)).json?.data;
            return d?.hasEdgeRouterConnection ? d : undefined;
        }, 30_000);
        assert.strictEqual(idState.sdkInfo?.appVersion, "v1.7.2", "kubeA.ziti.id logged in as the ziti CLI of the image");
        // Logged in and hosting: nothing listens on the pod IP any more (the login's callback server is shut down).
        assert.deepStrictEqual(await waitFor("no listener on the pod IP once logged in", async () => (podIpListeners().length ? undefined : []), 20_000), []);
        if (duringLogin.length) console.log(`      [nodes] seen during the tunneler's login, on every address of the pod: ${duringLogin.join(", ")} (sdk-golang OIDC callback server)`);
        console.log(`      [nodes] probe pod enrolled as kubeA.ziti.id: terminator ${terminator.id} on router ${terminator.router?.name ?? terminator.routerId}, via ${zitiName} -> ${ZITI_RELAY_IP}`);
        assert.match(kubectl("exec", pod.metadata.name, "--", "ziti", "version"), /v1\.7\.2/);
        const mem = nodeMemory(plan(0).cgroupRoot);
        const mib = (b: number) => (b / 2 ** 20).toFixed(0);
        console.log(`      [nodes] kubeA node memory (Rss): kubelet+kube-proxy+CoreDNS ${mib(mem.daemons)} MiB, containerd+shims ${mib(mem.runtime)} MiB, pods ${mib(mem.pods)} MiB`);
        // The whole local setup: three clusters with their nodes, the probe pod, the relays, and the Ziti controller + router.
        const whole = local.rss();
        const zitiMem = fs.readFileSync(`/proc/${ziti.pid}/smaps_rollup`, "utf8");
        const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(zitiMem)?.[1] ?? 0) * 1024;
        console.log(`      [nodes] whole local setup with the probe pod and the Ziti network: ${mib(whole.total + kb("Rss"))} MiB summed Rss, ` +
            `${mib(whole.proportional + kb("Pss"))} MiB Pss (shared pages once; Ziti controller+router ${mib(kb("Pss"))} MiB)`);
        // Deleting the Deployment really stops the container (garbage collector -> kubelet -> runc): its process ends and
        // the tunneler's terminator leaves the controller (so it was this pod's).
        await api().delete(`/apis/apps/v1/namespaces/${NS}/deployments/probe`, "Foreground");
        await waitFor("the probe's process gone", async () => (fs.existsSync(`/proc/${pid}`) ? undefined : true), 60_000);
        await waitFor("the terminator gone", async () => ((await rest.get(`terminators?filter=${filter}`)).json?.data?.length === 0 ? true : undefined), 60_000);
    });

    it("leaves the host's kernel tunables as they were while the nodes run pods (the kubelet sets them only inside the node's mount namespace)", function () {
        assert.deepStrictEqual(hostSysctls(), hostTunables);
    });

    it("stop() removes every process, shim, namespace, cgroup and /run/containerd entry it made; the host tunables unchanged", async function () {
        const id = runId(local.dir);
        const netns = NAMES.map((_, i) => plan(i).netns);
        const hadRunContainerd = fs.existsSync("/run/containerd") && fs.readdirSync("/run/containerd").length > 0;
        const t0 = Date.now();
        await local.stop();
        console.log(`      [nodes] stop() took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        const procs = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(local.dir) || l.includes(`sak-${id}`));
        assert.deepStrictEqual(hostSysctls(), hostTunables);
        assert.deepStrictEqual(procs, []);
        assert.deepStrictEqual([...netns, `sak-${id}`].filter((n) => fs.existsSync(`/run/netns/${n}`)), []);
        assert.deepStrictEqual(v1Hierarchies(true).filter((h) => fs.existsSync(`${h}/scrape-anywhere-${id}`)), []);
        if (!hadRunContainerd) assert.ok(!fs.existsSync("/run/containerd") || fs.readdirSync("/run/containerd").length === 0);
        assert.ok(!fs.existsSync(local.dir), `${local.dir} removed`);
        assert.deepStrictEqual(hostSysctls(), hostTunables);
    });

    it("a run with a real node whose owner was SIGKILLed is reaped by the next start: processes, namespaces, cgroups, its directory", async function () {
        const script = `require(${JSON.stringify(`${repoRoot}/scripts/lib/localKubernetes`)}).startLocalClusters({ names: ["killed"], nodes: true })` +
            ".then((l) => process.stdout.write(JSON.stringify({ dir: l.dir }) + \"\\n\"))";
        const run = await startThenKill<{ dir: string }>(script, repoRoot);
        const id = runId(run.dir);
        const ns = [`sak-${id}`, nodePlan(id, run.dir, "killed", 0).netns];
        assert.ok(ns.every((n) => fs.existsSync(`/run/netns/${n}`)), "the node outlived its owner");
        assert.ok(await reapStaleRuns(() => undefined) >= 1, "the dead owner's run was reaped");
        assert.deepStrictEqual(ns.filter((n) => fs.existsSync(`/run/netns/${n}`)), []);
        assert.deepStrictEqual(v1Hierarchies(true).filter((h) => fs.existsSync(`${h}/scrape-anywhere-${id}`)), []);
        assert.deepStrictEqual(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(run.dir)), []);
        assert.ok(!fs.existsSync(run.dir), `${run.dir} removed`);
    });

    it("localClusters.ts up --nodes real: the dev stack's three clusters with Ready real nodes, reachable on 127.0.0.1, the Ziti network relayed to the pods; status lists them; down removes all", async function () {
        assert.strictEqual(whyNoRealNodes(nodeBinaries), undefined, "this machine runs real nodes");
        const home = fs.mkdtempSync(`${require("os").tmpdir()}/scrape-anywhere-nodes-home-`);
        // The test's Ziti network stands in for npm start's local one (localNetwork.ts reads its record from the home).
        fs.writeFileSync(`${ziti.home}/network.json`, JSON.stringify({ controllerUrl: ziti.controllerUrl, username: "admin", caBundlePath: ziti.caBundlePath,
            ctrlPort: ziti.ctrlPort, routerPort: ziti.routerPort, home: ziti.home, pid: ziti.pid, advertise: zitiName }));
        fs.writeFileSync(`${ziti.home}/quickstart.pid`, `${ziti.pid}\n`);
        const env = { ...process.env, SCRAPE_ANYWHERE_KUBE_HOME: home, SCRAPE_ANYWHERE_ZITI_HOME: ziti.home };
        const hadRunContainerd = fs.existsSync("/run/containerd") && fs.readdirSync("/run/containerd").length > 0;
        let relays: string[] = [];
        const ts = (...args: string[]) => execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/localClusters.ts", ...args], { cwd: repoRoot, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        try {
            const t0 = Date.now();
            const config = ts("up", "--stack", "dev", "--nodes", "real").trim();
            console.log(`      [nodes] localClusters.ts up --nodes real: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
            assert.ok(fs.existsSync(config), `wrote ${config}`);
            // The kubeconfigs it hands to pulumi answer from this (the root) namespace, through the loopback relay.
            const status = ts("status");
            for (const n of ["kubea-node", "kubeb-node", "central-node"]) assert.match(status, new RegExp(`node ${n}\\tReady\\tv1\\.37\\.2 containerd://2\\.4\\.2`));
            assert.match(status, new RegExp(`real nodes; Ziti network reachable from the pods as ${zitiName}:${ziti.ctrlPort}/${ziti.routerPort}`));
            assert.match(status, /pod kube-system\/|pod default\/|\n/, "status lists pods (none yet is fine)");
            relays = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith("socat") && l.includes(`${home}/ziti-relay/`));
            assert.strictEqual(relays.length, 4, `two relays per port: ${relays.join("; ")}`);
            const again = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/localClusters.ts", "up", "--stack", "dev", "--nodes", "real"], { cwd: repoRoot, env, encoding: "utf8" });
            assert.match(again.stderr, /reusing the local clusters/, "a second up reuses the running nodes");
        } finally {
            const t1 = Date.now();
            ts("down");
            console.log(`      [nodes] localClusters.ts down: ${((Date.now() - t1) / 1000).toFixed(1)}s`);
        }
        assert.ok(!fs.existsSync(home), `${home} removed`);
        const left = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(home));
        assert.deepStrictEqual(left, []);
        assert.deepStrictEqual(fs.readdirSync("/run/netns").filter((n) => n.startsWith(`sak-${runId(home)}`)), []);
        assert.deepStrictEqual(v1Hierarchies(true).filter((h) => fs.existsSync(`${h}/scrape-anywhere-${runId(home)}`)), [], "no cgroup of the run");
        assert.ok(!fs.existsSync("/run/containerd") || fs.readdirSync("/run/containerd").length === 0 || hadRunContainerd, "no /run/containerd entry of the run");
    });
});
