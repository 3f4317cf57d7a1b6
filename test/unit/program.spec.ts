// index.ts under mocks, in each stack role, with the stack files' own config.
import * as assert from "assert";
import * as YAML from "yaml";
import { importProgram, JWT_MARKER, RecordingMocks, unsecret, useMocks, ZITI } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";
import { stackFileConfig } from "../helpers/planEntities";
import { ZITI_KINDS } from "../../provider/kinds";

/** A stack file's settings, with the article flavor this spec asserts (the default upstream flavor: upstreamProgram.spec.ts). */
function stackFile(stack: string): Record<string, unknown> {
    return { ...stackFileConfig(stack), flavor: "article" };
}

function renderDirs(mocks: RecordingMocks): string[] {
    return mocks.ofType("pulumi:providers:kubernetes").map(p => p.inputs.renderYamlToDirectory).sort();
}

describe("program (index.ts)", function () {
    let mocks: RecordingMocks;

    describe("dev stack: the whole topology in one stack", function () {
        let program: Awaited<ReturnType<typeof importProgram>>;

        before(async function () {
            mocks = await useMocks("dev", stackFile("dev"));
            program = await importProgram();
            await valueOf(program.centralPrometheus!.federates);
            await mocks.settled();
        });

        it("builds kubeA as a HybridCluster, kubeB as a DarkCluster and the central Prometheus", function () {
            mocks.one("scrape-anywhere:cluster:HybridCluster", "kubeA");
            mocks.one("scrape-anywhere:cluster:DarkCluster", "kubeB");
            mocks.one("scrape-anywhere:central:CentralPrometheus", "central");
            assert.strictEqual(program.role, "dev");
        });

        it("renders each cluster through its own provider into rendered/dev/<cluster>", function () {
            assert.deepStrictEqual(renderDirs(mocks), ["rendered/dev/central", "rendered/dev/kubeA", "rendered/dev/kubeB"]);
            const providerOf = (name: string) => mocks.one("kubernetes:apps/v1:Deployment", name).provider ?? "";
            assert.match(providerOf("kubeA-prometheus"), /::kubeA-k8s::/);
            assert.match(providerOf("kubeB-prometheus"), /::kubeB-k8s::/);
            assert.match(providerOf("central-prometheus"), /::central-k8s::/);
        });

        it("federates both clusters and scrapes both reflectz from the central Prometheus", function () {
            const cm = mocks.one("kubernetes:core/v1:ConfigMap", "central-prometheus-config").inputs;
            const jobs = YAML.parse(unsecret(cm.data)["prometheus.yml"]).scrape_configs;
            assert.deepStrictEqual(jobs.map((j: any) => [j.job_name, j.static_configs[0].targets[0]]), [
                ["kubeA.federate", "kubeA.prometheus.svc-"],
                ["kubeA.reflectz", "kubeA.reflect.scrape.svc-kubeA.reflect.id"],
                ["kubeB.federate", "kubeB.prometheus.svc-kubeB.prometheus.id"],
                ["kubeB.reflectz", "kubeB.reflect.scrape.svc-kubeB.reflect.id"],
            ]);
        });

        it("creates the human client identity un-enrolled with both client attributes and exports its JWT as a secret", async function () {
            const client = mocks.one(ZITI("Identity"), "clients-dev.client").inputs;
            assert.deepStrictEqual([client.name, client.type, client.enroll, client.roleAttributes],
                ["dev.client", "User", false, ["reflectz-clients", "prometheus-clients"]]);
            assert.deepStrictEqual(await valueOf(program.clientIdentities), ["dev.client"]);
            const pulumi = await import("@pulumi/pulumi");
            assert.strictEqual(await (program.clientEnrollmentJwts as any).isSecret, true);
            assert.ok(pulumi.Output.isInstance(program.clientEnrollmentJwts));
            const jwts = await valueOf(program.clientEnrollmentJwts!);
            assert.ok(jwts["dev.client"].includes(JWT_MARKER));
        });

        it("exports every cluster's targets and render folder", async function () {
            const kubeB = program.clusterOutputs!.kubeB;
            assert.strictEqual(await valueOf(kubeB.federationTarget), "kubeB.prometheus.svc-kubeB.prometheus.id");
            assert.deepStrictEqual(kubeB.kubernetes, { renderDirectory: "rendered/dev/kubeB" });
            assert.strictEqual(program.clusterName, undefined, "cluster-stack outputs stay empty in dev");
        });

        it("creates every Ziti entity once, with names unique on the network", function () {
            for (const { kind } of ZITI_KINDS) {
                const names = mocks.ofType(ZITI(kind)).map(r => r.inputs.name);
                assert.strictEqual(new Set(names).size, names.length, `${kind}: ${names.join(", ")}`);
            }
            assert.strictEqual(mocks.ofType(ZITI("Service")).length, 9, "3 per cluster, the central one, and each cluster's Kubernetes API service");
        });
    });

    describe("cluster stack (clusterA)", function () {
        let program: Awaited<ReturnType<typeof importProgram>>;

        before(async function () {
            mocks = await useMocks("clusterA", stackFile("clusterA"));
            program = await importProgram();
            await valueOf(program.federationTarget);
            await mocks.settled();
        });

        it("builds only its cluster, rendered into rendered/clusterA/kubeA", function () {
            mocks.one("scrape-anywhere:cluster:HybridCluster", "kubeA");
            assert.strictEqual(mocks.ofType("scrape-anywhere:central:CentralPrometheus").length, 0);
            assert.deepStrictEqual(renderDirs(mocks), ["rendered/clusterA/kubeA"]);
        });

        it("exports what the central stack reads", async function () {
            assert.strictEqual(await valueOf(program.clusterName), "kubeA");
            assert.strictEqual(await valueOf(program.federationTarget), "kubeA.prometheus.svc-");
            assert.strictEqual(await valueOf(program.reflectzScrapeTarget), "kubeA.reflect.scrape.svc-kubeA.reflect.id");
            assert.deepStrictEqual(await valueOf(program.services),
                { reflect: "kubeA.reflect.svc", reflectScrape: "kubeA.reflect.scrape.svc", prometheus: "kubeA.prometheus.svc" });
            assert.strictEqual(program.centralPrometheus, undefined);
        });
    });

    describe("cluster stack on a real cluster", function () {
        it("uses the configured context and secret kubeconfig instead of rendering", async function () {
            mocks = await useMocks("clusterB", { role: "cluster", clusters: [{ name: "kubeB", kind: "dark", context: "kind-kubeB", kubeconfig: "/home/me/.kube/config" }] });
            const program = await importProgram();
            await valueOf(program.federationTarget);
            await mocks.settled();
            const [provider] = mocks.ofType("pulumi:providers:kubernetes");
            assert.strictEqual(provider.inputs.context, "kind-kubeB");
            assert.strictEqual(provider.inputs.renderYamlToDirectory, undefined);
            assert.strictEqual(unsecret(provider.inputs.kubeconfig), "/home/me/.kube/config");
            assert.deepStrictEqual(program.kubernetes, { context: "kind-kubeB" });
        });
    });

    describe("central stack: targets from StackReferences", function () {
        let program: Awaited<ReturnType<typeof importProgram>>;

        before(async function () {
            mocks = await useMocks("central", stackFile("central"));
            mocks.stackOutputs = {
                "organization/scrape-anywhere/clusterA": {
                    clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc-",
                    reflectzScrapeTarget: "kubeA.reflect.scrape.svc-kubeA.reflect.id",
                },
                "organization/scrape-anywhere/clusterB": {
                    clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc-kubeB.prometheus.id",
                    reflectzScrapeTarget: "kubeB.reflect.scrape.svc-kubeB.reflect.id",
                },
            };
            program = await importProgram();
            await valueOf(program.centralPrometheus!.federates);
            await mocks.settled();
        });

        it("reads one StackReference per listed cluster stack", function () {
            assert.deepStrictEqual(mocks.ofType("pulumi:pulumi:StackReference").map(r => r.inputs.name).sort(),
                ["organization/scrape-anywhere/clusterA", "organization/scrape-anywhere/clusterB"]);
        });

        it("builds the central Prometheus config from the referenced stacks' outputs", async function () {
            assert.deepStrictEqual(await valueOf(program.centralPrometheus!.federates), ["kubeA", "kubeB"]);
            const cm = mocks.one("kubernetes:core/v1:ConfigMap", "central-prometheus-config").inputs;
            const jobs = YAML.parse(unsecret(cm.data)["prometheus.yml"]).scrape_configs;
            const fed = jobs.find((j: any) => j.job_name === "kubeB.federate");
            assert.deepStrictEqual([fed.scheme, fed.honor_labels, fed.metrics_path, fed.static_configs[0].targets],
                ["ziti", true, "/federate", ["kubeB.prometheus.svc-kubeB.prometheus.id"]]);
            assert.deepStrictEqual(fed.params["match[]"], ['{job=~".+"}']);
        });

        it("builds no cluster and renders into rendered/central/central", function () {
            assert.strictEqual(mocks.ofType("scrape-anywhere:cluster:HybridCluster").length, 0);
            assert.strictEqual(mocks.ofType("scrape-anywhere:cluster:DarkCluster").length, 0);
            assert.deepStrictEqual(renderDirs(mocks), ["rendered/central/central"]);
        });
    });

    describe("central stack with a referenced stack missing an output", function () {
        it("fails naming the missing output and the stack", async function () {
            mocks = await useMocks("central", stackFile("central"));
            mocks.stackOutputs = {
                "organization/scrape-anywhere/clusterA": { clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc-" },
                "organization/scrape-anywhere/clusterB": {
                    clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc-kubeB.prometheus.id",
                    reflectzScrapeTarget: "kubeB.reflect.scrape.svc-kubeB.reflect.id",
                },
            };
            const program = await importProgram();
            await assert.rejects(valueOf(program.centralPrometheus!.federates),
                /stack reference "organization\/scrape-anywhere\/clusterA" has no output "reflectzScrapeTarget"/);
        });
    });

    describe("bad config", function () {
        it("stops the program before any resource is registered", async function () {
            mocks = await useMocks("dev", { ...stackFile("dev"), role: "everything" });
            await assert.rejects(importProgram(), /scrape-anywhere:role: unknown role "everything"/);
            await mocks.settled();
            assert.deepStrictEqual(mocks.resources.map(r => r.type).filter(t => t !== "pulumi:pulumi:Stack"), []);
        });

        it("reports a cluster name with '-' from the stack config", async function () {
            mocks = await useMocks("dev", { ...stackFile("dev"), clusters: [{ name: "kube-a" }] });
            await assert.rejects(importProgram(), /cluster name "kube-a" contains '-'/);
        });
    });

    describe("generated clusters for benchmarks", function () {
        it("builds clusterCount clusters in one stack", async function () {
            this.timeout(120000);
            mocks = await useMocks("bench", { role: "dev", clusterCount: 10 });
            const program = await importProgram();
            assert.deepStrictEqual(await valueOf(program.centralPrometheus!.federates),
                ["gen001", "gen002", "gen003", "gen004", "gen005", "gen006", "gen007", "gen008", "gen009", "gen010"]);
            await mocks.settled();
            assert.strictEqual(mocks.ofType("scrape-anywhere:cluster:HybridCluster").length, 5);
            assert.strictEqual(mocks.ofType("scrape-anywhere:cluster:DarkCluster").length, 5);
            assert.strictEqual(renderDirs(mocks).length, 11);
        });
    });
});
