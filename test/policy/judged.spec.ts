// Issue 23: exposure by annotation or label, in-cluster installers, unknown custom resources (and the
// strict profile), and routes judged by their parents. A compliant baseline per shape, one field changed.
import * as assert from "assert";
import { disallowExposingAnnotationsAndLabels, disallowIngressAndGateway, disallowOpaqueInstallers, disallowUnknownCustomResources } from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { service } from "./fixtures";

const messages = (out: { violations: { message: string }[] }) => out.violations.map((v) => v.message);
const CONTAINER = "docker:index/container:Container";

describe("policy: exposure by annotation or label (issue 23, disallow-exposing-annotations-and-labels)", () => {
    const svc = { ...service, metadata: { ...service.metadata, annotations: { "prometheus.io/scrape": "true" } as Record<string, unknown>, labels: {} as Record<string, unknown> } };
    const container = { name: "prom", image: "prom/prometheus", labels: [{ label: "com.example.team", value: "obs" }] };

    it("accepts the baseline Service and container (unrelated annotations and labels)", async () => {
        assert.deepStrictEqual(await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props: svc }), { violations: [] });
        assert.deepStrictEqual(await runResource(disallowExposingAnnotationsAndLabels, { type: CONTAINER, name: "prom", props: container }), { violations: [] });
    });

    it("rejects a ClusterIP Service annotated for the Tailscale operator, and accepts tailscale.com/expose: false", async () => {
        const props = change(svc, (s) => (s.metadata.annotations["tailscale.com/expose"] = "true"));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props })), [
            "Service 'monitoring/prometheus' carries the annotation metadata.annotations[\"tailscale.com/expose\"]: true, so the Tailscale Kubernetes operator (a proxy joins the tailnet for the Service) exposes it. " +
                "Fix: remove the annotation and publish the workload as a Ziti service, or allow-list 'monitoring/prometheus'.",
        ]);
        const off = change(svc, (s) => (s.metadata.annotations["tailscale.com/expose"] = "false"));
        assert.deepStrictEqual(await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props: off }), { violations: [] });
    });

    it("rejects a ClusterIP Service annotated for the NetBird operator, whatever the value (the operator tests only the key)", async () => {
        const props = change(svc, (s) => (s.metadata.annotations["netbird.io/expose"] = "false"));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props })), [
            "Service 'monitoring/prometheus' carries the annotation metadata.annotations[\"netbird.io/expose\"]: false, so the NetBird Kubernetes operator (a routing peer publishes the Service on the NetBird network) exposes it. " +
                "Fix: remove the annotation and publish the workload as a Ziti service, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("rejects a netbird.io/expose annotation whose value is unknown at preview (the key alone exposes)", async () => {
        const props = change(svc, (s) => (s.metadata.annotations["netbird.io/expose"] = UNKNOWN));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props })), [
            "Service 'monitoring/prometheus' carries the annotation metadata.annotations[\"netbird.io/expose\"]: <unknown>, so the NetBird Kubernetes operator (a routing peer publishes the Service on the NetBird network) exposes it. " +
                "Fix: remove the annotation and publish the workload as a Ziti service, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("rejects a container labelled for TSDProxy (tsdproxy.enable=true)", async () => {
        const props = change(container, (c) => c.labels.push({ label: "tsdproxy.enable", value: "true" }));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: CONTAINER, name: "prom", props })), [
            "Docker container 'prom' carries the label labels[1] tsdproxy.enable: true, so TSDProxy (the container joins the tailnet as its own machine) exposes it. " +
                "Fix: remove the label and publish the workload as a Ziti service, or allow-list 'docker/prom'.",
        ]);
    });

    it("rejects a container labelled for Traefik, by traefik.enable and by a router label", async () => {
        const enabled = change(container, (c) => c.labels.push({ label: "traefik.enable", value: "true" }));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: CONTAINER, name: "prom", props: enabled })), [
            "Docker container 'prom' carries the label labels[1] traefik.enable: true, so Traefik's Docker provider exposes it. " +
                "Fix: remove the label and publish the workload as a Ziti service, or allow-list 'docker/prom'.",
        ]);
        const routed = change(container, (c) => c.labels.push({ label: "traefik.tcp.routers.prom.rule", value: "HostSNI(`*`)" }));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: CONTAINER, name: "prom", props: routed })), [
            "Docker container 'prom' carries the label labels[1] traefik.tcp.routers.prom.rule: HostSNI(`*`), so Traefik's Docker provider (a TCP router) exposes it. " +
                "Fix: remove the label and publish the workload as a Ziti service, or allow-list 'docker/prom'.",
        ]);
    });

    it("rejects a caddy-docker-proxy site label on a container and on a swarm service's containers", async () => {
        const caddy = change(container, (c) => c.labels.push({ label: "caddy", value: "prom.example.com" }));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: CONTAINER, name: "prom", props: caddy })), [
            "Docker container 'prom' carries the label labels[1] caddy: prom.example.com, so caddy-docker-proxy (a site block) exposes it. " +
                "Fix: remove the label and publish the workload as a Ziti service, or allow-list 'docker/prom'.",
        ]);
        const swarm = { name: "prom", taskSpec: { containerSpec: { image: "prom/prometheus", labels: [{ label: "com.example.team", value: "obs" }] } } };
        assert.deepStrictEqual(await runResource(disallowExposingAnnotationsAndLabels, { type: "docker:index/service:Service", name: "prom", props: swarm }), { violations: [] });
        const labelled = change(swarm, (w) => (w.taskSpec.containerSpec.labels[0] = { label: "caddy_1.reverse_proxy", value: "{{upstreams 9090}}" }));
        assert.deepStrictEqual(messages(await runResource(disallowExposingAnnotationsAndLabels, { type: "docker:index/service:Service", name: "prom", props: labelled })), [
            "Docker service 'prom' carries the label taskSpec.containerSpec.labels[0] caddy_1.reverse_proxy: {{upstreams 9090}}, so caddy-docker-proxy (a site block) exposes it. " +
                "Fix: remove the label and publish the workload as a Ziti service, or allow-list 'docker/prom'.",
        ]);
    });

    it("takes a team's own marks, and says it could not be checked when an exposing key's value is unknown", async () => {
        const mark = { platform: "kubernetes", on: "label", key: "example.com/public", equals: "yes", via: "the example operator" };
        const props = change(svc, (s) => (s.metadata.labels["example.com/public"] = "yes"));
        const out = await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props, config: { additionalExposingMarks: [mark] } });
        assert.match(messages(out)[0], /carries the label metadata\.labels\["example\.com\/public"\]: yes, so the example operator exposes it/);
        const unknown = change(svc, (s) => (s.metadata.annotations["tailscale.com/expose"] = UNKNOWN));
        const out2 = await runResource(disallowExposingAnnotationsAndLabels, { type: "kubernetes:core/v1:Service", name: "p", props: unknown });
        assert.match(out2.couldNotBeChecked ?? "", /metadata\.annotations\["tailscale\.com\/expose"\] is not known during preview/);
    });
});

