// CentralPrometheus under mocks: the Docker placement (mocks only: no Docker engine here) and the
// Kubernetes placement, both dark and over Ziti only.
import * as assert from "assert";
import { PROMETHEUS_IMAGE } from "../../flavors/article/prometheus";
import * as YAML from "yaml";
import { KEY_MARKER, RecordingMocks, unsecret, useMocks, ZITI } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";

type Components = typeof import("../../components");

const targets = [
    { clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc-", reflectzScrapeTarget: "kubeA.reflect.scrape.svc-kubeA.reflect.id" },
    { clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc-kubeB.prometheus.id", reflectzScrapeTarget: "kubeB.reflect.scrape.svc-kubeB.reflect.id" },
];

describe("CentralPrometheus", function () {
    let c: Components;
    let mocks: RecordingMocks;

    describe("Docker placement", function () {
        let container: Record<string, any>;
        let central: import("../../components").CentralPrometheus;

        before(async function () {
            mocks = await useMocks("unit");
            c = await import("../../components");
            central = new c.CentralPrometheus("central", { flavor: "article", clusters: targets, placement: { kind: "docker" } });
            await valueOf(central.prometheusConfig);
            await mocks.settled();
            container = unsecret(mocks.one("docker:index/container:Container", "central-prometheus").inputs);
        });

        it("registers a component of type scrape-anywhere:central:CentralPrometheus", function () {
            mocks.one("scrape-anywhere:central:CentralPrometheus", "central");
        });

        it("publishes no port and stays off the host network", function () {
            assert.strictEqual(container.ports, undefined);
            assert.notStrictEqual(container.networkMode, "host");
            assert.strictEqual(container.image, PROMETHEUS_IMAGE);
        });

        it("uploads prometheus.yml and the identity JSON into the container", function () {
            const files = Object.fromEntries(container.uploads.map((u: any) => [u.file, u.content]));
            assert.deepStrictEqual(Object.keys(files).sort(), ["/etc/config/prometheus.yml", "/etc/ziti/identity.json"]);
            assert.ok(JSON.parse(files["/etc/ziti/identity.json"]).id.key.includes(KEY_MARKER));
            const parsed = YAML.parse(files["/etc/config/prometheus.yml"]);
            assert.deepStrictEqual(parsed.scrape_configs.map((j: any) => j.static_configs[0].targets[0]), [
                "kubeA.prometheus.svc-", "kubeA.reflect.scrape.svc-kubeA.reflect.id",
                "kubeB.prometheus.svc-kubeB.prometheus.id", "kubeB.reflect.scrape.svc-kubeB.reflect.id",
            ]);
        });

        it("listens on the overlay only, and keeps identity material out of env and command", function () {
            assert.deepStrictEqual(container.envs, [
                "ZITI_LISTENER_SERVICE_NAME=central.prometheus.svc",
                "ZITI_LISTENER_IDENTITY_FILE=/etc/ziti/identity.json",
                "ZITI_LISTENER_IDENTITY_NAME=central.prometheus.id",
            ]);
            assert.ok(!JSON.stringify([container.envs, container.command]).includes(KEY_MARKER));
        });

        it("has its own identity with both client attributes and a service only #prometheus-clients may dial", async function () {
            const id = mocks.one(ZITI("Identity"), "central-prometheus-id").inputs;
            assert.strictEqual(id.name, "central.prometheus.id");
            assert.deepStrictEqual(id.roleAttributes, ["reflectz-clients", "prometheus-clients"]);
            const dial = mocks.one(ZITI("ServicePolicy"), "central-prometheus-dial").inputs;
            assert.deepStrictEqual([dial.type, dial.serviceRoles, dial.identityRoles], ["Dial", ["@central.prometheus.svc"], ["#prometheus-clients"]]);
            assert.strictEqual(await valueOf(central.target), "central.prometheus.svc-central.prometheus.id");
        });
    });

    describe("Kubernetes placement", function () {
        before(async function () {
            mocks = await useMocks("unit");
            c = await import("../../components");
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("hub-k8s", { renderYamlToDirectory: "rendered/unit/hub" });
            const central = new c.CentralPrometheus("hub", { flavor: "article", clusters: targets, placement: { kind: "kubernetes", provider } });
            await valueOf(central.prometheusConfig);
            await mocks.settled();
        });

        it("runs a dark Prometheus Deployment: ZITI_LISTENER_* env, zitified reload, no Service", function () {
            assert.strictEqual(mocks.ofType("kubernetes:core/v1:Service").length, 0);
            const pod = unsecret(mocks.one("kubernetes:apps/v1:Deployment", "hub-prometheus").inputs.spec.template.spec);
            const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
            assert.strictEqual(env.ZITI_LISTENER_SERVICE_NAME, "hub.prometheus.svc");
            assert.strictEqual(pod.containers[1].image, "openziti/configmap-reloadz:latest-amd64");
            assert.ok(!pod.hostNetwork);
        });

        it("keeps identity JSON in the Secret only", function () {
            const holders = mocks.resources.filter(r => JSON.stringify(unsecret(r.inputs) ?? {}).includes(KEY_MARKER)).map(r => r.type);
            assert.deepStrictEqual([...new Set(holders)], ["kubernetes:core/v1:Secret"]);
        });
    });

    describe("argument checks", function () {
        before(async function () {
            mocks = await useMocks("unit");
            c = await import("../../components");
        });

        it("rejects a central Prometheus with no clusters", function () {
            assert.throws(() => new c.CentralPrometheus("empty", { flavor: "article", clusters: [], placement: { kind: "docker" } }), /has no clusters/);
        });

        it("rejects a central name with '-'", function () {
            assert.throws(() => new c.CentralPrometheus("hq-central", { flavor: "article", clusters: targets, placement: { kind: "docker" } }), /contains '-'/);
        });

        it("rejects an empty image", function () {
            assert.throws(() => new c.CentralPrometheus("hq", { flavor: "article", clusters: targets, image: "", placement: { kind: "docker" } }), /image is empty/);
        });

        it("fails when a cluster target handed over as an output is not `service-terminator`", async function () {
            const pulumi = await import("@pulumi/pulumi");
            const central = new c.CentralPrometheus("hq2", {
                flavor: "article",
                clusters: [pulumi.output({ ...targets[0], federationTarget: "kubeA.prometheus.svc" })],
                placement: { kind: "docker" },
            });
            await assert.rejects(valueOf(central.prometheusConfig), /not a prometheuz target/);
        });

        it("without flavor or image runs the default flavor's Prometheus (upstream's prom/prometheus, not prometheuz)", async function () {
            const { PROMETHEUS3_IMAGE } = await import("../../flavors/upstream/workloads/prometheus");
            new c.CentralPrometheus("hq3", {
                clusters: [{ clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc", reflectzScrapeTarget: "kubeA.exporter.svc" }],
                placement: { kind: "docker" },
            });
            await mocks.settled();
            const containers = mocks.ofType("docker:index/container:Container").filter(r => r.name.startsWith("hq3"));
            // Two never-started file holders (the tunneler's image), Prometheus, its tunneler sidecar.
            assert.deepStrictEqual(containers.map(r => [r.inputs.image, r.inputs.start ?? true]),
                [["openziti/ziti-tunnel:1.7.2", false], ["openziti/ziti-tunnel:1.7.2", false], [PROMETHEUS3_IMAGE, true], ["openziti/ziti-tunnel:1.7.2", true]]);
        });
    });
});
