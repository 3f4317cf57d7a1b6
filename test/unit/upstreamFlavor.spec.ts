// The upstream flavor's pure plan: its Ziti entity set, loopback proxy ports, Prometheus configs and pods,
// compared as data (no Pulumi, no mocks).
import * as assert from "assert";
import { assertDistinctPorts, PROXY_PORT_BASE, PROXY_PORT_SPAN, proxyPort } from "../../flavors/upstream/proxyPorts";
import { exporterPodSpec, prometheusPodSpec } from "../../flavors/upstream/pods";
import { centralPrometheusConfig, clusterPrometheusConfig } from "../../flavors/upstream/prometheusConfig";
import { centralEntities, clusterDialedServices, clusterEntities } from "../../flavors/upstream/zitiEntities";
import { checkZitiGraph, fromPlanEntities, grants, mergeEntitySets, ZitiEntitySet } from "../../flavors/upstream/zitiGraph";
import { clientZitiEntities } from "../../plan/places";
import { FLAVORS } from "../../flavors";
import type { CentralPlace, ClusterPlace } from "../../flavors/types";

const routers = ["#all"];
function deployment(): ZitiEntitySet {
    return mergeEntitySets(
        clusterEntities({ clusterName: "kubeA", edgeRouterRoles: routers }),
        clusterEntities({ clusterName: "kubeB", edgeRouterRoles: routers }),
        centralEntities({ centralName: "central", edgeRouterRoles: routers }),
        fromPlanEntities(clientZitiEntities("clients", ["alice"], routers)),
    );
}

describe("upstream flavor: Ziti entity set", function () {
    it("is a coherent graph: every service has a binder and a dialer, every identity and service is routed", function () {
        assert.deepStrictEqual(checkZitiGraph(deployment()), []);
    });

    it("grants exactly: each pod's tunneler binds its own service; a cluster's exporter is dialed by its own Prometheus, central and clients", function () {
        const g = grants(deployment());
        assert.deepStrictEqual(g.get("kubeA.exporter.svc"), { bind: ["kubeA.exporter.id"], dial: ["kubeA.prometheus.id", "central.prometheus.id"] });
        assert.deepStrictEqual(g.get("kubeB.prometheus.svc"), { bind: ["kubeB.prometheus.id"], dial: ["central.prometheus.id", "alice"] });
        assert.deepStrictEqual(g.get("central.prometheus.svc"), { bind: ["central.prometheus.id"], dial: ["alice"] });
        // kubeA's Prometheus reaches nothing of kubeB.
        for (const [svc, x] of g) if (svc.startsWith("kubeB.")) assert.ok(!x.dial.includes("kubeA.prometheus.id"), svc);
    });

    it("hosts every service on the pod's loopback and proxies it on a loopback binding with the service's port", function () {
        const set = deployment();
        for (const s of set.services) {
            const cfg = (t: string) => set.configs.find(c => s.configs.includes(c.name) && c.configType === t)!;
            assert.strictEqual(cfg("host.v1").data.address, "127.0.0.1", s.name);
            assert.deepStrictEqual(cfg("host.v1").data.listenOptions, { bindUsingEdgeIdentity: true });
            assert.deepStrictEqual(cfg("proxy.v1").data, { binding: "127.0.0.1", port: proxyPort(s.name), protocols: ["tcp"] });
            // Terminators are named after the binder, so dials name it (intercept.v1 dialOptions, read by the proxy too).
            const binder = grants(set).get(s.name)!.bind[0];
            assert.deepStrictEqual((cfg("intercept.v1").data as any).dialOptions, { identity: binder }, s.name);
        }
        assert.strictEqual(set.configs.find(c => c.name === "kubeA.exporter.svc.host.v1")!.data.port, 9100);
        assert.strictEqual(set.configs.find(c => c.name === "kubeA.prometheus.svc.host.v1")!.data.port, 9090);
    });

    it("finds what an incoherent set lacks (a dial policy removed, a name that names nothing, #all)", function () {
        const set = deployment();
        set.servicePolicies = set.servicePolicies.filter(p => p.name !== "kubeB.exporter.dial");
        set.servicePolicies.find(p => p.name === "kubeA.prometheus.bind")!.identityRoles = ["@kubeA.ziti.id"];
        set.servicePolicies.find(p => p.name === "central.prometheus.dial")!.identityRoles = ["#all"];
        set.edgeRouterPolicies = set.edgeRouterPolicies.filter(p => p.name !== "kubeB.edge-router-policy");
        assert.deepStrictEqual(checkZitiGraph(set).sort(), [
            'identity "kubeB.exporter.id" is in no edge router policy',
            'identity "kubeB.prometheus.id" is in no edge router policy',
            'service "kubeA.prometheus.svc" has no binder',
            'service "kubeB.exporter.svc" has no dialer',
            'service policy "central.prometheus.dial" uses #all',
            'service policy "kubeA.prometheus.bind" names "@kubeA.ziti.id", which is not in the set',
        ].sort());
    });
});