const meta = (name: string) => ({ namespace: "flux-system", name });

describe("policy: in-cluster installers are opaque (issue 23, disallow-opaque-installers)", () => {
    const unseen = "installs Kubernetes objects that this policy pack cannot see, so Services, Ingresses and pod specs in them were not checked. " +
        "Fix: deploy those objects from the program (kubernetes.helm.v4.Chart or yaml.v2.ConfigGroup register each one, and the pack checks it), or review what it installs and allow-list";

    it("flags a Flux HelmRelease, an Argo CD Application, a k3s HelmChart and a Flux Kustomization, naming what they install", async () => {
        const cases: [string, Record<string, unknown>, string][] = [
            ["kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease", { metadata: meta("ingress"), spec: { chart: { spec: { chart: "ingress-nginx" } } } },
                `HelmRelease 'flux-system/ingress' is a helm.toolkit.fluxcd.io HelmRelease (chart ingress-nginx): Flux's helm-controller ${unseen} 'flux-system/ingress'.`],
            ["kubernetes:argoproj.io/v1alpha1:Application", { metadata: meta("guestbook"), spec: { source: { repoURL: "https://git.example.com/apps" } } },
                `Application 'flux-system/guestbook' is an argoproj.io Application (source https://git.example.com/apps): Argo CD ${unseen} 'flux-system/guestbook'.`],
            ["kubernetes:helm.cattle.io/v1:HelmChart", { metadata: meta("traefik"), spec: { chart: "traefik" } },
                `HelmChart 'flux-system/traefik' is a helm.cattle.io HelmChart (chart traefik): the k3s/RKE2 helm-controller ${unseen} 'flux-system/traefik'.`],
            ["kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", { metadata: meta("apps"), spec: { path: "./apps" } },
                `Kustomization 'flux-system/apps' is a kustomize.toolkit.fluxcd.io Kustomization (path ./apps): Flux's kustomize-controller ${unseen} 'flux-system/apps'.`],
        ];
        for (const [type, props, message] of cases) {
            assert.deepStrictEqual(messages(await runResource(disallowOpaqueInstallers, { type, name: "i", props })), [message], type);
        }
    });

    it("accepts a reviewed installer through the allow-list, and a Kustomization of kustomize.config.k8s.io (a file format, not a controller)", async () => {
        const type = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
        assert.strictEqual((await runResource(disallowOpaqueInstallers, { type, name: "k", props: { metadata: meta("apps"), spec: { path: "./apps" } } })).violations.length, 1);
        assert.deepStrictEqual(await runResource(disallowOpaqueInstallers, { type, name: "k", props: { metadata: meta("apps") }, config: { allowlist: ["flux-system/apps"] } }), { violations: [] });
        assert.deepStrictEqual(await runResource(disallowOpaqueInstallers, { type: "kubernetes:kustomize.config.k8s.io/v1beta1:Kustomization", name: "k", props: { metadata: meta("apps") } }), { violations: [] });
    });
});

