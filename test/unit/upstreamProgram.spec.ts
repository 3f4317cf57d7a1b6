// index.ts under mocks with `scrape-anywhere:flavor: upstream`: the dev stack's resources come from the
// upstream flavor's plan (pods with a tunneler sidecar, node_exporter as the target, host.v1/proxy.v1 on loopback).
import * as assert from "assert";
import * as YAML from "yaml";
import { importProgram, RecordingMocks, useMocks, ZITI } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";
import { stackFileConfig } from "../helpers/planEntities";

describe("program with the upstream flavor (dev stack)", function () {
    let mocks: RecordingMocks;
    before(async function () {
        const cfg = stackFileConfig("dev");
        delete cfg.images; // the dev stack's overrides are keyed by the article flavor's images
        mocks = await useMocks("dev", { ...cfg, flavor: "upstream" });
        const program = await importProgram();
        await valueOf(program.centralPrometheus!.federates);
        await mocks.settled();
    });

    it("runs Prometheus with its tunneler sidecar and node_exporter with its own in each cluster; no reflectz, no ziti-host", function () {
        const containers = (name: string) => (mocks.one("kubernetes:apps/v1:Deployment", name).inputs as any).spec.template.spec.containers.map((c: any) => c.name);
        for (const c of ["kubeA", "kubeB"]) {
            assert.deepStrictEqual(containers(`${c}-prometheus`), ["prometheus", "configmap-reload", "ziti-tunnel"]);
            assert.deepStrictEqual(containers(`${c}-exporter`), ["node-exporter", "ziti-tunnel"]);
        }
        assert.deepStrictEqual(containers("central-prometheus"), ["prometheus", "configmap-reload", "ziti-tunnel"]);
        const names = mocks.ofType("kubernetes:apps/v1:Deployment").map(d => (d.inputs as any).metadata.name);
        assert.ok(!names.includes("reflectz") && !names.includes("ziti-host"), names.join(", "));
    });

    it("makes the flavor's Ziti configs: host.v1 to 127.0.0.1, proxy.v1 bound to 127.0.0.1", function () {
        const configs = mocks.ofType(ZITI("Config")).map(r => r.inputs as any);
        // The plan's Kubernetes API services (<c>.k8s.svc) carry one too, for an admin's tunnel.
        const proxies = configs.filter(c => c.configType === "proxy.v1" && !c.name.includes(".k8s.svc"));
        assert.deepStrictEqual(proxies.map(c => c.name).sort(),
            ["central.prometheus.svc.proxy.v1", "kubeA.exporter.svc.proxy.v1", "kubeA.prometheus.svc.proxy.v1", "kubeB.exporter.svc.proxy.v1", "kubeB.prometheus.svc.proxy.v1"]);
        for (const c of proxies) assert.strictEqual(c.data.binding, "127.0.0.1");
        // Every workload service is hosted on the pod's loopback; the plan's Kubernetes API service (<c>.k8s.svc) forwards to the API.
        for (const c of configs.filter(c => c.configType === "host.v1" && !c.name.includes(".k8s.svc"))) assert.strictEqual(c.data.address, "127.0.0.1", c.name);
    });

    it("central federates both clusters on its sidecar's loopback ports", function () {
        const cm = mocks.one("kubernetes:core/v1:ConfigMap", "central-prometheus-config").inputs as any;
        const cfg = YAML.parse(cm.data["prometheus.yml"]);
        const fed = cfg.scrape_configs.filter((j: any) => j.metrics_path === "/federate").map((j: any) => j.static_configs[0].labels.ziti_service);
        assert.deepStrictEqual(fed, ["kubeA.prometheus.svc", "kubeB.prometheus.svc"]);
    });
});
