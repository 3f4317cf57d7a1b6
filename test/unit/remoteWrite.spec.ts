// Collection by remote write (issue 26) as pure data: the write path's Ziti graph, the cluster Prometheus' remote_write
// and mode, the receiver's flags and storage, and the config keys `collection` / `remoteWrite` (no Pulumi, no mocks).
import * as assert from "assert";
import { parseConfig } from "../../config";
import { proxyPort } from "../../flavors/upstream/proxyPorts";
import { clusterPrometheusConfig, receiverPrometheusConfig } from "../../flavors/upstream/prometheusConfig";
import {
    clusterMode, embeddedWriteTarget, externalWriteTarget, remoteWriteBlock, remoteWriteEntities, writerIdentity, writeTarget,
} from "../../flavors/upstream/remoteWrite";
import { prometheus3Args } from "../../flavors/upstream/workloads/prometheus";
import { centralEntities, clusterDialedServices, clusterEntities } from "../../flavors/upstream/zitiEntities";
import { checkZitiGraph, fromPlanEntities, grants, mergeEntitySets } from "../../flavors/upstream/zitiGraph";
import { clientZitiEntities } from "../../plan/places";
import { FLAVORS } from "../../flavors";
import { prometheusPodSpec } from "../../flavors/upstream/pods";

const routers = ["#all"];
const writers = [writerIdentity("kubeA"), writerIdentity("kubeB")];
function deployment(target = embeddedWriteTarget("central")) {
    return mergeEntitySets(
        clusterEntities({ clusterName: "kubeA", edgeRouterRoles: routers }),
        clusterEntities({ clusterName: "kubeB", edgeRouterRoles: routers }),
        centralEntities({ centralName: "central", edgeRouterRoles: routers }),
        fromPlanEntities(clientZitiEntities("clients", ["alice"], routers)),
        remoteWriteEntities({ target, writers, edgeRouterRoles: routers }),
    );
}

describe("remote write: the Ziti graph of the write path", function () {
    it("is coherent with the clusters and central: the write service is bound by central's tunneler and dialed by exactly the cluster Prometheus identities", function () {
        const set = deployment();
        assert.deepStrictEqual(checkZitiGraph(set), []);
        assert.deepStrictEqual(grants(set).get("central.write.svc"), { bind: ["central.prometheus.id"], dial: ["kubeA.prometheus.id", "kubeB.prometheus.id"] });
    });

    it("names each writer (@name), never an attribute or #all", function () {
        const dial = deployment().servicePolicies.find(p => p.name === "central.write.dial")!;
        assert.deepStrictEqual(dial, { name: "central.write.dial", type: "Dial", semantic: "AnyOf", identityRoles: ["@kubeA.prometheus.id", "@kubeB.prometheus.id"], serviceRoles: ["@central.write.svc"] });
    });

    it("hosts the receiver on central's 127.0.0.1:9090 and proxies it on the clusters' loopback at the service's stable port", function () {
        const set = deployment();
        const cfg = (n: string) => set.configs.find(c => c.name === n)!.data;
        assert.deepStrictEqual(cfg("central.write.svc.host.v1"), { protocol: "tcp", address: "127.0.0.1", port: 9090 });
        assert.deepStrictEqual(cfg("central.write.svc.proxy.v1"), { binding: "127.0.0.1", port: proxyPort("central.write.svc"), protocols: ["tcp"] });
        assert.strictEqual(proxyPort("central.write.svc"), proxyPort("central.write.svc"));
        assert.deepStrictEqual(set.services.find(s => s.name === "central.write.svc")!.configs, ["central.write.svc.host.v1", "central.write.svc.proxy.v1"]);
    });

    it("an external target (e.g. Thanos Receive) gets its own host.v1 and an un-enrolled hosting identity with its router policy", function () {
        const t = externalWriteTarget({ service: "thanos.write.svc", path: "/api/v1/receive", address: "thanos-receive.monitoring.svc", port: 19291 });
        const set = deployment(t);
        assert.deepStrictEqual(checkZitiGraph(set), []);
        assert.deepStrictEqual(grants(set).get("thanos.write.svc"), { bind: ["thanos.write.host.id"], dial: writers });
        assert.deepStrictEqual(set.identities.find(i => i.name === "thanos.write.host.id"), { name: "thanos.write.host.id", roleAttributes: [], enroll: false });
        assert.deepStrictEqual(set.configs.find(c => c.name === "thanos.write.svc.host.v1")!.data, { protocol: "tcp", address: "thanos-receive.monitoring.svc", port: 19291 });
        assert.ok(!grants(set).has("central.write.svc"), "no embedded write service beside an external one");
    });

    it("a wrong or missing writer is found by the graph check", function () {
        const set = deployment();
        set.servicePolicies.find(p => p.name === "central.write.dial")!.identityRoles = ["@kubeC.prometheus.id"];
        assert.deepStrictEqual(checkZitiGraph(set).sort(), ['service "central.write.svc" has no dialer', 'service policy "central.write.dial" names "@kubeC.prometheus.id", which is not in the set']);
    });
});

