// Kubernetes building blocks shared by the cluster and central components: the per-cluster provider,
// the restricted namespace, labels, the identity Secret, the Deployment shell and Prometheus' RBAC.
// What runs inside the pods (images, users, paths, env, flags) lives in ./workloads, one module per image.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesTarget } from "./config";

/** The key of the enrolled identity JSON in every identity Secret; workloads map it to the file name their image wants. */
export const IDENTITY_KEY = "identity.json";

/**
 * One explicit provider per cluster: kubeconfig/context from config, or, with neither, manifests
 * rendered into `target.renderDirectory` (`rendered/<stack>/<cluster>`) and no cluster contacted.
 */
export function createKubernetesProvider(name: string, target: KubernetesTarget, opts?: pulumi.CustomResourceOptions, clusterIdentifier?: string): k8s.Provider {
    if (target.renderDirectory) {
        // No skipUpdateUnreachable here: with it the plugin's Check returns the *old* inputs, so a new
        // object reaches Create empty (plugin panic "expected object name to be nonempty") and a changed
        // one is never re-rendered. `pulumi refresh` cannot read rendered objects (no cluster): refresh
        // only the Ziti entities with `pulumi refresh --exclude '**kubernetes:**'`.
        return new k8s.Provider(name, { renderYamlToDirectory: target.renderDirectory }, opts);
    }
    return new k8s.Provider(name, {
        kubeconfig: target.kubeconfig === undefined ? undefined : pulumi.secret(target.kubeconfig),
        context: target.context,
        ...(clusterIdentifier ? { clusterIdentifier } : {}),
        // A changed prometheus.yml updates the ConfigMap in place (the provider's default replaces it); the
        // Deployment rolls because its pod template carries the config's hash (workloads/prometheus.ts).
        enableConfigMapMutable: true,
    }, opts);
}

/**
 * Every namespace the program makes enforces the `restricted` Pod Security Standard: the API server's
 * Pod Security admission (built in since Kubernetes 1.25) refuses any pod that does not meet it.
 * Label names: kubernetes/pod-security-admission api/constants.go (k8s.io/pod-security-admission).
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = { "pod-security.kubernetes.io/enforce": "restricted" };

/** The workloads' namespace `name`, labelled with POD_SECURITY_LABELS. */
export function createNamespace(resourceName: string, name: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(resourceName, { metadata: { name, labels: { ...POD_SECURITY_LABELS } } }, opts);
}

/** Standard labels for one workload; the same object feeds selector and pod template. */
export function workloadLabels(app: string, instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": instance, "app.kubernetes.io/part-of": "scrape-anywhere" };
}

/** A Secret holding one enrolled Ziti identity under the key `identity.json`. The only place identity JSON goes. */
export function createIdentitySecret(name: string, args: { namespace: pulumi.Input<string>; secretName: string; identityJson: pulumi.Input<string>; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(name, {
        metadata: { name: args.secretName, namespace: args.namespace, labels: args.labels },
        type: "Opaque",
        stringData: { [IDENTITY_KEY]: pulumi.secret(args.identityJson) },
    }, opts);
}

/** A one-replica Deployment `name` whose selector and pod template carry the same `labels`. */
export function createDeployment(resourceName: string, args: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string>;
    podSpec: k8s.types.input.core.v1.PodSpec; podAnnotations?: Record<string, pulumi.Input<string>> }, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
    return new k8s.apps.v1.Deployment(resourceName, {
        metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: args.labels },
            template: {
                metadata: { labels: args.labels, annotations: args.podAnnotations },
                spec: args.podSpec,
            },
        },
    }, opts);
}

/** Pod template annotation holding the SHA-256 of prometheus.yml. */
export const CONFIG_HASH_ANNOTATION = "scrape-anywhere/config-sha256";

/** The SHA-256 (hex) of a config text, for CONFIG_HASH_ANNOTATION. */
export function configHash(config: string): string {
    return (require("crypto") as typeof import("crypto")).createHash("sha256").update(config).digest("hex");
}

/** A ServiceAccount, ClusterRole and ClusterRoleBinding so Prometheus can discover and scrape the Kubernetes API. */
export function createPrometheusRbac(name: string, args: { namespace: pulumi.Input<string>; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions): k8s.core.v1.ServiceAccount {
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-prometheus-sa`, {
        metadata: { name: "prometheus", namespace: args.namespace, labels: args.labels },
    }, opts);
    const role = new k8s.rbac.v1.ClusterRole(`${name}-prometheus-role`, {
        metadata: { name: pulumi.interpolate`${args.namespace}-prometheus`, labels: args.labels },
        rules: [
            { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
            { nonResourceURLs: ["/metrics"], verbs: ["get"] },
        ],
    }, opts);
    new k8s.rbac.v1.ClusterRoleBinding(`${name}-prometheus-binding`, {
        metadata: { name: pulumi.interpolate`${args.namespace}-prometheus`, labels: args.labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: args.namespace }],
    }, opts);
    return serviceAccount;
}
