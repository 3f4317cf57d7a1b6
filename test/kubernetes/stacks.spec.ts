// The stacks clusterA, clusterB and central (placement kubernetes) deployed through kubeconfigs into three real
// local control planes (scripts/lib/localKubernetes.ts: API server, admission, controller-manager, scheduler,
// kwok nodes), by the real engine and the real Kubernetes provider with its default awaits, against the real
// quickstart controller. kwok, not real nodes: these are the article flavor's stacks (the default), none of whose
// images can be built here (scripts/lib/images/catalog.ts), so on a real node no Deployment would ever become
// available and the provider's awaits would fail; what is checked is the API side. Pods on real nodes: nodes.spec.ts. Everything is checked through the API servers (and the controller's own API):
//   1. bad kubeconfigs (closed port, rejected client certificate) fail naming the cluster; the fixed run converges
//   2. the three stacks come up (policy pack in preview first); every declared object is on its own cluster
//   3. RBAC as the API server decides it (SubjectAccessReview); Pod Security `restricted` enforced and working
//   4. no-op up, refresh without --exclude, a Deployment deleted through the API restored by refresh + up
//   5. updates: scrape interval (ConfigMap in place, Deployment rolled), image (rolled out), namespace (replaced)
//   6. destroy: nothing of the project left on any cluster, no Ziti entity left; the violating fixture fails
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { KubeClient, message } from "../../scripts/lib/kubeClient";
import { LocalClusters, startLocalClusters } from "../../scripts/lib/localKubernetes";
import { freePort } from "../../scripts/lib/zitiQuickstart";
import { adminRest, COLLECTIONS, Rest, zitiController } from "../helpers/zitiController";
import { E2E, progress, repoRoot, resourceCounts, tail } from "../e2e/harness";

/** The flavor whose objects this spec asserts, set explicitly (the default is `upstream`). */
const ARTICLE = { "scrape-anywhere:flavor": "article" };

