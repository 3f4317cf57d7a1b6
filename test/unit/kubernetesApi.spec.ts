// The Kubernetes API over Ziti (DESIGN 4c) under mocks: the config rules, the per-cluster API service
// and its policies, the ClusterB tunneler, the admin identities and outputs, and the provider that
// reaches an `apiOverZiti` cluster through the local tunnel.
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseConfig, RawConfig } from "../../config";
import { importProgram, JWT_MARKER, RecordingMocks, unsecret, useMocks, ZITI } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const twoClusters = (extra: RawConfig = {}): RawConfig => ({
    role: "dev",
    // The article flavor's tunnelers (ziti-host) are what these cases assert (the default is upstream).
    flavor: "article",
    clusters: [{ name: "kubeA", kind: "hybrid" }, { name: "kubeB", kind: "dark" }],
    kubernetesApi: true,
    kubernetesAdmins: ["ops.admin", "dev.admin"],
    ...extra,
});

/** A kubeconfig as an admin has it: the API server's public address, its CA, a client certificate. */
const KUBECONFIG = YAML.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "kubeB",
    clusters: [
        { name: "kubeB", cluster: { server: "https://203.0.113.10:6443", "certificate-authority-data": "Q0EK" } },
        { name: "other", cluster: { server: "https://198.51.100.1" } },
    ],
    contexts: [{ name: "kubeB", context: { cluster: "kubeB", user: "kubeB-admin" } }, { name: "other", context: { cluster: "other", user: "x" } }],
    users: [{ name: "kubeB-admin", user: { "client-certificate-data": "Q0VSVAo=", "client-key-data": "S0VZCg==" } }, { name: "x", user: {} }],
});