describe("every flavor through the seam: a coherent Ziti graph for the dev deployment", function () {
    const cluster = (name: string, kind: "hybrid" | "dark"): ClusterPlace => ({
        kind, resourcePrefix: name, name, namespace: "monitoring", images: {}, scrapeInterval: "15s", edgeRouterRoles: routers, networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
        serviceNames: { reflect: `${name}.reflect.svc`, reflectScrape: `${name}.reflect.scrape.svc`, prometheus: `${name}.prometheus.svc` },
    });
    const central: CentralPlace = { kind: "central", resourcePrefix: "central", name: "central", placement: "kubernetes", namespace: "monitoring",
        images: {}, scrapeInterval: "15s", federationMatch: ['{job=~".+"}'], edgeRouterRoles: routers, networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] } };
    for (const flavor of Object.values(FLAVORS)) {
        it(`${flavor.name}: every service has a binder and a dialer, every identity and service a router policy`, function () {
            const places = [cluster("kubeA", "hybrid"), cluster("kubeB", "dark"), central];
            const set = mergeEntitySets(...places.map(p => fromPlanEntities(flavor.zitiEntities(p))), fromPlanEntities(clientZitiEntities("clients", ["alice"], routers)));
            assert.deepStrictEqual(checkZitiGraph(set), []);
        });
    }
});

describe("upstream flavor: loopback proxy ports", function () {
    it("derives a stable port in 20000-29999 from the service name alone", function () {
        // Pinned: a change of the derivation would move every deployed proxy listener.
        assert.strictEqual(proxyPort("kubeA.prometheus.svc"), proxyPort("kubeA.prometheus.svc"));
        for (const name of ["kubeA.prometheus.svc", "kubeB.exporter.svc", "central.prometheus.svc", "ü.svc"]) {
            const p = proxyPort(name);
            assert.ok(p >= PROXY_PORT_BASE && p < PROXY_PORT_BASE + PROXY_PORT_SPAN, `${name} -> ${p}`);
        }
        assert.deepStrictEqual(["kubeA.prometheus.svc", "kubeA.exporter.svc", "kubeB.prometheus.svc", "kubeB.exporter.svc"].map(proxyPort), PINNED_PORTS);
    });

    it("refuses two dialed services with one port, naming both and the fix", function () {
        const seen = new Map<number, string>();
        let clash: [string, string] | undefined;
        for (let i = 0; !clash; i++) {
            const name = `c${i}.exporter.svc`;
            const other = seen.get(proxyPort(name));
            if (other) clash = [other, name];
            seen.set(proxyPort(name), name);
        }
        const list = clash.map(service => ({ service, port: proxyPort(service) }));
        assert.throws(() => assertDistinctPorts("central", list), new RegExp(`"${clash[0]}" and "${clash[1]}".*clusters\\[\\]\\.serviceNames`));
        assert.doesNotThrow(() => assertDistinctPorts("central", [list[0], list[0]]));
    });
});

/** FNV-1a of the default names (README table "Loopback ports"). */
const PINNED_PORTS = [26987, 24522, 26244, 29029];

