// The upstream flavor's Kubernetes workloads as seam data (flavors/types.ts Workload): per cluster the exporter
// pod (node_exporter + tunneler), the Prometheus pod (Prometheus, configmap-reload, tunneler), the hybrid
// cluster's ClusterIP Service, and, when the cluster's Kubernetes API is a Ziti service, a `ziti tunnel host`
// pod binding it as `<c>.ziti.id`; central: its Prometheus pod. Every namespace the program makes gets its
// NetworkPolicies first (networkPolicies.ts: default-deny, DNS and the Ziti ports out).
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { CentralPlace, ClusterPlace, IdentityJsons, KubernetesObject, Workload } from "../types";
import { exporterPodSpec, IDENTITY_SECRET_KEY, prometheusPodSpec, tunnelerContainer, UpstreamImages } from "./pods";
import { PROMETHEUS3 } from "./workloads/prometheus";
import { ZITI_TUNNEL } from "./workloads/zitiTunnel";
import { namespacePolicies } from "./networkPolicies";
import { clusterMode } from "./remoteWrite";
import { createHash } from "crypto";

/** Labels of a workload (the same keys as the article flavor's components/kubernetes.ts workloadLabels). */
export function labels(app: string, instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": instance, "app.kubernetes.io/managed-by": "scrape-anywhere" };
}
/**
 * The config a Prometheus runs, recorded on the Deployment's own metadata, never on its pod template: a template
 * change rolls the pod, and configmap-reload applies a config change in place (found by tier `flavor`: with the
 * hash on the template a scrape interval change replaced the pod).
 */
const CONFIG_HASH_ANNOTATION = "scrape-anywhere/config-sha256";

function identitySecret(resourceName: string, name: string, namespace: pulumi.Input<string>, json: pulumi.Input<string> | undefined,
    lbls: Record<string, string>): KubernetesObject {
    return { kind: "Secret", resourceName, args: {
        metadata: { name, namespace, labels: lbls }, type: "Opaque", stringData: { [IDENTITY_SECRET_KEY]: pulumi.secret(json ?? "") },
    } };
}

function deployment(resourceName: string, name: string, namespace: pulumi.Input<string>, lbls: Record<string, string>,
    spec: k8s.types.input.core.v1.PodSpec, annotations?: Record<string, pulumi.Input<string>>): KubernetesObject {
    return { kind: "Deployment", resourceName, args: {
        metadata: { name, namespace, labels: lbls, ...(annotations ? { annotations } : {}) },
        spec: { replicas: 1, selector: { matchLabels: lbls }, template: { metadata: { labels: lbls }, spec } },
    } };
}

const images = (i: Record<string, pulumi.Input<string>>): UpstreamImages => i as UpstreamImages;

/**
 * The Prometheus pod's objects. The ConfigMap changes in place and configmap-reload tells Prometheus
 * (no restart: that is what the reload is for); the Deployment's annotation records the config it was given.
 */
function prometheusObjects(p: string, instance: string, place: "dark" | "hybrid", mode: "server" | "agent" | "receiver", namespace: pulumi.Input<string>,
    imgs: Record<string, pulumi.Input<string>>, config: pulumi.Input<string>, identityJson: pulumi.Input<string> | undefined): KubernetesObject[] {
    const l = labels("prometheus", instance);
    return [
        { kind: "ConfigMap", resourceName: `${p}-prometheus-config`, args: { metadata: { name: "prometheus-config", namespace, labels: l }, data: { [PROMETHEUS3.configFileName]: config } } },
        identitySecret(`${p}-prometheus-identity`, "prometheus-identity", namespace, identityJson, l),
        deployment(`${p}-prometheus`, "prometheus", namespace, l,
            prometheusPodSpec({ place, mode, configMapName: "prometheus-config", identitySecretName: "prometheus-identity", images: images(imgs) }) as k8s.types.input.core.v1.PodSpec,
            { [CONFIG_HASH_ANNOTATION]: pulumi.output(config).apply(c => createHash("sha256").update(c).digest("hex")) }),
    ];
}

export function upstreamClusterWorkloads(place: ClusterPlace, config: pulumi.Input<string>, ids: IdentityJsons): Workload[] {
    const p = place.resourcePrefix;
    const c = place.name;
    const ns = place.namespace;
    // The policies select the very labels the Service and the tunneler's pod below carry.
    const l = labels("prometheus", c);
    const tl = labels("ziti-tunnel", c);
    const out: Workload[] = [{ name: "network-policies", objects: namespacePolicies({
        prefix: p, namespace: ns, ports: place.networkPolicy, labels: labels("network-policy", c),
        ...(place.kind === "hybrid" ? { inClusterPrometheus: { labels: l, port: PROMETHEUS3.port } } : {}),
        ...(place.kubernetesApi ? { kubernetesApiHost: { labels: tl } } : {}),
    }) }];
    if (place.kind === "hybrid") {
        out.push({ name: "prometheus-service", objects: [{ kind: "Service", resourceName: `${p}-prometheus-svc`, args: {
            metadata: { name: "prometheus", namespace: ns, labels: l },
            spec: { type: "ClusterIP", selector: l, ports: [{ name: "web", protocol: "TCP", port: 80, targetPort: PROMETHEUS3.port }] },
        } }] });
    }
    const el = labels("node-exporter", c);
    out.push({ name: "exporter", objects: [
        identitySecret(`${p}-exporter-identity`, "exporter-identity", ns, ids[`${c}.exporter.id`], el),
        deployment(`${p}-exporter`, "node-exporter", ns, el, exporterPodSpec({ identitySecretName: "exporter-identity", images: images(place.images) })),
    ] });
    const mode = place.remoteWrite ? clusterMode(place.kind, "remoteWrite") : "server";
    out.push({ name: "prometheus", objects: prometheusObjects(p, c, place.kind, mode, ns, place.images, config, ids[`${c}.prometheus.id`]) });
    if (place.kubernetesApi) {
        // The plan's <c>.k8s.svc is bound by <c>.ziti.id: a `ziti tunnel host` pod of its own, as the article's ziti-host.
        const tunnel = tunnelerContainer(place.images.tunneler as string | undefined);
        tunnel.command = [ZITI_TUNNEL.binary, "tunnel", "host", "--identity", `${ZITI_TUNNEL.identityDir}/${ZITI_TUNNEL.identityFileName}`, "--svcPollRate", String(ZITI_TUNNEL.servicePollSeconds)];
        const spec = exporterPodSpec({ identitySecretName: "ziti-tunnel-identity", images: images(place.images) });
        out.push({ name: "tunneler", objects: [
            identitySecret(`${p}-ziti-tunnel-identity`, "ziti-tunnel-identity", ns, ids[`${c}.ziti.id`], tl),
            deployment(`${p}-ziti-tunnel`, "ziti-tunnel", ns, tl, { ...spec, containers: [tunnel] }),
        ] });
    }
    return out;
}

export function upstreamCentralKubernetes(place: CentralPlace, config: pulumi.Input<string>, ids: IdentityJsons): Workload[] {
    const ns = place.namespace ?? "monitoring";
    return [
        { name: "network-policies", objects: namespacePolicies({ prefix: place.resourcePrefix, namespace: ns, ports: place.networkPolicy, labels: labels("network-policy", place.name) }) },
        { name: "prometheus", objects: prometheusObjects(place.resourcePrefix, place.name, "dark", place.remoteWrite ? "receiver" : "server", ns,
            place.images, config, ids[`${place.name}.prometheus.id`]) },
    ];
}