describe("policy: unknown custom resources and the strict profile (issue 23, disallow-unknown-custom-resources)", () => {
    const crd = { metadata: { namespace: "apps", name: "thing" }, spec: {} };
    const TYPE = "kubernetes:widgets.example.com/v1:Widget";

    it("passes built-in kinds, curated safe groups, and kinds other rules judge by name", async () => {
        for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "kubernetes:external-secrets.io/v1:ExternalSecret",
            "kubernetes:route.openshift.io/v1:Route", "kubernetes:argoproj.io/v1alpha1:Application", "kubernetes:helm.sh/v3:Release", "kubernetes:yaml/v2:ConfigGroup"]) {
            assert.deepStrictEqual(await runResource(disallowUnknownCustomResources, { type, name: "x", props: crd }), { violations: [] }, type);
        }
    });

    it("gives an unknown group an advisory finding, and a mandatory one under strict", async () => {
        const out = await runResource(disallowUnknownCustomResources, { type: TYPE, name: "thing", props: crd });
        assert.deepStrictEqual(out.violations, [{
            message: "Widget 'apps/thing' is a widgets.example.com Widget, a custom resource of a group this policy pack does not know, so it cannot prove that its controller exposes nothing. " +
                "Fix: review its controller, then add 'widgets.example.com' to additionalSafeGroups if it exposes nothing, or add the kind to disallow-exposing-custom-resources' additionalExposureKinds if it does; or allow-list 'apps/thing'.",
        }]);
        const strict = await runResource(disallowUnknownCustomResources, { type: TYPE, name: "thing", props: crd, config: { strict: true } });
        assert.deepStrictEqual(strict.violations, [{
            level: "mandatory",
            message: "Widget 'apps/thing' is a widgets.example.com Widget, a custom resource of a group this policy pack does not know, so it cannot prove that its controller exposes nothing (strict profile). " +
                "Fix: review its controller, then add 'widgets.example.com' to additionalSafeGroups if it exposes nothing, or add the kind to disallow-exposing-custom-resources' additionalExposureKinds if it does; or allow-list 'apps/thing'.",
        }]);
    });

    it("judges cert-manager and an Istio DestinationRule as unknown (not in the curated list), and takes additionalSafeGroups", async () => {
        for (const [type, group, kind] of [["kubernetes:cert-manager.io/v1:Issuer", "cert-manager.io", "Issuer"], ["kubernetes:networking.istio.io/v1:DestinationRule", "networking.istio.io", "DestinationRule"]]) {
            assert.deepStrictEqual(messages(await runResource(disallowUnknownCustomResources, { type, name: "x", props: crd })), [
                `${kind} 'apps/thing' is a ${group} ${kind}, a custom resource of a group this policy pack does not know, so it cannot prove that its controller exposes nothing. ` +
                    `Fix: review its controller, then add '${group}' to additionalSafeGroups if it exposes nothing, or add the kind to disallow-exposing-custom-resources' additionalExposureKinds if it does; or allow-list 'apps/thing'.`,
            ], type);
        }
        assert.deepStrictEqual(await runResource(disallowUnknownCustomResources, { type: TYPE, name: "thing", props: crd, config: { additionalSafeGroups: ["widgets.example.com"] } }), { violations: [] });
    });
});

describe("policy: Gateway API routes judged by their parents (issue 23, disallow-ingress-and-gateway)", () => {
    const route = { metadata: { namespace: "apps", name: "web" }, spec: { parentRefs: [{ group: "", kind: "Service", name: "web" }], rules: [] } as Record<string, unknown> };
    const HTTPROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

    it("accepts mesh routes (GAMMA): HTTPRoute and GRPCRoute whose only parents are Services", async () => {
        assert.deepStrictEqual(await runResource(disallowIngressAndGateway, { type: HTTPROUTE, name: "web", props: route }), { violations: [] });
        assert.deepStrictEqual(await runResource(disallowIngressAndGateway, { type: "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute", name: "web", props: route }), { violations: [] });
    });

    it("rejects a route with a Gateway parent (the default kind), one Gateway parent among Services, and no parents", async () => {
        const expected = "HTTPRoute 'apps/web' attaches to a Gateway (spec.parentRefs), which publishes workloads to the network. " +
            "Fix: remove it and publish the workload as a Ziti service, attach it only to Services (mesh routing: parentRefs of group \"\" and kind Service), or allow-list 'apps/web'.";
        for (const edit of [
            (r: typeof route) => (r.spec.parentRefs = [{ name: "public" }]),
            (r: typeof route) => (r.spec.parentRefs = [{ group: "", kind: "Service", name: "web" }, { kind: "Gateway", name: "public" }]),
            (r: typeof route) => delete r.spec.parentRefs,
        ]) {
            assert.deepStrictEqual(messages(await runResource(disallowIngressAndGateway, { type: HTTPROUTE, name: "web", props: change(route, edit) })), [expected]);
        }
    });

    it("says it could not be checked when the parentRefs are unknown at preview", async () => {
        const out = await runResource(disallowIngressAndGateway, { type: HTTPROUTE, name: "web", props: change(route, (r) => (r.spec.parentRefs = UNKNOWN)) });
        assert.deepStrictEqual(out.violations, []);
        assert.match(out.couldNotBeChecked ?? "", /spec\.parentRefs is not known during preview/);
    });
});