describe("upstream flavor: Prometheus config", function () {
    const [, exporterA] = clusterDialedServices("kubeA");
    it("a cluster scrapes its exporter on the sidecar's loopback port, labelled with the Ziti service and the cluster", function () {
        const cfg = clusterPrometheusConfig({ clusterName: "kubeA", exporter: exporterA, scrapeInterval: "15s" }) as any;
        assert.deepStrictEqual(cfg.global.external_labels, { cluster: "kubeA" });
        assert.deepStrictEqual(cfg.storage, { tsdb: { retention: { time: "15d" } } });
        assert.deepStrictEqual(cfg.scrape_configs[0], {
            job_name: "kubeA.exporter", scheme: "http",
            static_configs: [{ targets: [`127.0.0.1:${proxyPort("kubeA.exporter.svc")}`], labels: { cluster: "kubeA", ziti_service: "kubeA.exporter.svc" } }],
            relabel_configs: [{ target_label: "instance", replacement: "kubeA.exporter.svc" }],
        });
        assert.throws(() => clusterPrometheusConfig({ clusterName: "kubeB", exporter: exporterA, scrapeInterval: "15s" }), /cannot scrape the exporter of cluster "kubeA"/);
    });

    it("central federates every cluster with honor_labels and scrapes every exporter, all on loopback", function () {
        const dialed = [...clusterDialedServices("kubeA"), ...clusterDialedServices("kubeB")];
        const cfg = centralPrometheusConfig({ centralName: "central", dialed, federationMatch: ['{job=~".+"}'], scrapeInterval: "30s" }) as any;
        const fed = cfg.scrape_configs.find((j: any) => j.job_name === "kubeB.federate");
        assert.strictEqual(fed.honor_labels, true);
        assert.strictEqual(fed.metrics_path, "/federate");
        assert.deepStrictEqual(fed.params, { "match[]": ['{job=~".+"}'] });
        assert.deepStrictEqual(fed.static_configs[0].targets, [`127.0.0.1:${proxyPort("kubeB.prometheus.svc")}`]);
        assert.deepStrictEqual(cfg.scrape_configs.map((j: any) => j.job_name), ["kubeA.federate", "kubeA.exporter", "kubeB.federate", "kubeB.exporter", "prometheus"]);
        for (const j of cfg.scrape_configs) for (const t of j.static_configs[0].targets) assert.match(t, /^127\.0\.0\.1:\d+$/);
        // Its own exporter scrapes are told apart from the federated copies (same job, instance, cluster otherwise).
        const direct = cfg.scrape_configs.find((j: any) => j.job_name === "kubeA.exporter");
        assert.deepStrictEqual(direct.static_configs[0].labels, { cluster: "kubeA", ziti_service: "kubeA.exporter.svc", scraped_by: "central" });
        assert.deepStrictEqual(fed.static_configs[0].labels, { cluster: "kubeB", ziti_service: "kubeB.prometheus.svc" });
        assert.throws(() => centralPrometheusConfig({ centralName: "central", dialed: [...dialed, dialed[0]], federationMatch: ["up"], scrapeInterval: "30s" }), /two jobs "kubeA.federate"/);
        assert.throws(() => centralPrometheusConfig({ centralName: "central", dialed: [], federationMatch: ["up"], scrapeInterval: "30s" }), /no clusters/);
    });
});