describe("Kubernetes API over Ziti", function () {
    describe("config", function () {
        it("gives each cluster its API service <c>.k8s.svc and, by default, every listed admin", function () {
            const cfg = parseConfig(twoClusters(), "dev");
            assert.deepStrictEqual(cfg.clusters.map(c => c.kubernetesApi), [
                { serviceName: "kubeA.k8s.svc", admins: ["ops.admin", "dev.admin"] },
                { serviceName: "kubeB.k8s.svc", admins: ["ops.admin", "dev.admin"] },
            ]);
            assert.deepStrictEqual(cfg.kubernetesAdmins, ["ops.admin", "dev.admin"]);
        });

        it("lets a cluster narrow its admins to some of kubernetesAdmins", function () {
            const cfg = parseConfig(twoClusters({ clusters: [{ name: "kubeA" }, { name: "kubeB", kind: "dark", kubernetesAdmins: ["ops.admin"] }] }), "dev");
            assert.deepStrictEqual(cfg.clusters.map(c => c.kubernetesApi?.admins), [["ops.admin", "dev.admin"], ["ops.admin"]]);
        });

        it("is off by default: no API service, no admins", function () {
            const cfg = parseConfig({ role: "dev", clusters: [{ name: "kubeA" }] }, "dev");
            assert.strictEqual(cfg.kubernetesApi, false);
            assert.strictEqual(cfg.clusters[0].kubernetesApi, undefined);
        });

        it("reads kubernetesApi as stack config text (\"true\")", function () {
            assert.strictEqual(parseConfig(twoClusters({ kubernetesApi: "true" }), "dev").kubernetesApi, true);
        });

        it("fills apiOverZiti defaults: the cluster's API service, kubernetes.default.svc as TLS name, no local port (the service's proxy.v1 decides)", function () {
            const cfg = parseConfig({
                role: "dev",
                clusters: [
                    { name: "kubeA", context: "a", apiOverZiti: { identityFile: "a.json" } },
                    { name: "kubeB", kind: "dark", context: "b", apiOverZiti: { identityFile: "b.json", service: "b.api.svc" } },
                ],
            }, "dev");
            assert.deepStrictEqual(cfg.clusters.map(c => c.apiOverZiti), [
                { service: "kubeA.k8s.svc", identityFile: "a.json", tlsServerName: "kubernetes.default.svc" },
                { service: "b.api.svc", identityFile: "b.json", tlsServerName: "kubernetes.default.svc" },
            ]);
        });

        const cases: [string, RawConfig, RegExp][] = [
            ["an empty admin list while the feature is on", twoClusters({ kubernetesAdmins: [] }),
                /scrape-anywhere:kubernetesAdmins: kubernetesApi is on but no admin may dial the clusters' API services/],
            ["an unknown admin in a cluster's list", twoClusters({ clusters: [{ name: "kubeA", kubernetesAdmins: ["eve.admin"] }] }),
                /scrape-anywhere:clusters\[0\]\.kubernetesAdmins: unknown admin "eve.admin" for cluster "kubeA": .* must be listed in scrape-anywhere:kubernetesAdmins \(ops.admin, dev.admin\)/],
            ["a cluster whose admin list is empty", twoClusters({ clusters: [{ name: "kubeA", kubernetesAdmins: [] }] }),
                /clusters\[0\]\.kubernetesAdmins: cluster "kubeA" has no API admin left/],
            ["a Prometheus identity as admin", twoClusters({ kubernetesAdmins: ["kubeB.prometheus.id"] }),
                /"kubeB.prometheus.id" is an identity the program makes for a workload or a client \(a Prometheus identity\)/],
            ["a client identity as admin", twoClusters({ clientIdentities: ["dev.client"], kubernetesAdmins: ["dev.client"] }),
                /"dev.client" is an identity the program makes for a workload or a client/],
            ["admins listed while the feature is off", twoClusters({ kubernetesApi: false }),
                /kubernetesAdmins: lists admins \["ops.admin","dev.admin"\] but kubernetesApi is off/],
            ["an admin listed twice", twoClusters({ kubernetesAdmins: ["a", "a"] }), /kubernetesAdmins: lists the same identity twice/],
            ["kubernetesApi on the central stack", { role: "central", stackReferences: ["x"], kubernetesApi: true, kubernetesAdmins: ["a"] },
                /scrape-anywhere:kubernetesApi: the central stack builds no cluster/],
            ["kubernetesApi that is not a boolean", twoClusters({ kubernetesApi: "yes" }), /scrape-anywhere:kubernetesApi: must be true or false, got "yes"/],
            ["apiOverZiti without an identity file", { role: "cluster", clusters: [{ name: "kubeB", context: "b", apiOverZiti: {} }] },
                /clusters\[0\]\.apiOverZiti\.identityFile: cluster "kubeB" is reached only over Ziti and needs an enrolled admin identity file/],
            ["apiOverZiti on a rendered cluster", { role: "cluster", clusters: [{ name: "kubeB", apiOverZiti: { identityFile: "b.json" } }] },
                /clusters\[0\]\.apiOverZiti: cluster "kubeB" is rendered to files .* there is no API server to reach over Ziti/],
            ["an unknown apiOverZiti key", { role: "cluster", clusters: [{ name: "kubeB", context: "b", apiOverZiti: { identityFile: "b.json", port: 1 } }] },
                /apiOverZiti\.port: unknown key; known: service, identityFile, tlsServerName, localPort/],
            ["two clusters on one tunnel port", { role: "dev", clusters: [
                { name: "kubeA", context: "a", apiOverZiti: { identityFile: "a.json", localPort: 16444 } },
                { name: "kubeB", context: "b", apiOverZiti: { identityFile: "b.json", localPort: 16444 } }] },
                /two clusters use the local tunnel port 16444/],
        ];
        for (const [what, raw, message] of cases) {
            it(`refuses ${what}`, function () {
                assert.throws(() => parseConfig(raw, raw.role === "cluster" ? "clusterB" : "dev"), message);
            });
        }
    });

    describe("dev stack with kubernetesApi", function () {
        let mocks: RecordingMocks;
        let program: Awaited<ReturnType<typeof importProgram>>;
        const policy = (name: string) => {
            const found = mocks.ofType(ZITI("ServicePolicy")).filter(r => r.inputs.name === name);
            assert.strictEqual(found.length, 1, `one service policy ${name}`);
            return found[0].inputs;
        };

        before(async function () {
            mocks = await useMocks("dev", { ...twoClusters(), clusters: [{ name: "kubeA" }, { name: "kubeB", kind: "dark", kubernetesAdmins: ["ops.admin"] }] });
            program = await importProgram();
            await valueOf(program.clusterOutputs!.kubeB.kubernetesApi);
            await mocks.settled();
        });

        it("creates <c>.k8s.svc with host.v1 to kubernetes.default.svc:443 (tcp) and intercept.v1 on <c>.k8s.svc.ziti:443", function () {
            for (const c of ["kubeA", "kubeB"]) {
                const svc = mocks.one(ZITI("Service"), `${c}-k8s-svc`).inputs;
                assert.strictEqual(svc.name, `${c}.k8s.svc`);
                assert.deepStrictEqual(svc.configs, [`${c}-k8s-intercept-id`, `${c}-k8s-host-id`, `${c}-k8s-proxy-id`]);
                // An admin's `ziti tunnel proxy` listens on loopback only, at the port derived from the service name.
                const proxy = mocks.one(ZITI("Config"), `${c}-k8s-proxy`).inputs;
                assert.deepStrictEqual([proxy.name, proxy.configType, proxy.data],
                    [`${c}.k8s.svc.proxy.v1`, "proxy.v1", { binding: "127.0.0.1", port: proxyPort(`${c}.k8s.svc`), protocols: ["tcp"] }]);
                const host = mocks.one(ZITI("Config"), `${c}-k8s-host`).inputs;
                assert.deepStrictEqual([host.name, host.configType, host.data], [`${c}.k8s.svc.host.v1`, "host.v1", { protocol: "tcp", address: "kubernetes.default.svc", port: 443 }]);
                const intercept = mocks.one(ZITI("Config"), `${c}-k8s-intercept`).inputs;
                assert.deepStrictEqual([intercept.configType, intercept.data],
                    ["intercept.v1", { protocols: ["tcp"], addresses: [`${c}.k8s.svc.ziti`], portRanges: [{ low: 443, high: 443 }] }]);
            }
        });

        it("lets only the cluster's tunneler bind it: ClusterA's existing ziti-host, ClusterB's new one", function () {
            assert.deepStrictEqual(policy("kubeA.k8s.bind"), { ...policy("kubeA.k8s.bind"), type: "Bind", serviceRoles: ["@kubeA.k8s.svc"], identityRoles: ["@kubeA.ziti.id"] });
            assert.deepStrictEqual(policy("kubeB.k8s.bind").identityRoles, ["@kubeB.ziti.id"]);
            // ClusterA has one tunneler for both services; ClusterB's tunneler exists only for the API.
            assert.deepStrictEqual(mocks.ofType(DEPLOYMENT).filter(d => d.name.endsWith("-ziti-host")).map(d => d.name).sort(), ["kubeA-ziti-host", "kubeB-ziti-host"]);
            const kubeBTunneler = mocks.one(ZITI("Identity"), "kubeB-ziti-id").inputs;
            assert.deepStrictEqual([kubeBTunneler.name, kubeBTunneler.roleAttributes], ["kubeB.ziti.id", undefined]);
            const binds = mocks.ofType(ZITI("ServicePolicy")).filter(p => p.inputs.type === "Bind" && p.inputs.identityRoles.includes("@kubeB.ziti.id"));
            assert.deepStrictEqual(binds.map(p => p.inputs.name), ["kubeB.k8s.bind"], "ClusterB's tunneler binds nothing but the API service");
        });

        it("grants Dial to the named admins only: @name roles, never an attribute, never a Prometheus identity", function () {
            assert.deepStrictEqual(policy("kubeA.k8s.dial"), { ...policy("kubeA.k8s.dial"), type: "Dial", serviceRoles: ["@kubeA.k8s.svc"], identityRoles: ["@ops.admin", "@dev.admin"] });
            assert.deepStrictEqual(policy("kubeB.k8s.dial").identityRoles, ["@ops.admin"]);
            // No other policy reaches an API service, and no attribute role (e.g. #prometheus-clients) names one.
            const touching = mocks.ofType(ZITI("ServicePolicy")).filter(p => p.inputs.serviceRoles.some((r: string) => /\.k8s\.svc$/.test(r)));
            assert.deepStrictEqual(touching.map(p => p.inputs.name).sort(), ["kubeA.k8s.bind", "kubeA.k8s.dial", "kubeB.k8s.bind", "kubeB.k8s.dial"]);
            for (const p of mocks.ofType(ZITI("ServicePolicy"))) {
                if (p.inputs.name.includes(".k8s.")) continue;
                assert.ok(!p.inputs.serviceRoles.some((r: string) => r.startsWith("#")), `${p.inputs.name} names services by @name, so it cannot reach an API service by attribute`);
            }
        });

        it("gives the API service its own edge router and service edge router policies, tunneler and admins included", function () {
            const erp = mocks.one(ZITI("EdgeRouterPolicy"), "kubeB-k8s-erp").inputs;
            assert.deepStrictEqual([erp.name, erp.edgeRouterRoles, erp.identityRoles], ["kubeB.k8s.edge-router-policy", ["#all"], ["@kubeB.ziti.id", "@ops.admin"]]);
            const serp = mocks.one(ZITI("ServiceEdgeRouterPolicy"), "kubeA-k8s-serp").inputs;
            assert.deepStrictEqual([serp.name, serp.serviceRoles], ["kubeA.k8s.service-edge-router-policy", ["@kubeA.k8s.svc"]]);
        });

        it("creates the admins as un-enrolled User identities with no role attributes, JWTs as a secret output", async function () {
            for (const n of ["ops.admin", "dev.admin"]) {
                const id = mocks.one(ZITI("Identity"), `k8s-admins-${n}`).inputs;
                assert.deepStrictEqual([id.name, id.type, id.enroll, id.roleAttributes], [n, "User", false, undefined]);
            }
            assert.deepStrictEqual(await Promise.all(program.kubernetesAdmins!.map(valueOf)), ["ops.admin", "dev.admin"]);
            const jwts = program.kubernetesAdminJwts!;
            assert.ok(await (jwts as any).isSecret, "the admins' JWTs are a secret output");
            assert.deepStrictEqual(await valueOf(jwts), { "ops.admin": `${JWT_MARKER}(ops.admin)`, "dev.admin": `${JWT_MARKER}(dev.admin)` });
        });

        it("exports per cluster the service name and the exact kubeztl and tunneler commands", async function () {
            const api = await valueOf(program.clusterOutputs!.kubeB.kubernetesApi!);
            const kubeconfig = YAML.parse(api.tunneler.kubeconfig);
            assert.deepStrictEqual(kubeconfig.clusters, [{ name: "kubeB-over-ziti", cluster: {
                server: "https://kubeB.k8s.svc.ziti:443", "tls-server-name": "kubernetes.default.svc", "certificate-authority": "<cluster-ca.crt>" } }]);
            assert.strictEqual(kubeconfig["current-context"], "kubeB-over-ziti");
            assert.deepStrictEqual({ ...api, tunneler: { ...api.tunneler, kubeconfig: undefined } }, {
                serviceName: "kubeB.k8s.svc",
                admins: ["ops.admin"],
                kubeztl: "kubeztl --zConfig ops.admin.json --service kubeB.k8s.svc --tls-server-name kubernetes.default.svc get pods -A",
                tunneler: {
                    interceptAddress: "kubeB.k8s.svc.ziti:443",
                    kubeconfig: undefined,
                    kubeconfigCommands: [
                        "kubectl config set-cluster kubeB-over-ziti --server https://kubeB.k8s.svc.ziti:443 --tls-server-name kubernetes.default.svc --certificate-authority <cluster-ca.crt> --embed-certs",
                        "kubectl config set-context kubeB-over-ziti --cluster kubeB-over-ziti --user <your-cluster-user>",
                    ],
                    kubectl: "kubectl --context kubeB-over-ziti get pods -A",
                },
                apiOverZiti: "pulumi config set --path 'scrape-anywhere:clusters[0].apiOverZiti.identityFile' ops.admin.json   # then: npm run api-tunnels -- --stack <stack> -- pulumi up --stack <stack>",
            });
        });

        it("still gives ClusterB no Kubernetes Service", function () {
            assert.deepStrictEqual(mocks.ofType("kubernetes:core/v1:Service").map(s => s.name), ["kubeA-prometheus-svc"]);
        });

        it("the ClusterB tunneler mounts its identity from a Secret and opens no port", function () {
            const pod = unsecret(mocks.one(DEPLOYMENT, "kubeB-ziti-host").inputs.spec.template.spec);
            assert.strictEqual(pod.automountServiceAccountToken, false);
            assert.ok(pod.containers.every((c: any) => !c.ports?.length), "no container port");
            assert.ok(!pod.hostNetwork);
            assert.strictEqual(pod.volumes[0].secret.secretName, "ziti-host-identity");
        });
    });

    describe("a cluster deployed through the local Ziti tunnel (apiOverZiti)", function () {
        let dir: string;
        before(function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-unit-kubeconfig-"));
            fs.writeFileSync(path.join(dir, "config"), KUBECONFIG, { mode: 0o600 });
        });
        after(function () {
            fs.rmSync(dir, { recursive: true, force: true });
            delete process.env.SCRAPE_ANYWHERE_API_ENDPOINTS;
        });
        const stack = () => ({
            role: "cluster",
            flavor: "article",
            clusters: [{ name: "kubeB", kind: "dark", kubeconfig: path.join(dir, "config"), apiOverZiti: { identityFile: "ops.admin.json" } }],
            kubernetesApi: true,
            kubernetesAdmins: ["ops.admin"],
        });

        it("points the provider at the tunnel's loopback address, keeping the admin's credentials and checking the cert as kubernetes.default.svc", async function () {
            process.env.SCRAPE_ANYWHERE_API_ENDPOINTS = JSON.stringify({ kubeB: "127.0.0.1:16443" });
            const mocks = await useMocks("clusterB", stack());
            const program = await importProgram();
            await valueOf(program.federationTarget);
            await mocks.settled();
            const [provider] = mocks.ofType("pulumi:providers:kubernetes");
            assert.strictEqual(provider.inputs.clusterIdentifier, "kubeB", "the provider is identified by the cluster, so a new tunnel address is an update");
            const kc = YAML.parse(unsecret(provider.inputs.kubeconfig));
            assert.deepStrictEqual(kc.clusters, [{ name: "kubeB", cluster: { server: "https://127.0.0.1:16443", "certificate-authority-data": "Q0EK", "tls-server-name": "kubernetes.default.svc" } }]);
            assert.deepStrictEqual(kc.users, [{ name: "kubeB-admin", user: { "client-certificate-data": "Q0VSVAo=", "client-key-data": "S0VZCg==" } }]);
            assert.strictEqual(kc["current-context"], "kubeB");
            assert.deepStrictEqual(program.kubernetes, { context: "(kubeconfig default)", apiOverZiti: { service: "kubeB.k8s.svc", localPort: proxyPort("kubeB.k8s.svc") } });
        });

        it("fails at preview, naming the fix, when no tunnel endpoint was handed over", async function () {
            delete process.env.SCRAPE_ANYWHERE_API_ENDPOINTS;
            await useMocks("clusterB", stack());
            await assert.rejects(importProgram(), /cluster "kubeB": its API server is reached only over Ziti \(apiOverZiti, service kubeB.k8s.svc\) but no local tunnel is running: .*ziti tunnel proxy kubeB.k8s.svc:<port> -i ops.admin.json/);
            process.env.SCRAPE_ANYWHERE_API_ENDPOINTS = JSON.stringify({ kubeA: "127.0.0.1:16443" });
            await useMocks("clusterB", stack());
            await assert.rejects(importProgram(), /SCRAPE_ANYWHERE_API_ENDPOINTS has no tunnel endpoint for it/);
        });

        it("fails naming the context when the kubeconfig lacks it", async function () {
            process.env.SCRAPE_ANYWHERE_API_ENDPOINTS = JSON.stringify({ kubeB: "127.0.0.1:16443" });
            const s = stack();
            (s.clusters[0] as any).context = "kubeZ";
            await useMocks("clusterB", s);
            await assert.rejects(importProgram(), /has no context "kubeZ" \(contexts: kubeB, other\)/);
        });
    });

    describe("a cluster deployed through its own API service", function () {
        it("has its namespace wait for the service's entities, and keeps the namespace and the tunneler on delete", async function () {
            const { deployThroughOptions } = await import("../../components/kubernetesApi");
            const entities = [{ urn: "svc" }, { urn: "dial" }] as any[];
            const api = { entities } as any;
            const base = { parent: undefined };
            assert.deepStrictEqual(deployThroughOptions(api, true, base), {
                ns: { parent: undefined, dependsOn: entities, retainOnDelete: true },
                tunneler: { parent: undefined, retainOnDelete: true },
            });
            // Reached directly (or rendered): nothing changes.
            assert.deepStrictEqual(deployThroughOptions(api, false, base), { ns: base, tunneler: base });
            assert.deepStrictEqual(deployThroughOptions(undefined, true, base), { ns: base, tunneler: base });
        });

        it("is what createClusterZiti hands the namespace: every entity of the plan's API path and the tunneler", async function () {
            await useMocks("dev", {});
            const pulumi = await import("@pulumi/pulumi");
            const { clusterPlan } = await import("../../plan/places");
            const { createClusterZiti } = await import("../../components/zitiEntities");
            const serviceNames = { reflect: "kubeB.reflect.svc", reflectScrape: "kubeB.reflect.scrape.svc", prometheus: "kubeB.prometheus.svc" };
            const plan = clusterPlan("upstream", {
                kind: "dark", resourcePrefix: "kubeB", name: "kubeB", namespace: "monitoring", serviceNames, images: {}, scrapeInterval: "15s",
                edgeRouterRoles: ["#all"], kubernetesApi: { serviceName: "kubeB.k8s.svc" }, networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
            }, ["ops.admin"]);
            const parent = new pulumi.ComponentResource("test:index:Cluster", "kubeB");
            const provider = {} as any;
            const args = { clusterName: "kubeB", serviceNames, provider, kubernetesApi: { serviceName: "kubeB.k8s.svc", admins: ["ops.admin"], deployThrough: true } };
            const ziti = createClusterZiti(plan, args, parent);
            const deps = ziti.through.ns.dependsOn as any[];
            const names = await Promise.all(deps.map(d => valueOf(d.name as any)));
            assert.deepStrictEqual(names, [...plan.kubernetesApiEntities.map(e => e.name), "kubeB.ziti.id"]);
            assert.strictEqual(ziti.through.ns.retainOnDelete, true);
            assert.strictEqual(ziti.through.tunneler.retainOnDelete, true);
            assert.strictEqual(ziti.through.ns.provider, provider);
        });
    });

    describe("bad config stops the program at preview", function () {
        it("an unknown admin in a cluster's list", async function () {
            await useMocks("dev", { ...twoClusters({ clusters: [{ name: "kubeA", kubernetesAdmins: ["mallory"] }] }) });
            await assert.rejects(importProgram(), /unknown admin "mallory" for cluster "kubeA"/);
        });
        it("the feature on with no admin", async function () {
            await useMocks("dev", { ...twoClusters({ kubernetesAdmins: [] }) });
            await assert.rejects(importProgram(), /kubernetesApi is on but no admin may dial/);
        });
    });
});