describe("remote write: the Prometheus side", function () {
    const exporter = clusterDialedServices("kubeB")[1];
    const route = { service: "central.write.svc", path: "/api/v1/write" };

    it("a cluster writes to its sidecar's loopback port for the write service, at the endpoint's path, with its cluster label", function () {
        const cfg = clusterPrometheusConfig({ clusterName: "kubeB", exporter, scrapeInterval: "15s", remoteWrite: route, mode: "agent" }) as any;
        assert.deepStrictEqual(cfg.remote_write, [{ name: "central.write.svc", url: `http://127.0.0.1:${proxyPort("central.write.svc")}/api/v1/write` }]);
        assert.deepStrictEqual(cfg.global.external_labels, { cluster: "kubeB" });
        assert.strictEqual(cfg.storage, undefined, "an agent has no TSDB section");
        const server = clusterPrometheusConfig({ clusterName: "kubeB", exporter, scrapeInterval: "15s", remoteWrite: route, mode: "server" }) as any;
        assert.strictEqual(server.storage.tsdb.retention.time, "15d");
        assert.deepStrictEqual(server.remote_write, cfg.remote_write);
        assert.throws(() => clusterPrometheusConfig({ clusterName: "kubeB", exporter, scrapeInterval: "15s", mode: "agent" }), /needs a remote write route/);
        assert.throws(() => remoteWriteBlock(route, [{ service: "other.svc", port: proxyPort("central.write.svc") }]), /rename one of them/);
    });

    it("dark clusters run as agents, the hybrid one stays a server (in-cluster users query it); federation keeps servers", function () {
        assert.strictEqual(clusterMode("dark", "remoteWrite"), "agent");
        assert.strictEqual(clusterMode("hybrid", "remoteWrite"), "server");
        assert.strictEqual(clusterMode("dark", "federate"), "server");
    });

    it("flags per mode (prometheus v3.16.0 cmd/prometheus/main.go): --agent with the agent's storage flag, the receiver flag on central", function () {
        assert.deepStrictEqual(prometheus3Args("dark", "agent"), [
            "--config.file=/etc/config/prometheus.yml", "--agent", "--storage.agent.path=/prometheus", "--web.listen-address=127.0.0.1:9090", "--web.enable-lifecycle"]);
        assert.ok(prometheus3Args("dark", "receiver").includes("--web.enable-remote-write-receiver"));
        assert.ok(prometheus3Args("dark", "receiver").includes("--storage.tsdb.path=/prometheus"));
        assert.ok(!prometheus3Args("dark").includes("--web.enable-remote-write-receiver"), "federation's central accepts no writes");
        assert.deepStrictEqual((prometheusPodSpec({ place: "dark", mode: "agent", configMapName: "c", identitySecretName: "i" }).containers as { args: string[] }[])[0].args, prometheus3Args("dark", "agent"));
    });

    it("the receiver scrapes only itself and accepts resent samples as old as the agent's WAL buffer", function () {
        const cfg = receiverPrometheusConfig({ centralName: "central", scrapeInterval: "15s" }) as any;
        assert.deepStrictEqual(cfg.scrape_configs.map((j: any) => j.job_name), ["prometheus"]);
        assert.deepStrictEqual(cfg.storage.tsdb, { retention: { time: "15d" }, out_of_order_time_window: "4h" });
    });

    it("the writers' Dial of central's own receiver waits for central's workloads (a 404 before the receiver is on loses the batch); an external store's does not", function () {
        const central = (spec: any) => FLAVORS.upstream.zitiEntities({
            kind: "central", resourcePrefix: "central", name: "central", placement: "kubernetes", images: {}, scrapeInterval: "15s", federationMatch: [],
            edgeRouterRoles: routers, remoteWrite: { spec, writers: writers }, networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
        });
        const waiting = (spec: any) => central(spec).filter(e => e.afterWorkloads).map(e => e.name);
        assert.deepStrictEqual(waiting({ service: "central.write.svc", path: "/api/v1/write" }), ["central.write.dial"]);
        assert.deepStrictEqual(waiting({ service: "mimir.write.svc", path: "/api/v1/push", external: { address: "mimir", port: 8080, hostIdentity: "mimir.host.id" } }), []);
        const federating = FLAVORS.upstream.zitiEntities({
            kind: "central", resourcePrefix: "central", name: "central", placement: "kubernetes", images: {}, scrapeInterval: "15s", federationMatch: [], edgeRouterRoles: routers, networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
        });
        assert.deepStrictEqual(federating.filter(e => e.afterWorkloads), []);
    });

    it("writeTarget: the embedded receiver by default, the external endpoint when an address is given", function () {
        assert.deepStrictEqual(writeTarget("central", { service: "central.write.svc", path: "/api/v1/write" }), embeddedWriteTarget("central"));
        assert.deepStrictEqual(writeTarget("central", { service: "mimir.write.svc", path: "/api/v1/push", external: { address: "mimir", port: 8080, hostIdentity: "mimir.host.id" } }),
            { service: "mimir.write.svc", path: "/api/v1/push", address: "mimir", port: 8080, binder: "mimir.host.id", external: true });
    });
});

