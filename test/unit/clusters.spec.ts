// HybridCluster and DarkCluster under mocks: what they register, and what they never register.
import * as assert from "assert";
import { zitiToken } from "../../provider/kinds";
import { PROMETHEUS_IMAGE } from "../../flavors/article/prometheus";
import * as YAML from "yaml";
import { KEY_MARKER, RecordingMocks, unsecret, useMocks, ZITI } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";

type Components = typeof import("../../components");

const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

/** Every pod spec registered (Deployments, and any other workload kinds). */
function podSpecs(mocks: RecordingMocks) {
    return mocks.resources
        .filter(r => r.type.startsWith("kubernetes:") && r.inputs?.spec?.template?.spec)
        .map(r => ({ name: r.name, spec: unsecret(r.inputs.spec.template.spec) }));
}

/** Resources whose inputs mention the fake private key, by type. */
function keyHolders(mocks: RecordingMocks): string[] {
    return mocks.resources.filter(r => JSON.stringify(unsecret(r.inputs) ?? {}).includes(KEY_MARKER)).map(r => r.type);
}

describe("cluster components", function () {
    let c: Components;
    let mocks: RecordingMocks;

    describe("HybridCluster (ClusterA)", function () {
        let cluster: import("../../components").HybridCluster;

        before(async function () {
            mocks = await useMocks("unit");
            c = await import("../../components");
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("kubeA-k8s", { renderYamlToDirectory: "rendered/unit/kubeA" });
            cluster = new c.HybridCluster("kubeA", { flavor: "article", provider, namespace: "monitoring" });
            await valueOf(cluster.prometheusConfig);
            await mocks.settled();
        });

        it("registers a component of type scrape-anywhere:cluster:HybridCluster", function () {
            assert.strictEqual(mocks.one("scrape-anywhere:cluster:HybridCluster", "kubeA").name, "kubeA");
        });

        it("fronts Prometheus with one ClusterIP Service, port 80 -> 9090, selecting the Prometheus pods", function () {
            const services = mocks.ofType(SERVICE);
            assert.deepStrictEqual(services.map(s => s.name), ["kubeA-prometheus-svc"]);
            const spec = services[0].inputs.spec;
            assert.strictEqual(spec.type, "ClusterIP");
            assert.deepStrictEqual(spec.ports.map((p: any) => [p.port, p.targetPort, p.protocol]), [[80, 9090, "TCP"]]);
            const deployment = mocks.one(DEPLOYMENT, "kubeA-prometheus");
            assert.deepStrictEqual(spec.selector, deployment.inputs.spec.template.metadata.labels);
        });

        it("runs a plain configmap-reload sidecar that calls Prometheus on 127.0.0.1", function () {
            const pod = unsecret(mocks.one(DEPLOYMENT, "kubeA-prometheus").inputs.spec.template.spec);
            const reload = pod.containers.find((x: any) => x.name === "configmap-reload");
            assert.ok(reload.args.includes("--webhook-url=http://127.0.0.1:9090/-/reload"), reload.args.join(" "));
            const prometheus = pod.containers.find((x: any) => x.name === "prometheus");
            assert.strictEqual(prometheus.image, PROMETHEUS_IMAGE);
            assert.strictEqual(prometheus.env, undefined, "a hybrid Prometheus has no ZITI_LISTENER_* env");
        });

        it("runs a tunneler that binds kubeA.prometheus.svc and forwards (host.v1) to the ClusterIP Service", function () {
            mocks.one(DEPLOYMENT, "kubeA-ziti-host");
            const host = mocks.one(ZITI("Config"), "kubeA-prometheus-host").inputs;
            assert.strictEqual(host.configType, "host.v1");
            assert.deepStrictEqual(host.data, { protocol: "tcp", address: "prometheus.monitoring.svc", port: 80 });
            const bind = mocks.one(ZITI("ServicePolicy"), "kubeA-prometheus-bind").inputs;
            assert.strictEqual(bind.type, "Bind");
            assert.deepStrictEqual(bind.serviceRoles, ["@kubeA.prometheus.svc"]);
            assert.deepStrictEqual(bind.identityRoles, ["@kubeA.ziti.id"]);
        });

        it("gives Prometheus a ServiceAccount bound to a ClusterRole that can list the Kubernetes API", function () {
            const sa = mocks.one("kubernetes:core/v1:ServiceAccount", "kubeA-prometheus-sa");
            const role = mocks.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kubeA-prometheus-role").inputs;
            const binding = mocks.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kubeA-prometheus-binding").inputs;
            assert.ok(role.rules.some((r: any) => r.resources?.includes("endpoints") && r.verbs.includes("list")));
            assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: sa.inputs.metadata.name, namespace: "monitoring" }]);
            const pod = mocks.one(DEPLOYMENT, "kubeA-prometheus").inputs.spec.template.spec;
            assert.strictEqual(pod.serviceAccountName, "prometheus");
        });

        it("creates the walkthrough's Ziti identities, services and grants", function () {
            const names = (kind: string) => mocks.ofType(ZITI(kind)).map(r => r.inputs.name).sort();
            assert.deepStrictEqual(names("Identity"), ["kubeA.prometheus.id", "kubeA.reflect.id", "kubeA.ziti.id"]);
            assert.deepStrictEqual(names("Service"), ["kubeA.prometheus.svc", "kubeA.reflect.scrape.svc", "kubeA.reflect.svc"]);
            const policies = Object.fromEntries(mocks.ofType(ZITI("ServicePolicy")).map(r => [r.inputs.name, r.inputs]));
            assert.deepStrictEqual(policies["kubeA.reflect.bind"].identityRoles, ["@kubeA.reflect.id"]);
            assert.deepStrictEqual(policies["kubeA.reflect.dial"].identityRoles, ["#reflectz-clients"]);
            assert.deepStrictEqual(policies["kubeA.prometheus.dial"].identityRoles, ["#prometheus-clients"]);
            assert.deepStrictEqual(policies["kubeA.reflect.dial"].serviceRoles, ["@kubeA.reflect.svc", "@kubeA.reflect.scrape.svc"]);
            const prom = mocks.one(ZITI("Identity"), "kubeA-prometheus-id").inputs;
            assert.deepStrictEqual(prom.roleAttributes, ["reflectz-clients", "prometheus-clients"]);
            const erp = mocks.one(ZITI("EdgeRouterPolicy"), "kubeA-erp").inputs;
            assert.deepStrictEqual(erp.edgeRouterRoles, ["#all"]);
            assert.strictEqual(erp.identityRoles.length, 3);
            const serp = mocks.one(ZITI("ServiceEdgeRouterPolicy"), "kubeA-serp").inputs;
            assert.strictEqual(serp.serviceRoles.length, 3);
        });

        it("intercepts the scrape service dialling reflectz's own identity as terminator", function () {
            const cfg = mocks.one(ZITI("Config"), "kubeA-reflect-scrape-intercept").inputs;
            assert.strictEqual(cfg.configType, "intercept.v1");
            assert.deepStrictEqual(cfg.data.dialOptions, { identity: "kubeA.reflect.id" });
            assert.deepStrictEqual(cfg.data.portRanges, [{ low: 80, high: 80 }]);
        });

        it("renders a Prometheus config that scrapes reflectz over Ziti and the Kubernetes API over the underlay", async function () {
            const cm = mocks.one(CONFIGMAP, "kubeA-prometheus-config").inputs;
            const parsed = YAML.parse(cm.data["prometheus.yml"]);
            assert.deepStrictEqual(parsed.global.external_labels, { cluster: "kubeA" });
            const jobs = Object.fromEntries(parsed.scrape_configs.map((j: any) => [j.job_name, j]));
            const reflectz = jobs["kubeA.reflectz"];
            assert.strictEqual(reflectz.scheme, "ziti");
            assert.strictEqual(reflectz.honor_labels, true);
            assert.deepStrictEqual(reflectz.params, { "ziti-config": ["/etc/ziti/identity.json"] });
            assert.deepStrictEqual(reflectz.static_configs[0].targets, ["kubeA.reflect.scrape.svc-kubeA.reflect.id"]);
            assert.strictEqual(jobs["kubernetes-apiservers"].scheme, "https");
            assert.strictEqual(await valueOf(cluster.prometheusConfig), cm.data["prometheus.yml"]);
        });

        it("exports the federation target `svc-` (the tunneler binds with no terminator)", async function () {
            assert.strictEqual(await valueOf(cluster.federationTarget), "kubeA.prometheus.svc-");
            assert.strictEqual(await valueOf(cluster.reflectzScrapeTarget), "kubeA.reflect.scrape.svc-kubeA.reflect.id");
            assert.deepStrictEqual(await valueOf(cluster.serviceNames),
                { reflect: "kubeA.reflect.svc", reflectScrape: "kubeA.reflect.scrape.svc", prometheus: "kubeA.prometheus.svc" });
        });

        it("puts identity JSON only into Secrets (never ConfigMap data, env values or args)", function () {
            const holders = keyHolders(mocks).filter(t => t !== ZITI("Identity"));
            assert.deepStrictEqual([...new Set(holders)], [SECRET]);
            const secrets = mocks.ofType(SECRET).map(s => s.inputs.metadata.name).sort();
            assert.deepStrictEqual(secrets, ["prometheus-identity", "reflectz-identity", "ziti-host-identity"]);
            for (const s of mocks.ofType(SECRET)) {
                const data = unsecret(s.inputs.stringData);
                assert.ok(JSON.parse(data["identity.json"]).id.key.includes(KEY_MARKER), s.name);
            }
        });

        it("runs reflectz as its own component with its identity in a Secret and no port", function () {
            mocks.one("scrape-anywhere:workload:Reflectz", "kubeA-reflectz");
            const pod = unsecret(mocks.one(DEPLOYMENT, "kubeA-reflectz-deployment").inputs.spec.template.spec);
            assert.strictEqual(pod.containers[0].ports, undefined);
            assert.deepStrictEqual(pod.volumes, [{
                name: "ziti-identity",
                secret: { secretName: "reflectz-identity", defaultMode: 0o440, items: [{ key: "identity.json", path: "reflect-server.json" }] },
            }]);
            mocks.one(SECRET, "kubeA-reflectz-identity");
        });

        it("gives every child a name prefixed with the component name", function () {
            // Not a child: the stack's one OwnerId (provider/ownerId.ts), made with the first Ziti resource of the process
            // (here when this spec runs alone, in an earlier spec in the whole tier).
            const children = mocks.resources.filter(r => r.type !== "pulumi:providers:kubernetes" && r.name !== "kubeA" && r.type !== zitiToken("OwnerId"));
            for (const r of children) assert.ok(r.name.startsWith("kubeA-"), `${r.type} ${r.name}`);
        });
    });

    describe("DarkCluster (ClusterB)", function () {
        let cluster: import("../../components").DarkCluster;

        before(async function () {
            mocks = await useMocks("unit");
            c = await import("../../components");
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("kubeB-k8s", { renderYamlToDirectory: "rendered/unit/kubeB" });
            cluster = new c.DarkCluster("kubeB", { flavor: "article", provider });
            await valueOf(cluster.prometheusConfig);
            await mocks.settled();
        });

        it("registers a component of type scrape-anywhere:cluster:DarkCluster", function () {
            mocks.one("scrape-anywhere:cluster:DarkCluster", "kubeB");
        });

        it("registers no Service, no Ingress and no tunneler", function () {
            const kinds = mocks.resources.map(r => r.type);
            assert.ok(!kinds.includes(SERVICE), "a Service");
            assert.ok(!kinds.some(k => /:Ingress$/.test(k)), "an Ingress");
            assert.deepStrictEqual(mocks.ofType(DEPLOYMENT).map(d => d.name).sort(), ["kubeB-prometheus", "kubeB-reflectz-deployment"]);
            assert.ok(!mocks.ofType(ZITI("Identity")).some(i => i.inputs.name === "kubeB.ziti.id"));
        });

        it("uses no hostPort, no hostNetwork and exposes no container port", function () {
            const specs = podSpecs(mocks);
            assert.ok(specs.length >= 2);
            for (const { name, spec } of specs) {
                assert.ok(!spec.hostNetwork, `${name} hostNetwork`);
                for (const container of spec.containers) {
                    assert.strictEqual(container.ports, undefined, `${name}/${container.name} ports`);
                }
            }
        });

        it("makes Prometheus listen only on the overlay (ZITI_LISTENER_*)", function () {
            const pod = unsecret(mocks.one(DEPLOYMENT, "kubeB-prometheus").inputs.spec.template.spec);
            const prometheus = pod.containers.find((x: any) => x.name === "prometheus");
            assert.deepStrictEqual(Object.fromEntries(prometheus.env.map((e: any) => [e.name, e.value])), {
                ZITI_LISTENER_SERVICE_NAME: "kubeB.prometheus.svc",
                ZITI_LISTENER_IDENTITY_FILE: "/etc/ziti/identity.json",
                ZITI_LISTENER_IDENTITY_NAME: "kubeB.prometheus.id",
            });
            const bind = mocks.one(ZITI("ServicePolicy"), "kubeB-prometheus-bind").inputs;
            assert.deepStrictEqual(bind.identityRoles, ["@kubeB.prometheus.id"]);
        });

        it("reloads through a zitified configmap-reload that dials the Prometheus service with a mounted identity", function () {
            const pod = unsecret(mocks.one(DEPLOYMENT, "kubeB-prometheus").inputs.spec.template.spec);
            const reload = pod.containers.find((x: any) => x.name === "configmap-reload");
            assert.strictEqual(reload.image, "openziti/configmap-reloadz:latest-amd64");
            // Without --ziti.service it would dial a service named `configmap-reload`; the webhook URL's host is not dialled.
            assert.ok(reload.args.includes("--ziti.service=kubeB.prometheus.svc"), reload.args.join(" "));
            assert.ok(reload.args.includes("--ziti.target.identity=kubeB.prometheus.id"), reload.args.join(" "));
            assert.ok(reload.args.includes("--ziti.identity.file=/etc/ziti/identity.json"), reload.args.join(" "));
            assert.ok(reload.volumeMounts.some((m: any) => m.mountPath === "/etc/ziti" && m.name === "ziti-identity"));
        });

        it("exports the federation target with Prometheus' own identity as terminator", async function () {
            assert.strictEqual(await valueOf(cluster.federationTarget), "kubeB.prometheus.svc-kubeB.prometheus.id");
        });

        it("puts identity JSON only into Secrets", function () {
            const holders = keyHolders(mocks).filter(t => t !== ZITI("Identity"));
            assert.deepStrictEqual([...new Set(holders)], [SECRET]);
            assert.deepStrictEqual(mocks.ofType(SECRET).map(s => s.inputs.metadata.name).sort(), ["prometheus-identity", "reflectz-identity"]);
        });
    });

    describe("argument checks", function () {
        before(async function () {
            mocks = await useMocks("unit");
            c = await import("../../components");
        });

        it("rejects a cluster name with '-' before creating anything", async function () {
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("bad-k8s", { renderYamlToDirectory: "rendered/unit/bad" });
            assert.throws(() => new c.HybridCluster("kube-a", { flavor: "article", provider }), /cluster name "kube-a" contains '-'.*prometheuz/);
            assert.throws(() => new c.DarkCluster("ok", { flavor: "article", provider, clusterName: "kube-b" }), /contains '-'/);
        });

        it("rejects a service name with '-'", async function () {
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("svc-k8s", { renderYamlToDirectory: "rendered/unit/svc" });
            assert.throws(() => new c.DarkCluster("kubeC", { flavor: "article", provider, serviceNames: { prometheus: "kubeC.prom-svc" } }),
                /serviceNames.prometheus "kubeC.prom-svc" contains '-'/);
        });

        it("rejects an empty image", async function () {
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("img-k8s", { renderYamlToDirectory: "rendered/unit/img" });
            assert.throws(() => new c.HybridCluster("kubeD", { flavor: "article", provider, images: { prometheus: "" } }), /images.prometheus is empty/);
        });

        it("requires the cluster's provider", function () {
            assert.throws(() => new c.DarkCluster("kubeE", {} as any), /provider is required/);
        });

        it("throws pulumi.ResourceError, so the engine reports it against the component", async function () {
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("err-k8s", { renderYamlToDirectory: "rendered/unit/err" });
            const pulumi = await import("@pulumi/pulumi");
            assert.throws(() => new c.HybridCluster("kube-f", { flavor: "article", provider }), (e: unknown) => e instanceof pulumi.ResourceError);
        });
    });
});
