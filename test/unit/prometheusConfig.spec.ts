// The Prometheus configuration objects and their YAML, parsed back.
import * as assert from "assert";
import * as YAML from "yaml";
import { centralPrometheusConfig, clusterPrometheusConfig, parseZitiTarget, zitiTarget } from "../../flavors/article/prometheusConfig";
import { renderPrometheusConfig } from "../../plan/prometheusConfig";

const clusters = [
    { clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc-", reflectzScrapeTarget: "kubeA.reflect.scrape.svc-kubeA.reflect.id" },
    { clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc-kubeB.prometheus.id", reflectzScrapeTarget: "kubeB.reflect.scrape.svc-kubeB.reflect.id" },
];

describe("prometheus config", function () {
    it("writes targets `service-terminator`, and `service-` with no terminator", function () {
        assert.strictEqual(zitiTarget("kubeA.reflect.scrape.svc", "kubeA.reflect.id"), "kubeA.reflect.scrape.svc-kubeA.reflect.id");
        assert.strictEqual(zitiTarget("kubeA.prometheus.svc"), "kubeA.prometheus.svc-");
        assert.deepStrictEqual(parseZitiTarget("kubeA.prometheus.svc-"), { service: "kubeA.prometheus.svc", terminator: "" });
    });

    it("refuses target parts prometheuz would split in the wrong place", function () {
        assert.throws(() => zitiTarget("kube-a.prometheus.svc"), /contains '-'/);
        assert.throws(() => zitiTarget("kubeA.prometheus.svc", "kube-a.id"), /terminator .* contains '-'/);
        assert.throws(() => parseZitiTarget("a-b-c"), /exactly one '-'/);
        assert.throws(() => parseZitiTarget("kubeA.prometheus.svc"), /exactly one '-'/);
    });

    it("renders the central config: per cluster a /federate job and a reflectz job, both over Ziti", function () {
        const text = renderPrometheusConfig(centralPrometheusConfig({
            centralName: "central", clusters, federationMatch: ['{job=~".+"}'], scrapeInterval: "30s",
        }));
        const parsed = YAML.parse(text);
        assert.strictEqual(parsed.global.scrape_interval, "30s");
        assert.deepStrictEqual(parsed.scrape_configs.map((j: any) => j.job_name),
            ["kubeA.federate", "kubeA.reflectz", "kubeB.federate", "kubeB.reflectz"]);
        for (const job of parsed.scrape_configs) {
            assert.strictEqual(job.scheme, "ziti", job.job_name);
            assert.deepStrictEqual(job.params["ziti-config"], ["/etc/ziti/identity.json"], job.job_name);
        }
        const fed = parsed.scrape_configs[2];
        assert.strictEqual(fed.honor_labels, true);
        assert.strictEqual(fed.metrics_path, "/federate");
        assert.deepStrictEqual(fed.params["match[]"], ['{job=~".+"}']);
        assert.deepStrictEqual(fed.static_configs, [{ targets: ["kubeB.prometheus.svc-kubeB.prometheus.id"], labels: { cluster: "kubeB" } }]);
        assert.deepStrictEqual(parsed.scrape_configs[1].static_configs[0].targets, ["kubeA.reflect.scrape.svc-kubeA.reflect.id"]);
    });

    it("refuses a central config with no clusters, or a cluster twice", function () {
        const args = { centralName: "central", federationMatch: ["{}"], scrapeInterval: "15s" };
        assert.throws(() => centralPrometheusConfig({ ...args, clusters: [] }), /no clusters/);
        assert.throws(() => centralPrometheusConfig({ ...args, clusters: [clusters[0], clusters[0]] }), /listed twice/);
    });

    it("renders a cluster config with the cluster label and the Kubernetes API jobs", function () {
        const text = renderPrometheusConfig(clusterPrometheusConfig({
            clusterName: "kubeB", reflectzScrapeTarget: clusters[1].reflectzScrapeTarget, scrapeInterval: "15s",
        }));
        const parsed = YAML.parse(text);
        assert.deepStrictEqual(parsed.global.external_labels, { cluster: "kubeB" });
        assert.ok(!/[&*]a\d/.test(text), "no YAML anchors or aliases");
        assert.deepStrictEqual(parsed.scrape_configs.map((j: any) => [j.job_name, j.scheme]),
            [["kubeB.reflectz", "ziti"], ["kubernetes-apiservers", "https"], ["kubernetes-nodes", "https"]]);
    });
});