describe("config: scrape-anywhere:collection and remoteWrite", function () {
    const dev = { clusters: [{ name: "kubeA" }, { name: "kubeB", kind: "dark" }] };

    it("defaults to federate for both flavors (each flavor's own default)", function () {
        assert.strictEqual(parseConfig(dev, "s").collection, "federate");
        assert.strictEqual(parseConfig({ ...dev, flavor: "upstream" }, "s").collection, "federate");
        assert.strictEqual(FLAVORS.article.collection.default, "federate");
        assert.strictEqual(FLAVORS.upstream.collection.default, "federate");
    });

    it("remoteWrite with the upstream flavor writes to central's receiver by default", function () {
        const c = parseConfig({ ...dev, flavor: "upstream", collection: "remoteWrite" }, "s");
        assert.deepStrictEqual(c.remoteWrite, { service: "central.write.svc", path: "/api/v1/write" });
        const named = parseConfig({ ...dev, flavor: "upstream", collection: "remoteWrite", central: { name: "hq" } }, "s");
        assert.strictEqual(named.remoteWrite!.service, "hq.write.svc");
        const cluster = parseConfig({ role: "cluster", clusters: [{ name: "kubeB", kind: "dark" }], flavor: "upstream", collection: "remoteWrite" }, "s");
        assert.strictEqual(cluster.remoteWrite!.service, "central.write.svc", "a cluster stack defaults to the default central's write service");
    });

    it("an external write target: address and port, path and hosting identity", function () {
        const c = parseConfig({ ...dev, flavor: "upstream", collection: "remoteWrite",
            remoteWrite: { service: "thanos.write.svc", address: "thanos-receive.monitoring.svc", port: 19291, path: "/api/v1/receive" } }, "s");
        assert.deepStrictEqual(c.remoteWrite, { service: "thanos.write.svc", path: "/api/v1/receive",
            external: { address: "thanos-receive.monitoring.svc", port: 19291, hostIdentity: "thanos.write.host.id" } });
    });

    it("the article flavor refuses remoteWrite, naming the key and the fix", function () {
        assert.throws(() => parseConfig({ ...dev, flavor: "article", collection: "remoteWrite" }, "s"),
            /^ConfigError: scrape-anywhere:collection: the article flavor supports only federate, not remoteWrite: .*Set scrape-anywhere:collection federate, or scrape-anywhere:flavor upstream\.$/);
    });

    it("refuses an unknown collection, remoteWrite without collection remoteWrite, and a bad target", function () {
        assert.throws(() => parseConfig({ ...dev, flavor: "upstream", collection: "push" }, "s"), /scrape-anywhere:collection: unknown collection "push"; use one of: federate, remoteWrite/);
        assert.throws(() => parseConfig({ ...dev, flavor: "upstream", remoteWrite: {} }, "s"), /scrape-anywhere:remoteWrite: is set but scrape-anywhere:collection is federate/);
        const rw = (remoteWrite: unknown) => () => parseConfig({ ...dev, flavor: "upstream", collection: "remoteWrite", remoteWrite }, "s");
        assert.throws(rw({ address: "thanos" }), /scrape-anywhere:remoteWrite.port: the endpoint's TCP port/);
        assert.throws(rw({ port: 19291 }), /scrape-anywhere:remoteWrite.address: port or hostIdentity given without address/);
        assert.throws(rw({ service: "thanos-write" }), /scrape-anywhere:remoteWrite.service: "thanos-write" must be a Ziti service name/);
        assert.throws(rw({ path: "api/v1/write" }), /scrape-anywhere:remoteWrite.path: "api\/v1\/write" must be an absolute HTTP path/);
        assert.throws(rw({ url: "http://x" }), /scrape-anywhere:remoteWrite.url: unknown key/);
    });
});
