import * as assert from "assert";
import { requireZitiScrapeScheme } from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { configMap, container, prometheusYml } from "./fixtures";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const CONTAINER = "docker:index/container:Container";
const plainJob = ["  - job_name: reflectz-direct", "    static_configs:", "      - targets: [reflectz.apps.svc:8080]", ""].join("\n");

describe("policy: Prometheus scrape schemes (rule 9, require-ziti-scrape-scheme)", () => {
    it("is advisory by default", () => {
        assert.strictEqual(requireZitiScrapeScheme.enforcementLevel, "advisory");
    });

    it("accepts ziti jobs, loopback targets and the Kubernetes API jobs over https", async () => {
        const out = await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props: configMap });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("rejects a plain http target outside the pod in the ConfigMap", async () => {
        const out = await runResource(requireZitiScrapeScheme, {
            type: CONFIGMAP,
            name: "cfg",
            props: change(configMap, (c) => (c.data["prometheus.yml"] = prometheusYml + plainJob)),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "ConfigMap 'monitoring/prometheus-config' data[\"prometheus.yml\"]: scrape job 'reflectz-direct' uses scheme http for target " +
                "reflectz.apps.svc:8080 outside the pod. Fix: scrape it over the overlay with scheme: ziti (or zitis) and params.ziti-config, " +
                "list the job in allowedJobs, or allow-list 'monitoring/prometheus-config'.",
        ]);
    });

    it("rejects service discovery over plain http, and an allowed job name that uses plain http", async () => {
        const yml = [
            "scrape_configs:",
            "  - job_name: pods",
            "    kubernetes_sd_configs: [{role: pod}]",
            "  - job_name: kubernetes-nodes",
            "    scheme: http",
            "    static_configs: [{targets: ['10.0.0.1:10255']}]",
        ].join("\n");
        const out = await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props: change(configMap, (c) => (c.data["prometheus.yml"] = yml)) });
        assert.deepStrictEqual(
            out.violations.map((v) => v.message.split(": ").slice(1).join(": ").split(". Fix")[0]),
            [
                "scrape job 'pods' uses scheme http for targets found by kubernetes_sd_configs outside the pod",
                "scrape job 'kubernetes-nodes' uses scheme http for target 10.0.0.1:10255 outside the pod",
            ],
        );
    });

    it("accepts remote_write to the pod's loopback (the tunneler's proxy), rejects it to anywhere else (issue 26)", async () => {
        const yml = (url: string) => prometheusYml + ["remote_write:", `  - url: ${url}`, ""].join("\n");
        const ok = await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props: change(configMap, (c) => (c.data["prometheus.yml"] = yml("http://127.0.0.1:23423/api/v1/write"))) });
        assert.deepStrictEqual(ok, { violations: [] });
        const out = await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props: change(configMap, (c) => (c.data["prometheus.yml"] = yml("https://mimir.example.com/api/v1/push"))) });
        assert.deepStrictEqual(out.violations.map((v) => v.message.split(". Fix")[0]), [
            "ConfigMap 'monitoring/prometheus-config' data[\"prometheus.yml\"]: remote_write #0 sends to https://mimir.example.com/api/v1/push, outside the pod",
        ]);
        assert.match(out.violations[0].message, /Fix: write to the loopback port of the pod's tunneler/);
    });

    it("takes allowedJobs from config (replacing the default)", async () => {
        const out = await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props: configMap, config: { allowedJobs: [] } });
        assert.deepStrictEqual(out.violations.map((v) => v.message.split(". Fix")[0]), [
            "ConfigMap 'monitoring/prometheus-config' data[\"prometheus.yml\"]: scrape job 'kubernetes-apiservers' uses scheme https for " +
                "targets found by kubernetes_sd_configs outside the pod",
        ]);
    });

    it("checks the prometheus.yml uploaded into a Docker container", async () => {
        const props = change(container, (c) => c.uploads.push({ file: "/etc/prometheus/prometheus.yml", content: prometheusYml + plainJob }));
        const out = await runResource(requireZitiScrapeScheme, { type: CONTAINER, name: "central", props });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Docker container 'central-prometheus' uploads[0] (/etc/prometheus/prometheus.yml): scrape job 'reflectz-direct' uses scheme http for target " +
                "reflectz.apps.svc:8080 outside the pod. Fix: scrape it over the overlay with scheme: ziti (or zitis) and params.ziti-config, " +
                "list the job in allowedJobs, or allow-list 'docker/central-prometheus'.",
        ]);
        const ok = await runResource(requireZitiScrapeScheme, {
            type: CONTAINER,
            name: "central",
            props: change(container, (c) => c.uploads.push({ file: "/etc/prometheus/prometheus.yml", contentBase64: Buffer.from(prometheusYml).toString("base64") })),
        });
        assert.deepStrictEqual(ok, { violations: [] });
    });

    it("reports YAML that cannot be parsed", async () => {
        const out = await runResource(requireZitiScrapeScheme, {
            type: CONFIGMAP,
            name: "cfg",
            props: change(configMap, (c) => (c.data["prometheus.yml"] = "scrape_configs: [unclosed")),
        });
        assert.strictEqual(out.violations.length, 1);
        assert.match(out.violations[0].message, /^ConfigMap 'monitoring\/prometheus-config' data\["prometheus.yml"\] is not valid YAML \(.+\), so its scrape configs could not be checked\. Fix: correct the YAML\.$/);
    });

    it("accepts an allow-listed exception", async () => {
        const out = await runResource(requireZitiScrapeScheme, {
            type: CONFIGMAP,
            name: "cfg",
            props: change(configMap, (c) => (c.data["prometheus.yml"] = prometheusYml + plainJob)),
            config: { allowlist: ["monitoring/prometheus-config"] },
        });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("says it could not be checked when the rendered prometheus.yml is unknown at preview", async () => {
        const out = await runResource(requireZitiScrapeScheme, {
            type: CONFIGMAP,
            name: "cfg",
            props: change(configMap, (c) => (c.data["prometheus.yml"] = UNKNOWN)),
        });
        assert.deepStrictEqual(out, {
            violations: [],
            couldNotBeChecked:
                "ConfigMap 'monitoring/prometheus-config' could not be checked by require-ziti-scrape-scheme: data[\"prometheus.yml\"] is not known during preview; " +
                "it is checked again when the value is known (pulumi up).",
        });
    });

    // Issue 21's upstream flavor: stock Prometheus scrapes plain http on 127.0.0.1 ports that the `ziti tunnel`
    // sidecar binds from proxy.v1 configs (binding 127.0.0.1). Judged by structure: a loopback target never
    // leaves the pod, whoever listens there (the tunneler carries it over Ziti), so no scheme is required.
    it("accepts the upstream flavor's plain http jobs to loopback proxy ports, and still refuses http to a pod address", async () => {
        const upstream = [
            "global: {scrape_interval: 15s, external_labels: {cluster: kubeA}}",
            "scrape_configs:",
            "  - job_name: kubeA.node-exporter",
            "    static_configs: [{targets: ['127.0.0.1:19100'], labels: {ziti_service: kubeA.node-exporter.svc}}]",
            "  - job_name: federate-kubeB",
            "    metrics_path: /federate",
            "    params: {'match[]': ['{job!=\"\"}']}",
            "    static_configs: [{targets: ['127.0.0.1:19200']}]",
            "",
        ].join("\n");
        const props = change(configMap, (c) => (c.data["prometheus.yml"] = upstream));
        assert.deepStrictEqual(await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props }), { violations: [] });
        const podIp = change(configMap, (c) => (c.data["prometheus.yml"] = upstream.replace("127.0.0.1:19200", "10.42.0.7:9090")));
        const out = await runResource(requireZitiScrapeScheme, { type: CONFIGMAP, name: "cfg", props: podIp });
        assert.match(out.violations[0].message, /scrape job 'federate-kubeB' uses scheme http for target 10\.42\.0\.7:9090 outside the pod/);
    });
});