describe("upstream flavor: pods", function () {
    const dark = prometheusPodSpec({ place: "dark", configMapName: "prometheus-config", identitySecretName: "prometheus-identity" }) as any;
    const hybrid = prometheusPodSpec({ place: "hybrid", configMapName: "prometheus-config", identitySecretName: "prometheus-identity" }) as any;
    const exporter = exporterPodSpec({ identitySecretName: "exporter-identity" }) as any;

    it("dark pods declare no port and bind every listener to loopback; the hybrid Prometheus listens on the pod IP too", function () {
        for (const pod of [dark, exporter]) for (const c of pod.containers) assert.strictEqual(c.ports, undefined, c.name);
        const listen = (pod: any) => pod.containers[0].args.find((a: string) => a.startsWith("--web.listen-address="));
        assert.strictEqual(listen(dark), "--web.listen-address=127.0.0.1:9090");
        assert.strictEqual(listen(hybrid), "--web.listen-address=0.0.0.0:9090");
        assert.deepStrictEqual(hybrid.containers[0].ports, [{ name: "web", containerPort: 9090 }]);
        assert.deepStrictEqual(exporter.containers[0].args, ["--web.listen-address=127.0.0.1:9100"]);
        assert.ok(dark.containers[1].args.includes("--web.listen-address=127.0.0.1:9533"));
    });

    it("every container is restricted, has requests and limits, and a probe the kubelet can run (exec where loopback-only)", function () {
        for (const pod of [dark, hybrid, exporter]) {
            assert.strictEqual(pod.securityContext.runAsNonRoot, true);
            assert.deepStrictEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
            assert.strictEqual(pod.automountServiceAccountToken, false);
            for (const c of pod.containers) {
                assert.deepStrictEqual(c.securityContext.capabilities, { drop: ["ALL"] }, c.name);
                assert.strictEqual(c.securityContext.allowPrivilegeEscalation, false, c.name);
                assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true, c.name);
                assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.cpu && c.resources.limits.memory, c.name);
                if (c.name !== "configmap-reload") assert.ok(c.livenessProbe, `${c.name} has a liveness probe`);
            }
        }
        assert.ok(dark.containers[0].readinessProbe.exec.command.includes("http://127.0.0.1:9090/-/ready"));
        assert.deepStrictEqual(hybrid.containers[0].readinessProbe.httpGet, { path: "/-/ready", port: 9090 });
    });

    it("the tunneler runs `ziti tunnel proxy` as the image's user with its identity and service polling on", function () {
        const t = exporter.containers[1];
        assert.deepStrictEqual(t.command, ["/usr/local/bin/ziti", "tunnel", "proxy", "--identity", "/etc/ziti/identity.json", "--svcPollRate", "15"]);
        assert.deepStrictEqual([t.securityContext.runAsUser, t.securityContext.runAsGroup], [2171, 2171]);
        assert.strictEqual(exporter.securityContext.fsGroup, 2171);
        const idVol = exporter.volumes.find((v: any) => v.name === "ziti-identity");
        assert.strictEqual(idVol.secret.defaultMode, 0o440);
    });
});

describe("upstream flavor: contracts and the tools modules pin the same releases", function () {
    const fs = require("fs") as typeof import("fs");
    const required = (dir: string, mod: string) => new RegExp(`${mod.replace(/\./g, "\\.")} (v[^\\s]+)`).exec(fs.readFileSync(`${__dirname}/../../tools/go/${dir}/go.mod`, "utf8"))![1];
    it("Prometheus v3.16.0 = module v0.316.0, node_exporter, configmap-reload and ziti", function () {
        const { PROMETHEUS3 } = require("../../flavors/upstream/workloads/prometheus");
        const { NODE_EXPORTER } = require("../../flavors/upstream/workloads/nodeExporter");
        const { CONFIGMAP_RELOAD_UPSTREAM } = require("../../flavors/upstream/workloads/configmapReload");
        const { ZITI_TUNNEL } = require("../../flavors/upstream/workloads/zitiTunnel");
        const [, minor, patch] = /^v0\.3(\d\d)\.(\d+)$/.exec(required("prometheus", "github.com/prometheus/prometheus"))!;
        assert.strictEqual(PROMETHEUS3.tag, `v3.${Number(minor)}.${patch}`);
        assert.strictEqual(NODE_EXPORTER.tag, required("node_exporter", "github.com/prometheus/node_exporter"));
        assert.strictEqual(CONFIGMAP_RELOAD_UPSTREAM.tag, required("configmap-reload", "github.com/jimmidyson/configmap-reload"));
        assert.strictEqual(`v${ZITI_TUNNEL.tag}`, required("ziti", "github.com/openziti/ziti"));
    });
});