const POLICY_PACK = path.join(repoRoot, "policy");
const QUICKSTART_DEFAULTS = ["all-routers-all-services", "all-endpoints-public-routers"];
/** stack -> the local cluster it deploys to. */
const PLACES: Record<string, string> = { clusterA: "kubeA", clusterB: "kubeB", central: "central" };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** REST path of an object (the kinds this program declares; plurals as the API serves them). */
function objectPath(apiVersion: string, kind: string, name: string, namespace?: string): string {
    const plural: Record<string, string> = {
        Namespace: "namespaces", Deployment: "deployments", Service: "services", ConfigMap: "configmaps", Secret: "secrets",
        ServiceAccount: "serviceaccounts", ClusterRole: "clusterroles", ClusterRoleBinding: "clusterrolebindings",
    };
    if (!plural[kind]) throw new Error(`objectPath: no plural for ${kind}`);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}${namespace ? `/namespaces/${namespace}` : ""}/${plural[kind]}/${name}`;
}

interface Declared {
    urn: string;
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
    uid: string;
}

async function names(rest: Rest): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const c of COLLECTIONS) {
        const res = await rest.get(`${c}?limit=500`);
        assert.strictEqual(res.status, 200, `listing ${c}`);
        out[c] = res.json.data.filter((e: any) => !e.isSystem && e.typeId !== "Router" && !QUICKSTART_DEFAULTS.includes(e.name)).map((e: any) => e.name).sort();
    }
    return out;
}

function added(now: Record<string, string[]>, baseline: Record<string, string[]>): string[] {
    return COLLECTIONS.flatMap((c) => now[c].filter((n) => !baseline[c].includes(n)).map((n) => `${c}/${n}`)).sort();
}

/**
 * The engine's Diagnostics blocks of a run: `resource (name)` header and its error text. The Kubernetes
 * provider reports a bad kubeconfig on the first object it creates, whose name starts with the cluster's.
 */
function diagnostics(output: string): { resource: string; error: string }[] {
    const i = output.lastIndexOf("\nDiagnostics:");
    if (i < 0) return [];
    const out: { resource: string; error: string }[] = [];
    for (const block of output.slice(i).split(/\n\s*\n/)) {
        const m = /^\s*(?:Diagnostics:\s*\n)?\s*(\S+ \([^)]+\)):\s*\n\s*error: ([\s\S]*)$/.exec(block);
        if (m) out.push({ resource: m[1], error: m[2].trim() });
    }
    return out;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await sleep(500);
    }
}

describe("kubernetes: the stacks on real local control planes", function () {
    this.timeout(900_000);
    let e2e: E2E;
    let rest: Rest;
    let local: LocalClusters;
    let baseline: Record<string, string[]>;
    let failed = false;
    const api = (cluster: string): KubeClient => local.cluster(cluster).client();

    /** The Kubernetes objects a stack's state holds, with the uid the provider recorded. */
    async function declared(stack: string): Promise<Declared[]> {
        const res = await e2e.pulumi("main", ["stack", "export", "--stack", stack], { private: true });
        const resources: any[] = JSON.parse(res.stdout).deployment.resources ?? [];
        return resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:") && r.outputs?.metadata)
            .map((r) => ({
                urn: r.urn, apiVersion: r.outputs.apiVersion, kind: r.outputs.kind,
                name: r.outputs.metadata.name, namespace: r.outputs.metadata.namespace, uid: r.outputs.metadata.uid,
            }));
    }

    async function setKubeconfig(stack: string, file: string): Promise<void> {
        const key = stack === "central" ? "scrape-anywhere:central.kubeconfig" : "scrape-anywhere:clusters[0].kubeconfig";
        await e2e.pulumi("main", ["config", "set", "--stack", stack, "--path", key, file]);
    }

    async function up(stack: string, opts: { allowFailure?: boolean; expectNoChanges?: boolean } = {}) {
        return e2e.pulumi("main", ["up", "--yes", "--skip-preview", "--suppress-outputs", "--stack", stack,
            ...(opts.expectNoChanges ? ["--expect-no-changes"] : [])], { allowFailure: opts.allowFailure });
    }

    async function previewWithPolicies(stack: string): Promise<void> {
        const preview = await e2e.pulumi("main", ["preview", "--stack", stack, "--policy-pack", POLICY_PACK]);
        assert.match(preview.output, /Policies:\s*\n\s*✅ scrape-anywhere@/, `${stack}: the pack reported no violation\n${tail(preview.output, 20)}`);
    }

    async function deployment(cluster: string, ns: string, name: string): Promise<any> {
        return api(cluster).get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    }

    before(async function () {
        this.timeout(600_000);
        const [ctl, clusters] = await Promise.all([zitiController(), startLocalClusters({ names: Object.values(PLACES) })]);
        local = clusters;
        const rss = local.rss();
        progress(`3 control planes ready in ${(local.startMs / 1000).toFixed(1)}s, resident memory ${(rss.total / 2 ** 20).toFixed(0)} MiB`);
        e2e = new E2E(ctl);
        rest = await adminRest(ctl);
        baseline = await names(rest);
        // The article flavor's objects are what this spec asserts (kwok nodes: its images cannot run here anyway).
        e2e.workspace("main", repoRoot, Object.keys(PLACES), ARTICLE);
        e2e.workspace("violating", path.join(repoRoot, "test", "e2e", "fixtures", "violating"), ["violating"]);
        for (const s of Object.keys(PLACES)) await e2e.configureZiti("main", s);
        await setKubeconfig("clusterB", local.cluster("kubeB").kubeconfigPath);
        await setKubeconfig("central", local.cluster("central").kubeconfigPath);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        this.timeout(600_000);
        const ls = await e2e?.pulumi("main", ["stack", "ls", "--json"], { allowFailure: true });
        for (const stack of ["central", "clusterA", "clusterB"]) {
            const known = ls && ls.code === 0 ? (JSON.parse(ls.stdout) as any[]).find((s) => s.name === stack) : undefined;
            if (known && known.resourceCount > 0) await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", stack], { allowFailure: true });
        }
        await rest?.close();
        if (failed) progress(`engine output of this run: ${e2e?.logFile}; control-plane logs: ${local?.dir}/logs`);
        if (!failed) await local?.stop();
        else progress("keeping the control planes' logs: stopping the processes only after copying them");
        if (failed && local) {
            fs.cpSync(path.join(local.dir, "logs"), path.join(e2e.dir, "control-plane-logs"), { recursive: true });
            await local.stop();
        }
        e2e?.dispose(failed);
    });

    describe("1. bad kubeconfigs fail clearly, and the fixed run converges", function () {
        it("a kubeconfig pointing at a closed port: `pulumi up` fails naming the cluster and the address", async function () {
            const kc = YAML.parse(fs.readFileSync(local.cluster("kubeA").kubeconfigPath, "utf8"));
            const closed = await freePort();
            kc.clusters[0].cluster.server = `https://127.0.0.1:${closed}`;
            const file = path.join(e2e.dir, "kubeA-closed-port.kubeconfig");
            fs.writeFileSync(file, YAML.stringify(kc), { mode: 0o600 });
            await setKubeconfig("clusterA", file);
            const res = await up("clusterA", { allowFailure: true });
            assert.notStrictEqual(res.code, 0, tail(res.output, 30));
            const diag = diagnostics(res.output).find((d) => /unreachable/.test(d.error));
            assert.ok(diag, `a diagnostic says the cluster is unreachable:\n${tail(res.output, 30)}`);
            assert.match(diag.resource, /^kubernetes:.* \(kubeA-/, "it is reported on one of kubeA's objects");
            assert.match(diag.error, new RegExp(`127\\.0\\.0\\.1:${closed}.*connection refused`), "it names the address and the cause");
        });

        it("a client certificate the API server rejects: `pulumi up` fails naming the cluster (Unauthorized)", async function () {
            // kubeA's server and CA, kubeB's admin certificate (kubeA's API server does not trust kubeB's CA).
            const kc = YAML.parse(fs.readFileSync(local.cluster("kubeA").kubeconfigPath, "utf8"));
            const other = YAML.parse(fs.readFileSync(local.cluster("kubeB").kubeconfigPath, "utf8"));
            kc.users[0].user = other.users[0].user;
            const file = path.join(e2e.dir, "kubeA-foreign-cert.kubeconfig");
            fs.writeFileSync(file, YAML.stringify(kc), { mode: 0o600 });
            await setKubeconfig("clusterA", file);
            const res = await up("clusterA", { allowFailure: true });
            assert.notStrictEqual(res.code, 0, tail(res.output, 30));
            const diag = diagnostics(res.output).find((d) => /unreachable/.test(d.error));
            assert.ok(diag, `a diagnostic says the cluster refused the credentials:\n${tail(res.output, 30)}`);
            assert.match(diag.resource, /^kubernetes:.* \(kubeA-/, "it is reported on one of kubeA's objects");
            assert.match(diag.error, /the server has asked for the client to provide credentials/, "it names the cause (401)");
        });

        it("with the right kubeconfig the next `pulumi up` converges: each Ziti entity and object exactly once", async function () {
            await setKubeconfig("clusterA", local.cluster("kubeA").kubeconfigPath);
            await up("clusterA");
            const now = await names(rest);
            const mine = added(now, baseline);
            assert.deepStrictEqual(mine, [...new Set(mine)], "no Ziti name twice");
            for (const c of COLLECTIONS) assert.deepStrictEqual(now[c], [...new Set(now[c])], `${c}: no duplicate names`);
            assert.ok(mine.includes("identities/kubeA.prometheus.id") && mine.includes("identities/kubeA.ziti.id"), mine.join(", "));
            const deps = await api("kubeA").list<any>("/apis/apps/v1/namespaces/monitoring/deployments");
            assert.deepStrictEqual(deps.map((d) => d.metadata.name).sort(), ["prometheus", "reflectz", "ziti-host"]);
            await up("clusterA", { expectNoChanges: true });
        });
    });

    describe("2. clusterB and central come up; every object on its own cluster", function () {
        it("clusterA, clusterB and central pass the policy pack in preview; clusterB and central come up", async function () {
            await previewWithPolicies("clusterA");
            await previewWithPolicies("clusterB");
            await up("clusterB");
            await previewWithPolicies("central");
            await up("central");
            assert.deepStrictEqual((await e2e.outputs("main", "central")).centralPrometheus.federates, ["kubeA", "kubeB"]);
        });

        it("every declared object exists on its stack's cluster, as the provider recorded it (same uid)", async function () {
            for (const [stack, cluster] of Object.entries(PLACES)) {
                const objs = await declared(stack);
                // At least the namespace, the Prometheus ConfigMap, identity Secret and Deployment (central has just these).
                assert.ok(objs.length >= 4, `${stack} declares ${objs.length} objects`);
                for (const o of objs) {
                    const live = await api(cluster).get<any>(objectPath(o.apiVersion, o.kind, o.name, o.namespace));
                    assert.ok(live, `${stack}: ${o.kind} ${o.namespace ?? ""}/${o.name} exists on ${cluster}`);
                    assert.strictEqual(live.metadata.uid, o.uid, `${stack}: ${o.kind} ${o.name} is the object the provider made`);
                }
                // Each cluster's workloads carry its own instance label: nothing of one place landed on another.
                for (const d of await api(cluster).list<any>("/apis/apps/v1/deployments?labelSelector=app.kubernetes.io%2Fpart-of%3Dscrape-anywhere")) {
                    assert.strictEqual(d.metadata.labels["app.kubernetes.io/instance"], cluster, `${cluster}: ${d.metadata.name}`);
                }
            }
        });

        it("every Deployment is available, its pods scheduled on the kwok node and Running", async function () {
            for (const cluster of Object.values(PLACES)) {
                const deps = await api(cluster).list<any>("/apis/apps/v1/namespaces/monitoring/deployments");
                assert.ok(deps.length >= 1, `${cluster} has Deployments`);
                for (const d of deps) {
                    const available = (d.status.conditions ?? []).find((c: any) => c.type === "Available");
                    assert.strictEqual(available?.status, "True", `${cluster}/${d.metadata.name} Available`);
                    assert.strictEqual(d.status.availableReplicas, d.spec.replicas, `${cluster}/${d.metadata.name} replicas`);
                }
                for (const p of await api(cluster).list<any>("/api/v1/namespaces/monitoring/pods")) {
                    assert.strictEqual(p.spec.nodeName, local.cluster(cluster).nodeName);
                    assert.strictEqual(p.status.phase, "Running", `${cluster}/${p.metadata.name}`);
                }
            }
        });

        it("clusterB holds no Service, Ingress, hostPort or hostNetwork", async function () {
            const services = await api("kubeB").list<any>("/api/v1/services");
            assert.deepStrictEqual(services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ["default/kubernetes"], "only the API server's own Service");
            assert.deepStrictEqual(await api("kubeB").list("/apis/networking.k8s.io/v1/ingresses"), []);
            const pods = await api("kubeB").list<any>("/api/v1/namespaces/monitoring/pods");
            assert.ok(pods.length >= 2);
            for (const p of pods) {
                assert.ok(!p.spec.hostNetwork, `${p.metadata.name} hostNetwork`);
                for (const c of [...p.spec.containers, ...(p.spec.initContainers ?? [])]) {
                    assert.ok(!(c.ports ?? []).some((port: any) => port.hostPort), `${p.metadata.name}/${c.name} hostPort`);
                }
            }
        });

        it("clusterA's Prometheus Service is ClusterIP with an endpoint for the Prometheus pod", async function () {
            const svc = await api("kubeA").get<any>("/api/v1/namespaces/monitoring/services/prometheus");
            assert.strictEqual(svc.spec.type, "ClusterIP");
            assert.match(svc.spec.clusterIP, /^10\.96\./);
            const pod = (await api("kubeA").list<any>("/api/v1/namespaces/monitoring/pods?labelSelector=app.kubernetes.io%2Fname%3Dprometheus"))[0];
            assert.ok(pod?.status.podIP, "the Prometheus pod has an IP (kwok)");
            const slices = await api("kubeA").list<any>("/apis/discovery.k8s.io/v1/namespaces/monitoring/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dprometheus");
            const endpoints = slices.flatMap((s) => s.endpoints ?? []);
            assert.deepStrictEqual(endpoints.map((e: any) => [e.targetRef?.kind, e.targetRef?.name, e.addresses[0], e.conditions?.ready]),
                [["Pod", pod.metadata.name, pod.status.podIP, true]]);
            assert.strictEqual(slices[0].ports[0].port, 9090);
        });

        it("identity material is only in Secrets: no ConfigMap, env value or annotation holds a key or identity JSON", async function () {
            const secretLike = /BEGIN [A-Z ]*PRIVATE KEY|"ztAPI"|eyJ6dEFQSSI6/;
            for (const cluster of Object.values(PLACES)) {
                const secrets = await api(cluster).list<any>("/api/v1/namespaces/monitoring/secrets");
                const ids = secrets.filter((s) => s.data?.["identity.json"]);
                assert.ok(ids.length >= 1, `${cluster} holds identity Secrets`);
                for (const s of ids) assert.ok(JSON.parse(Buffer.from(s.data["identity.json"], "base64").toString()).ztAPI, `${cluster}/${s.metadata.name} is an identity`);
                for (const cm of await api(cluster).list<any>("/api/v1/namespaces/monitoring/configmaps")) {
                    assert.doesNotMatch(JSON.stringify(cm.data ?? {}), secretLike, `${cluster} ConfigMap ${cm.metadata.name}`);
                }
                for (const d of await api(cluster).list<any>("/apis/apps/v1/namespaces/monitoring/deployments")) {
                    const t = d.spec.template;
                    const env = [...t.spec.containers, ...(t.spec.initContainers ?? [])].flatMap((c: any) => c.env ?? []);
                    assert.doesNotMatch(JSON.stringify({ env, a: t.metadata.annotations, d: d.metadata.annotations }), secretLike, `${cluster} Deployment ${d.metadata.name}`);
                }
            }
        });
    });

    describe("3. RBAC and Pod Security, as the API servers decide them", function () {
        it("the cluster Prometheus may discover and scrape what its config names, and may not read Secrets or write anything", async function () {
            for (const cluster of ["kubeA", "kubeB"]) {
                const cm = await api(cluster).get<any>("/api/v1/namespaces/monitoring/configmaps/prometheus-config");
                const roles: string[] = YAML.parse(cm.data["prometheus.yml"]).scrape_configs.flatMap((j: any) => (j.kubernetes_sd_configs ?? []).map((s: any) => s.role));
                assert.deepStrictEqual([...new Set(roles)].sort(), ["endpoints", "node"], `${cluster} discovery roles`);
                // What Prometheus' discovery watches per role (prometheus/prometheus discovery/kubernetes/kubernetes.go):
                // endpoints -> endpoints, services, pods; node -> nodes.
                const sa = "system:serviceaccount:monitoring:prometheus";
                const can = (a: Parameters<KubeClient["can"]>[1]) => api(cluster).can(sa, a);
                for (const resource of ["endpoints", "services", "pods", "nodes"]) {
                    for (const verb of ["get", "list", "watch"]) assert.ok(await can({ verb, resource }), `${cluster}: ${verb} ${resource}`);
                }
                // The kubelet job scrapes /metrics of each kubelet: nodes/metrics (k8s.io/kubernetes pkg/kubelet/server/auth.go);
                // nodes/proxy (the kubelet's exec/attach/run endpoints, and the API server's node proxy) is refused.
                assert.ok(await can({ verb: "get", resource: "nodes", subresource: "metrics" }), `${cluster}: get nodes/metrics`);
                for (const verb of ["get", "create"]) assert.ok(!(await can({ verb, resource: "nodes", subresource: "proxy" })), `${cluster}: ${verb} nodes/proxy refused`);
                assert.ok(await can({ verb: "get", nonResourcePath: "/metrics" }), `${cluster}: GET /metrics`);
                for (const verb of ["get", "list", "watch"]) {
                    assert.ok(!(await can({ verb, resource: "secrets" })), `${cluster}: ${verb} secrets cluster-wide refused`);
                    assert.ok(!(await can({ verb, resource: "secrets", namespace: "monitoring" })), `${cluster}: ${verb} secrets in monitoring refused`);
                }
                for (const verb of ["create", "update", "patch", "delete"]) {
                    for (const [group, resource] of [["", "pods"], ["", "services"], ["", "configmaps"], ["", "secrets"], ["apps", "deployments"], ["rbac.authorization.k8s.io", "clusterroles"]]) {
                        assert.ok(!(await can({ verb, resource, group, namespace: "monitoring" })), `${cluster}: ${verb} ${resource} refused`);
                    }
                }
                assert.ok(!(await can({ verb: "post", nonResourcePath: "/metrics" })), `${cluster}: POST /metrics refused`);
            }
        });

        it("every namespace of the project enforces the `restricted` Pod Security Standard", async function () {
            for (const cluster of Object.values(PLACES)) {
                const ns = await api(cluster).get<any>("/api/v1/namespaces/monitoring");
                assert.strictEqual(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"], "restricted", `${cluster}/monitoring`);
            }
        });

        it("every Deployment's pods were admitted by Pod Security admission (no ReplicaSet refused a pod)", async function () {
            for (const cluster of Object.values(PLACES)) {
                for (const rs of await api(cluster).list<any>("/apis/apps/v1/namespaces/monitoring/replicasets")) {
                    const failure = (rs.status.conditions ?? []).find((c: any) => c.type === "ReplicaFailure" && c.status === "True");
                    assert.ok(!failure, `${cluster}/${rs.metadata.name}: ${failure?.message}`);
                    if (rs.spec.replicas > 0) assert.strictEqual(rs.status.readyReplicas, rs.spec.replicas, `${cluster}/${rs.metadata.name} ready`);
                }
            }
        });

        it("a deliberately non-compliant pod is refused by the API server; a compliant one is admitted", async function () {
            const pod = (name: string, securityContext: any, podSecurityContext: any = {}) => ({
                apiVersion: "v1", kind: "Pod", metadata: { name },
                spec: { securityContext: podSecurityContext, containers: [{ name: "c", image: "registry.invalid/probe:1", securityContext }] },
            });
            for (const cluster of Object.values(PLACES)) {
                const bad = await api(cluster).create("/api/v1/namespaces/monitoring/pods", pod("psa-violator", { privileged: true }));
                // 403 from Pod Security admission (not 422 from validation: the API server allows privileged containers).
                assert.strictEqual(bad.status, 403, `${cluster}: ${message(bad)}`);
                assert.match(message(bad), /violates PodSecurity "restricted:latest"/, cluster);
                assert.match(message(bad), /privileged/, cluster);
                const good = await api(cluster).create("/api/v1/namespaces/monitoring/pods", pod("psa-compliant",
                    { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } }));
                assert.strictEqual(good.status, 201, `${cluster}: ${message(good)}`);
                await api(cluster).delete("/api/v1/namespaces/monitoring/pods/psa-compliant");
                await waitFor(`${cluster} psa-compliant gone`, async () => ((await api(cluster).get("/api/v1/namespaces/monitoring/pods/psa-compliant")) ? undefined : true));
            }
        });
    });

    describe("4. no-op up, refresh, and drift repaired", function () {
        it("a second `pulumi up` of each stack changes nothing", async function () {
            for (const stack of Object.keys(PLACES)) {
                const res = await up(stack, { expectNoChanges: true });
                assert.deepStrictEqual(Object.keys(resourceCounts(res.output)), ["unchanged"], tail(res.output, 20));
            }
        });

        it("`pulumi refresh` with no --exclude finds no drift on any stack", async function () {
            for (const stack of Object.keys(PLACES)) {
                const res = await e2e.pulumi("main", ["refresh", "--yes", "--skip-preview", "--suppress-outputs", "--stack", stack, "--expect-no-changes"]);
                assert.deepStrictEqual(Object.keys(resourceCounts(res.output)), ["unchanged"], tail(res.output, 20));
            }
        });

        it("a Deployment deleted through the API is found by refresh and restored by up", async function () {
            const before = await deployment("kubeB", "monitoring", "reflectz");
            assert.strictEqual(await api("kubeB").delete("/apis/apps/v1/namespaces/monitoring/deployments/reflectz", "Foreground"), 200);
            await waitFor("reflectz gone", async () => ((await deployment("kubeB", "monitoring", "reflectz")) ? undefined : true));
            const refresh = await e2e.pulumi("main", ["refresh", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "clusterB"]);
            assert.strictEqual(resourceCounts(refresh.output).deleted, 1, tail(refresh.output, 20));
            const res = await up("clusterB");
            assert.strictEqual(resourceCounts(res.output).created, 1, tail(res.output, 20));
            const after = await deployment("kubeB", "monitoring", "reflectz");
            assert.notStrictEqual(after.metadata.uid, before.metadata.uid, "a new Deployment");
            assert.strictEqual(after.status.availableReplicas, 1, "available again (the provider awaited it)");
        });
    });

    describe("5. updates on clusterA", function () {
        it("a scrape-interval change updates the ConfigMap in place and rolls the Deployment without replacing it", async function () {
            const cm0 = await api("kubeA").get<any>("/api/v1/namespaces/monitoring/configmaps/prometheus-config");
            const d0 = await deployment("kubeA", "monitoring", "prometheus");
            const promPods = () => api("kubeA").list<any>("/api/v1/namespaces/monitoring/pods?labelSelector=app.kubernetes.io%2Fname%3Dprometheus");
            const hash0 = (await promPods())[0].metadata.labels["pod-template-hash"];
            await e2e.pulumi("main", ["config", "set", "--stack", "clusterA", "scrape-anywhere:scrapeInterval", "30s"]);
            const res = await up("clusterA");
            const counts = resourceCounts(res.output);
            assert.ok(!counts.replaced, `nothing replaced: ${JSON.stringify(counts)}\n${tail(res.output, 20)}`);
            const cm1 = await api("kubeA").get<any>("/api/v1/namespaces/monitoring/configmaps/prometheus-config");
            assert.strictEqual(cm1.metadata.uid, cm0.metadata.uid, "the same ConfigMap");
            assert.strictEqual(YAML.parse(cm1.data["prometheus.yml"]).global.scrape_interval, "30s");
            const d1 = await deployment("kubeA", "monitoring", "prometheus");
            assert.strictEqual(d1.metadata.uid, d0.metadata.uid, "the same Deployment");
            assert.ok(d1.metadata.generation > d0.metadata.generation, "its pod template changed (a rollout)");
            assert.strictEqual(d1.status.updatedReplicas, 1);
            assert.strictEqual(d1.status.availableReplicas, 1);
            // The old pod is replaced by one of the new template.
            const pods = await waitFor("only new Prometheus pods", async () => {
                const p = await promPods();
                return p.length === 1 && p[0].metadata.labels["pod-template-hash"] !== hash0 ? p : undefined;
            });
            assert.strictEqual(pods[0].status.phase, "Running");
        });

        it("an image change rolls the Deployment out to the new image", async function () {
            const d0 = await deployment("kubeA", "monitoring", "reflectz");
            const image = `${d0.spec.template.spec.containers[0].image.replace(/:[^:/]+$/, "")}:rollout-test`;
            await e2e.pulumi("main", ["config", "set", "--stack", "clusterA", "--path", "scrape-anywhere:images.reflectz", image]);
            await up("clusterA");
            const d1 = await deployment("kubeA", "monitoring", "reflectz");
            assert.strictEqual(d1.metadata.uid, d0.metadata.uid, "updated, not replaced");
            assert.strictEqual(d1.spec.template.spec.containers[0].image, image);
            assert.strictEqual(d1.status.updatedReplicas, 1);
            assert.strictEqual(d1.status.availableReplicas, 1);
            const pods = await waitFor("only new pods", async () => {
                const p = await api("kubeA").list<any>("/api/v1/namespaces/monitoring/pods?labelSelector=app.kubernetes.io%2Fname%3Dreflectz");
                return p.length === 1 && p[0].spec.containers[0].image === image ? p : undefined;
            });
            assert.strictEqual(pods[0].status.phase, "Running");
        });

        it("a namespace rename replaces the namespaced objects; the old namespace is gone", async function () {
            const old = await api("kubeA").get<any>("/api/v1/namespaces/monitoring");
            await e2e.pulumi("main", ["config", "set", "--stack", "clusterA", "--path", "scrape-anywhere:clusters[0].namespace", "observability"]);
            const res = await up("clusterA");
            assert.ok((resourceCounts(res.output).replaced ?? 0) >= 1, tail(res.output, 20));
            assert.strictEqual(await api("kubeA").get("/api/v1/namespaces/monitoring"), undefined, `the old namespace ${old.metadata.name} is gone`);
            const ns = await api("kubeA").get<any>("/api/v1/namespaces/observability");
            assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            const deps = await api("kubeA").list<any>("/apis/apps/v1/namespaces/observability/deployments");
            assert.deepStrictEqual(deps.map((d) => [d.metadata.name, d.status.availableReplicas]).sort(), [["prometheus", 1], ["reflectz", 1], ["ziti-host", 1]]);
            for (const o of await declared("clusterA")) {
                assert.ok(!o.namespace || o.namespace === "observability", `${o.kind} ${o.name} moved`);
                assert.ok(await api("kubeA").get(objectPath(o.apiVersion, o.kind, o.name, o.namespace)), `${o.kind} ${o.name} exists`);
            }
            const host = (await rest.named("configs", "kubeA.prometheus.svc.host.v1"))[0];
            assert.strictEqual(host.data.address, "prometheus.observability.svc", "the tunneler forwards to the renamed Service");
            await up("clusterA", { expectNoChanges: true });
        });
    });

    describe("6. destroy, and the policy pack's failing case", function () {
        it("`pulumi destroy` leaves no object of the project on any cluster and no Ziti entity", async function () {
            const objs = Object.fromEntries(await Promise.all(Object.keys(PLACES).map(async (s) => [s, await declared(s)] as const)));
            await e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", "central"]);
            await Promise.all(["clusterA", "clusterB"].map((s) => e2e.pulumi("main", ["destroy", "--yes", "--skip-preview", "--suppress-outputs", "--stack", s])));
            for (const [stack, cluster] of Object.entries(PLACES)) {
                for (const o of objs[stack]) {
                    assert.strictEqual(await api(cluster).get(objectPath(o.apiVersion, o.kind, o.name, o.namespace)), undefined, `${cluster}: ${o.kind} ${o.name} gone`);
                }
                const namespaces = (await api(cluster).list<any>("/api/v1/namespaces")).map((n) => n.metadata.name).sort();
                assert.deepStrictEqual(namespaces, ["default", "kube-node-lease", "kube-public", "kube-system"], `${cluster}: namespaces really gone`);
                for (const kind of ["clusterroles", "clusterrolebindings"]) {
                    const left = await api(cluster).list<any>(`/apis/rbac.authorization.k8s.io/v1/${kind}?labelSelector=app.kubernetes.io%2Fpart-of%3Dscrape-anywhere`);
                    assert.deepStrictEqual(left.map((x) => x.metadata.name), [], `${cluster}: ${kind}`);
                }
            }
            assert.deepStrictEqual(added(await names(rest), baseline), [], "no Ziti entity left");
        });

        it("`pulumi preview --policy-pack policy` fails the violating fixture, naming the rules", async function () {
            await e2e.configureZiti("violating", "violating");
            await e2e.pulumi("violating", ["config", "set", "--stack", "violating", "renderDir", path.join(e2e.ws("violating"), "rendered")]);
            const res = await e2e.pulumi("violating", ["preview", "--stack", "violating", "--policy-pack", POLICY_PACK], { allowFailure: true });
            assert.notStrictEqual(res.code, 0, tail(res.output, 30));
            for (const rule of ["disallow-loadbalancer-service", "disallow-host-network-and-ports", "disallow-dial-all-identities"]) assert.match(res.output, new RegExp(rule));
            assert.match(res.output, /mandatory/);
        });
    });
});
