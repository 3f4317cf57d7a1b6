// index.ts under mocks with the upstream flavor and `scrape-anywhere:collection: remoteWrite`: the write path's Ziti
// resources (Dial for the cluster Prometheus identities by name, through their resources' outputs), the clusters'
// remote_write and modes, central's receiver, the outputs; and the central stack's StackReference reading.
import * as assert from "assert";
import * as YAML from "yaml";
import { importProgram, RecordingMocks, unsecret, useMocks, ZITI } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";
import { clusterTargetsFromOutputs } from "../../components/stackReferences";
import { checkWriter } from "../../components/centralPrometheus";
import { proxyPort } from "../../flavors/upstream/proxyPorts";

const clusters = [{ name: "kubeA", kind: "hybrid" }, { name: "kubeB", kind: "dark" }];

describe("program with collection remoteWrite (upstream flavor, dev stack)", function () {
    let mocks: RecordingMocks;
    let program: Awaited<ReturnType<typeof importProgram>>;
    before(async function () {
        mocks = await useMocks("dev", { flavor: "upstream", collection: "remoteWrite", clusters });
        program = await importProgram();
        await valueOf(program.centralPrometheus!.federates);
        await mocks.settled();
    });

    it("makes the write service with host.v1 to central's receiver, proxy.v1 on loopback, Bind for central, Dial for each cluster Prometheus by name", function () {
        const config = (name: string) => (mocks.ofType(ZITI("Config")).find(r => (r.inputs as any).name === name)!.inputs as any).data;
        assert.deepStrictEqual(config("central.write.svc.host.v1"), { protocol: "tcp", address: "127.0.0.1", port: 9090 });
        assert.deepStrictEqual(config("central.write.svc.proxy.v1"), { binding: "127.0.0.1", port: proxyPort("central.write.svc"), protocols: ["tcp"] });
        const policy = (name: string) => mocks.ofType(ZITI("ServicePolicy")).find(r => (r.inputs as any).name === name)!.inputs as any;
        assert.deepStrictEqual(policy("central.write.bind").identityRoles, ["@central.prometheus.id"]);
        assert.deepStrictEqual(policy("central.write.dial").identityRoles, ["@kubeA.prometheus.id", "@kubeB.prometheus.id"]);
        assert.deepStrictEqual(policy("central.write.dial").serviceRoles, ["@central.write.svc"]);
    });

    it("runs kubeB's Prometheus as an agent and kubeA's as a server, both writing to the write service's loopback port; central receives", function () {
        const args = (d: string) => (mocks.one("kubernetes:apps/v1:Deployment", d).inputs as any).spec.template.spec.containers[0].args as string[];
        assert.ok(args("kubeB-prometheus").includes("--agent") && args("kubeB-prometheus").includes("--storage.agent.path=/prometheus"));
        assert.ok(!args("kubeA-prometheus").includes("--agent"));
        assert.ok(args("central-prometheus").includes("--web.enable-remote-write-receiver"));
        for (const c of ["kubeA", "kubeB"]) {
            const cfg = YAML.parse((mocks.one("kubernetes:core/v1:ConfigMap", `${c}-prometheus-config`).inputs as any).data["prometheus.yml"]);
            assert.deepStrictEqual(cfg.remote_write, [{ name: "central.write.svc", url: `http://127.0.0.1:${proxyPort("central.write.svc")}/api/v1/write` }], c);
            assert.deepStrictEqual(cfg.global.external_labels, { cluster: c });
        }
        const central = YAML.parse((mocks.one("kubernetes:core/v1:ConfigMap", "central-prometheus-config").inputs as any).data["prometheus.yml"]);
        assert.deepStrictEqual(central.scrape_configs.map((j: any) => j.job_name), ["prometheus"], "central federates nothing");
    });

    it("exports the collection and the write service; each cluster's remoteWrite {service, path, writer}", async function () {
        assert.strictEqual(await valueOf(program.centralPrometheus!.collection), "remoteWrite");
        assert.strictEqual(await valueOf(program.centralPrometheus!.writeService!), "central.write.svc");
        const kubeB = unsecret(await valueOf(program.clusterOutputs!.kubeB.remoteWrite!));
        assert.deepStrictEqual(kubeB, { service: "central.write.svc", path: "/api/v1/write", writer: "kubeB.prometheus.id" });
    });
});

describe("program with collection remoteWrite, central stack over StackReferences", function () {
    const refs = ["organization/scrape-anywhere/clusterA", "organization/scrape-anywhere/clusterB"];
    const outputs = (c: string) => ({
        clusterName: c, federationTarget: `${c}.prometheus.svc`, reflectzScrapeTarget: `${c}.exporter.svc`,
        remoteWrite: { service: "central.write.svc", path: "/api/v1/write", writer: `${c}.prometheus.id` },
    });

    it("names each referenced stack's writer in the write service's Dial policy", async function () {
        const mocks = await useMocks("central", { role: "central", flavor: "upstream", collection: "remoteWrite", stackReferences: refs });
        mocks.stackOutputs = { [refs[0]]: outputs("kubeA"), [refs[1]]: outputs("kubeB") };
        const program = await importProgram();
        assert.strictEqual(await valueOf(program.centralPrometheus!.writeService!), "central.write.svc");
        await mocks.settled();
        const dial = mocks.ofType(ZITI("ServicePolicy")).find(r => (r.inputs as any).name === "central.write.dial")!.inputs as any;
        assert.deepStrictEqual(dial.identityRoles, ["@kubeA.prometheus.id", "@kubeB.prometheus.id"]);
    });
    // A referenced stack without `remoteWrite` fails naming it: clusterTargetsFromOutputs below (under mocks the
    // policy waiting on the rejected writer would stay pending until exit).
});

describe("central stack: what remote write needs from a cluster stack's outputs", function () {
    const base = { clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc", reflectzScrapeTarget: "kubeB.exporter.svc" };
    const spec = { service: "central.write.svc", path: "/api/v1/write" };

    it("reads remoteWrite {service, path, writer} when the collection needs it, and ignores it otherwise (federation unchanged)", function () {
        const w = { service: "central.write.svc", path: "/api/v1/write", writer: "kubeB.prometheus.id" };
        assert.deepStrictEqual(clusterTargetsFromOutputs("org/p/clusterB", { ...base, remoteWrite: w }, true), { ...base, remoteWrite: w });
        assert.deepStrictEqual(clusterTargetsFromOutputs("org/p/clusterB", { ...base, remoteWrite: w }), base);
        assert.strictEqual(checkWriter("central", { ...base, remoteWrite: w }, spec), "kubeB.prometheus.id");
    });

    it("refuses a cluster stack that does not write, or writes to another service, naming the stack or cluster and the fix", function () {
        assert.throws(() => clusterTargetsFromOutputs("org/p/clusterB", base, true),
            /stack reference "org\/p\/clusterB" has no output "remoteWrite" \{service, path, writer\}.*set scrape-anywhere:collection remoteWrite on that stack/);
        assert.throws(() => checkWriter("central", { ...base, remoteWrite: { service: "hq.write.svc", path: "/api/v1/write", writer: "kubeB.prometheus.id" } }, spec),
            /cluster "kubeB" writes to "hq.write.svc", but this central's write service is "central.write.svc": set scrape-anywhere:remoteWrite.service/);
    });
});
