// The stack config: defaults, the cluster list, and every bad-config case failing with a clear message.
import * as assert from "assert";
import { PROMETHEUS_IMAGE } from "../../flavors/article/prometheus";
import { parseConfig, RawConfig } from "../../config";

const dev = (extra: RawConfig = {}): RawConfig => ({
    role: "dev",
    // The article flavor's images and service names are what these cases assert (the default is upstream: flavors.spec).
    flavor: "article",
    clusters: [{ name: "kubeA", kind: "hybrid" }, { name: "kubeB", kind: "dark" }],
    ...extra,
});

describe("stack config", function () {
    describe("valid config", function () {
        it("fills the dev defaults: render folders per cluster, central in a rendered cluster, default images", function () {
            const cfg = parseConfig(dev(), "dev");
            assert.deepStrictEqual(cfg.clusters.map(c => [c.name, c.kind, c.namespace, c.kubernetes.renderDirectory]), [
                ["kubeA", "hybrid", "monitoring", "rendered/dev/kubeA"],
                ["kubeB", "dark", "monitoring", "rendered/dev/kubeB"],
            ]);
            assert.deepStrictEqual(cfg.central, {
                name: "central", placement: "kubernetes", namespace: "monitoring",
                kubernetes: { renderDirectory: "rendered/dev/central" }, dockerHost: undefined, dockerNetworkMode: undefined,
            });
            assert.strictEqual(cfg.images.prometheus, PROMETHEUS_IMAGE);
            assert.deepStrictEqual(cfg.edgeRouterRoles, ["#all"]);
            assert.deepStrictEqual(cfg.clusters[0].serviceNames,
                { reflect: "kubeA.reflect.svc", reflectScrape: "kubeA.reflect.scrape.svc", prometheus: "kubeA.prometheus.svc" });
        });

        it("defaults the role to dev", function () {
            assert.strictEqual(parseConfig({ clusters: [{ name: "kubeA" }] }, "s").role, "dev");
        });

        it("uses a real cluster when a context or kubeconfig is given, not the render folder", function () {
            const cfg = parseConfig({ role: "cluster", clusters: [{ name: "kubeA", context: "kind-a" }] }, "clusterA");
            assert.deepStrictEqual(cfg.clusters[0].kubernetes, { kubeconfig: undefined, context: "kind-a" });
            assert.strictEqual(cfg.central, undefined);
        });

        it("generates clusterCount clusters (gen001...) alternating hybrid and dark, after the listed ones", function () {
            const cfg = parseConfig({ role: "dev", clusterCount: 100 }, "bench");
            assert.strictEqual(cfg.clusters.length, 100);
            assert.deepStrictEqual(cfg.clusters.slice(0, 3).map(c => [c.name, c.kind]), [["gen001", "hybrid"], ["gen002", "dark"], ["gen003", "hybrid"]]);
            assert.strictEqual(cfg.clusters[99].name, "gen100");
            assert.strictEqual(cfg.clusters[99].kubernetes.renderDirectory, "rendered/bench/gen100");
            const mixed = parseConfig(dev({ clusterCount: "10", generatedClusterKind: "dark" }), "bench");
            assert.strictEqual(mixed.clusters.length, 12);
            assert.ok(mixed.clusters.slice(2).every(c => c.kind === "dark"));
        });

        it("accepts a central stack with stack references", function () {
            const cfg = parseConfig({ role: "central", stackReferences: ["organization/scrape-anywhere/clusterA"] }, "central");
            assert.deepStrictEqual(cfg.stackReferences, ["organization/scrape-anywhere/clusterA"]);
            assert.deepStrictEqual(cfg.clusters, []);
        });
    });

    describe("bad config fails before anything is created", function () {
        const cases: [string, RawConfig, RegExp][] = [
            ["an unknown role", { role: "edge", clusters: [{ name: "kubeA" }] }, /scrape-anywhere:role: unknown role "edge"; use one of: dev, cluster, central/],
            ["a cluster name with '-'", dev({ clusters: [{ name: "kube-a" }] }), /cluster name "kube-a" contains '-': prometheuz splits scrape targets/],
            ["a service name with '-'", dev({ clusters: [{ name: "kubeA", serviceNames: { prometheus: "kubeA.prom-svc" } }] }),
                /serviceNames.prometheus: Ziti service name "kubeA.prom-svc" contains '-'/],
            ["duplicate cluster names", dev({ clusters: [{ name: "kubeA" }, { name: "kubeA", kind: "dark" }] }), /duplicate cluster name "kubeA"/],
            ["cluster names that differ only in case", dev({ clusters: [{ name: "kubeA" }, { name: "KUBEA" }] }), /duplicate cluster name "KUBEA"/],
            ["a central stack with no clusters", { role: "central" }, /scrape-anywhere:stackReferences: the central stack has no clusters/],
            ["a central stack with an empty reference list", { role: "central", stackReferences: [] }, /the central stack has no clusters/],
            ["a dev stack with no clusters", { role: "dev" }, /needs at least one cluster/],
            ["an empty image", dev({ images: { prometheus: "" } }), /scrape-anywhere:images.prometheus: image must be a non-empty string/],
            ["a blank image", dev({ images: { reflectz: "  " } }), /images.reflectz: image must be a non-empty string/],
            ["an unknown image key", dev({ images: { grafana: "grafana/grafana" } }), /images.grafana: unknown image/],
            ["an unknown cluster kind", dev({ clusters: [{ name: "kubeA", kind: "bright" }] }), /scrape-anywhere:clusters\[0\]\.kind: unknown cluster kind "bright" for cluster "kubeA"; use one of: hybrid, dark/],
            ["a cluster stack with two clusters", { role: "cluster", clusters: [{ name: "a" }, { name: "b" }] }, /exactly one cluster, got 2 \(a, b\)/],
            ["a cluster stack with no cluster", { role: "cluster" }, /exactly one cluster, got 0/],
            ["a central name that is also a cluster name", dev({ central: { name: "kubeA" } }), /"kubeA" is also a cluster name/],
            ["an unknown central placement", dev({ central: { placement: "lambda" } }), /unknown placement "lambda"/],
            ["the host network for the Docker placement", dev({ central: { placement: "docker", dockerNetworkMode: "host" } }), /dockerNetworkMode: "host" is not allowed/],
            ["a negative clusterCount", dev({ clusterCount: -1 }), /clusterCount: must be a whole number/],
            ["a non-list clusters value", { role: "dev", clusters: "kubeA" }, /scrape-anywhere:clusters: must be a list/],
            ["a bad namespace", dev({ namespace: "Mon_itoring" }), /not a valid Kubernetes namespace/],
            ["a bad scrape interval", dev({ scrapeInterval: "soon" }), /not a Prometheus duration/],
            ["an unknown key in a cluster", dev({ clusters: [{ name: "kubeA", contxt: "kind-a" }] }),
                /scrape-anywhere:clusters\[0\]\.contxt: unknown key; known: name, kind, namespace, context, kubeconfig/],
            ["a context that is not text", dev({ clusters: [{ name: "kubeA", context: 5 }] }), /scrape-anywhere:clusters\[0\]\.context: must be a string, got 5/],
            ["an empty name in a list", dev({ clientIdentities: ["ops.client", ""] }), /scrape-anywhere:clientIdentities: must be a list of non-empty strings, got \["ops.client",""\]/],
            ["a cluster name that starts with a digit", dev({ clusters: [{ name: "9kube" }] }), /clusters\[0\]\.name: cluster name "9kube" must start with a letter/],
            ["stack references outside the central role", dev({ stackReferences: ["organization/scrape-anywhere/clusterA"] }), /only the central role reads stack references/],
        ];
        for (const [what, raw, message] of cases) {
            it(`rejects ${what}`, function () {
                assert.throws(() => parseConfig(raw, "dev"), (e: Error) => {
                    assert.strictEqual(e.name, "ConfigError");
                    assert.match(e.message, message);
                    return true;
                });
            });
        }
    });
});
