// Kubernetes building blocks shared by the cluster and central components: the per-cluster provider,
// the identity Secret, the Prometheus Deployment (underlay or overlay-only listener) and its RBAC.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesTarget } from "./config";
import { CONFIG_DIR, CONFIG_FILE, CONFIG_KEY, IDENTITY_DIR, IDENTITY_FILE, IDENTITY_KEY, PROMETHEUS_PORT } from "./prometheusConfig";

/** Where the zitified configmap-reload expects its identity. */
export const RELOAD_IDENTITY_FILE = "/run/secrets/ziti.identity.json";

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
        // Deployment rolls because its pod template carries the config's hash (createPrometheusWorkload).
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

/**
 * The in-cluster Ziti tunneler (`ziti-host`, `run-host`): it makes outbound connections only and hosts
 * every service its identity may bind, forwarding as their host.v1 configs say. Identity from a Secret.
 */
export function createZitiHost(name: string, args: { namespace: pulumi.Input<string>; instance: string; image: pulumi.Input<string>; identityJson: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
    const labels = workloadLabels("ziti-host", args.instance);
    const secret = createIdentitySecret(`${name}-ziti-host-identity`, {
        namespace: args.namespace, secretName: "ziti-host-identity", identityJson: args.identityJson, labels,
    }, opts);
    return createDeployment(`${name}-ziti-host`, {
        name: "ziti-host", namespace: args.namespace, labels,
        podSpec: {
            automountServiceAccountToken: false,
            containers: [{
                name: "ziti-host",
                image: args.image,
                args: ["run-host"],
                env: [{ name: "ZITI_IDENTITY_BASENAME", value: "ziti_id" }],
                volumeMounts: [{ name: "ziti-identity", mountPath: "/netfoundry", readOnly: true }],
            }],
            volumes: [{
                name: "ziti-identity",
                secret: { secretName: secret.metadata.name, defaultMode: 0o400, items: [{ key: IDENTITY_KEY, path: "ziti_id.json" }] },
            }],
        },
    }, opts);
}

/** Pod template annotation holding the SHA-256 of prometheus.yml. */
export const CONFIG_HASH_ANNOTATION = "scrape-anywhere/config-sha256";

function configHash(config: string): string {
    return (require("crypto") as typeof import("crypto")).createHash("sha256").update(config).digest("hex");
}

export interface PrometheusWorkloadArgs {
    namespace: pulumi.Input<string>;
    /** Instance label value (the cluster or central name). */
    instance: string;
    /** prometheuz image. */
    image: pulumi.Input<string>;
    /** The rendered prometheus.yml. */
    config: pulumi.Input<string>;
    /** The Prometheus identity JSON (secret). */
    identityJson: pulumi.Input<string>;
    /** Service account with Kubernetes API access; absent = none mounted. */
    serviceAccountName?: pulumi.Input<string>;
    /**
     * `underlay`: Prometheus listens on :9090 in the pod and a plain configmap-reload calls
     * `http://127.0.0.1:9090/-/reload`.
     * `overlay`: Prometheus binds `serviceName` as `identityName` and listens on nothing else
     * (`ZITI_LISTENER_*`); a zitified configmap-reload calls it over Ziti.
     */
    listen:
        | { mode: "underlay"; reloadImage: pulumi.Input<string> }
        | { mode: "overlay"; reloadImage: pulumi.Input<string>; serviceName: pulumi.Input<string>; identityName: pulumi.Input<string> };
}

export interface PrometheusWorkload {
    configMap: k8s.core.v1.ConfigMap;
    identitySecret: k8s.core.v1.Secret;
    deployment: k8s.apps.v1.Deployment;
    labels: Record<string, string>;
}

/** The Prometheus ConfigMap, identity Secret and Deployment, named `<name>-prometheus-*`. */
export function createPrometheusWorkload(name: string, args: PrometheusWorkloadArgs, opts: pulumi.CustomResourceOptions): PrometheusWorkload {
    const labels = workloadLabels("prometheus", args.instance);
    const configMap = new k8s.core.v1.ConfigMap(`${name}-prometheus-config`, {
        metadata: { name: "prometheus-config", namespace: args.namespace, labels },
        data: { [CONFIG_KEY]: args.config },
    }, opts);
    const identitySecret = createIdentitySecret(`${name}-prometheus-identity`, {
        namespace: args.namespace, secretName: "prometheus-identity", identityJson: args.identityJson, labels,
    }, opts);

    const prometheusArgs = [
        `--config.file=${CONFIG_FILE}`,
        "--storage.tsdb.path=/prometheus",
        "--web.enable-lifecycle",
    ];
    const mounts = [
        { name: "config", mountPath: CONFIG_DIR, readOnly: true },
        { name: "ziti-identity", mountPath: IDENTITY_DIR, readOnly: true },
        { name: "storage", mountPath: "/prometheus" },
    ];
    const listen = args.listen;
    const prometheus: k8s.types.input.core.v1.Container = listen.mode === "underlay"
        ? {
            name: "prometheus",
            image: args.image,
            args: prometheusArgs,
            ports: [{ name: "web", containerPort: PROMETHEUS_PORT }],
            volumeMounts: mounts,
        }
        : {
            name: "prometheus",
            image: args.image,
            args: prometheusArgs,
            env: [
                { name: "ZITI_LISTENER_SERVICE_NAME", value: listen.serviceName },
                { name: "ZITI_LISTENER_IDENTITY_FILE", value: IDENTITY_FILE },
                { name: "ZITI_LISTENER_IDENTITY_NAME", value: listen.identityName },
            ],
            volumeMounts: mounts,
        };
    const reload: k8s.types.input.core.v1.Container = listen.mode === "underlay"
        ? {
            name: "configmap-reload",
            image: listen.reloadImage,
            args: [`--volume-dir=${CONFIG_DIR}`, `--webhook-url=http://127.0.0.1:${PROMETHEUS_PORT}/-/reload`],
            volumeMounts: [{ name: "config", mountPath: CONFIG_DIR, readOnly: true }],
        }
        : {
            name: "configmap-reload",
            image: listen.reloadImage,
            // The zitified reload dials `service` (the port does not matter) with the identity at RELOAD_IDENTITY_FILE.
            args: [`--volume-dir=${CONFIG_DIR}`, pulumi.interpolate`--webhook-url=http://${listen.serviceName}:${PROMETHEUS_PORT}/-/reload`],
            volumeMounts: [
                { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                { name: "ziti-identity", mountPath: RELOAD_IDENTITY_FILE, subPath: IDENTITY_KEY, readOnly: true },
            ],
        };

    const deployment = createDeployment(`${name}-prometheus`, {
        name: "prometheus", namespace: args.namespace, labels,
        // A new config rolls the pods (the ConfigMap itself is updated in place, see createKubernetesProvider).
        podAnnotations: { [CONFIG_HASH_ANNOTATION]: pulumi.output(args.config).apply(configHash) },
        podSpec: {
            serviceAccountName: args.serviceAccountName,
            automountServiceAccountToken: args.serviceAccountName !== undefined,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534 },
            containers: [prometheus, reload],
            volumes: [
                { name: "config", configMap: { name: configMap.metadata.name } },
                { name: "ziti-identity", secret: { secretName: identitySecret.metadata.name, defaultMode: 0o400 } },
                { name: "storage", emptyDir: {} },
            ],
        },
    }, opts);
    return { configMap, identitySecret, deployment, labels };
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
            { apiGroups: [""], resources: ["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
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
