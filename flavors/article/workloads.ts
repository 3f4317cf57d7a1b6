// The article flavor's Kubernetes workloads as data, in the order the components create them (which keeps every
// URN and dependency as before the reshape): reflectz (its own component), Prometheus' RBAC, the Prometheus pod
// (underlay behind a ClusterIP Service in a hybrid place, overlay-only in a dark place and centrally), and the
// ziti-host tunneler. Pod contents come from each image's module (sources named there).
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_HASH_ANNOTATION, configHash, IDENTITY_KEY, workloadLabels } from "../../plan/kubernetes";
import { PROMETHEUS, prometheusPodSpec, PrometheusListen } from "./prometheus";
import { reflectzPodSpec } from "./reflectz";
import { zitiHostPodSpec } from "./zitiHost";
import type { CentralPlace, ClusterPlace, IdentityJsons, KubernetesObject, Workload } from "../types";
import { HYBRID_SERVICE, hasTunneler } from "./ziti";

function identitySecret(resourceName: string, secretName: string, namespace: pulumi.Input<string>, identityJson: pulumi.Input<string>,
    labels: Record<string, string>): KubernetesObject {
    return { kind: "Secret", resourceName, args: {
        metadata: { name: secretName, namespace, labels }, type: "Opaque", stringData: { [IDENTITY_KEY]: pulumi.secret(identityJson) },
    } };
}

function deployment(resourceName: string, name: string, namespace: pulumi.Input<string>, labels: Record<string, string>,
    podSpec: import("@pulumi/kubernetes").types.input.core.v1.PodSpec, podAnnotations?: Record<string, pulumi.Input<string>>): KubernetesObject {
    return { kind: "Deployment", resourceName, args: {
        metadata: { name, namespace, labels },
        spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels, annotations: podAnnotations }, spec: podSpec } },
    } };
}

/** ServiceAccount, ClusterRole and ClusterRoleBinding so Prometheus can discover and scrape the Kubernetes API. */
function prometheusRbac(p: string, namespace: pulumi.Input<string>, labels: Record<string, string>): KubernetesObject[] {
    const name = pulumi.interpolate`${namespace}-prometheus`;
    return [
        { kind: "ServiceAccount", resourceName: `${p}-prometheus-sa`, args: { metadata: { name: "prometheus", namespace, labels } } },
        { kind: "ClusterRole", resourceName: `${p}-prometheus-role`, args: { metadata: { name, labels }, rules: [
            { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
            { nonResourceURLs: ["/metrics"], verbs: ["get"] },
        ] } },
        { kind: "ClusterRoleBinding", resourceName: `${p}-prometheus-binding`, args: {
            metadata: { name, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace }],
        } },
    ];
}

/** The Prometheus ConfigMap, identity Secret and Deployment (`<p>-prometheus-*`). */
export function prometheusObjects(p: string, instance: string, namespace: pulumi.Input<string>, image: pulumi.Input<string>, config: pulumi.Input<string>,
    identityJson: pulumi.Input<string>, listen: PrometheusListen, serviceAccountName?: string): KubernetesObject[] {
    const labels = workloadLabels("prometheus", instance);
    return [
        { kind: "ConfigMap", resourceName: `${p}-prometheus-config`, args: { metadata: { name: "prometheus-config", namespace, labels }, data: { [PROMETHEUS.configFileName]: config } } },
        identitySecret(`${p}-prometheus-identity`, "prometheus-identity", namespace, identityJson, labels),
        deployment(`${p}-prometheus`, "prometheus", namespace, labels,
            prometheusPodSpec({ image, configMapName: "prometheus-config", identitySecretName: "prometheus-identity", serviceAccountName, listen }),
            { [CONFIG_HASH_ANNOTATION]: pulumi.output(config).apply(configHash) }),
    ];
}

/** Every workload of a cluster place (see the top of this file). */
export function articleClusterWorkloads(place: ClusterPlace, config: pulumi.Input<string>, ids: IdentityJsons): Workload[] {
    const p = place.resourcePrefix;
    const c = place.name;
    const ns = place.namespace;
    const img = place.images;
    const promLabels = workloadLabels("prometheus", c);
    const hybrid = place.kind === "hybrid";
    const out: Workload[] = [];
    if (hybrid) {
        out.push({ name: "prometheus-service", objects: [{ kind: "Service", resourceName: `${p}-prometheus-svc`, args: {
            metadata: { name: HYBRID_SERVICE.name, namespace: ns, labels: promLabels },
            spec: { type: "ClusterIP", selector: promLabels, ports: [{ name: "web", protocol: "TCP", port: HYBRID_SERVICE.port, targetPort: PROMETHEUS.port }] },
        } }] });
    }
    const reflectLabels = workloadLabels("reflectz", c);
    out.push({ name: "reflectz", group: "Reflectz", objects: [
        identitySecret(`${p}-reflectz-identity`, "reflectz-identity", ns, ids[`${c}.reflect.id`], reflectLabels),
        deployment(`${p}-reflectz-deployment`, "reflectz", ns, reflectLabels, reflectzPodSpec({
            image: img.reflectz, identitySecretName: "reflectz-identity", serviceName: place.serviceNames.reflect, scrapeServiceName: place.serviceNames.reflectScrape,
        })),
    ] });
    const listen: PrometheusListen = hybrid
        ? { mode: "underlay", reloadImage: img.configmapReload }
        : { mode: "overlay", reloadImage: img.zitiConfigmapReload, serviceName: place.serviceNames.prometheus, identityName: `${c}.prometheus.id` };
    out.push({ name: "prometheus", objects: [
        ...prometheusRbac(p, ns, promLabels),
        ...prometheusObjects(p, c, ns, img.prometheus, config, ids[`${c}.prometheus.id`], listen, "prometheus"),
    ] });
    if (hasTunneler(place)) {
        const labels = workloadLabels("ziti-host", c);
        out.push({ name: "tunneler", objects: [
            identitySecret(`${p}-ziti-host-identity`, "ziti-host-identity", ns, ids[`${c}.ziti.id`], labels),
            deployment(`${p}-ziti-host`, "ziti-host", ns, labels, zitiHostPodSpec({ image: img.tunneler, identitySecretName: "ziti-host-identity" })),
        ] });
    }
    return out;
}

/** The central Prometheus on Kubernetes: dark, reloaded over Ziti. */
export function articleCentralKubernetes(place: CentralPlace, config: pulumi.Input<string>, ids: IdentityJsons): Workload[] {
    const id = `${place.name}.prometheus.id`;
    return [{ name: "prometheus", objects: prometheusObjects(place.resourcePrefix, place.name, place.namespace ?? "monitoring", place.images.prometheus, config, ids[id],
        { mode: "overlay", reloadImage: place.images.zitiConfigmapReload, serviceName: `${place.name}.prometheus.svc`, identityName: id }) }];
}
