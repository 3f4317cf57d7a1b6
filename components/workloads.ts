// Builders of the workloads the cluster and central components make directly: the Prometheus workload (ConfigMap,
// identity Secret, Deployment) and the in-cluster tunneler (identity Secret, Deployment). What runs inside the pods
// (images, users, paths, env, flags) is the flavor's (flavors/article/*.ts, sources named there).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PROMETHEUS, prometheusPodSpec, PrometheusListen } from "../flavors/article/prometheus";
import { zitiHostPodSpec } from "../flavors/article/zitiHost";
import { CONFIG_HASH_ANNOTATION, configHash, createDeployment, createIdentitySecret, workloadLabels } from "./kubernetes";

export interface PrometheusWorkloadArgs {
    namespace: pulumi.Input<string>;
    /** Instance label value (the cluster or central name). */
    instance: string;
    /** Image reference; defaults to PROMETHEUS_IMAGE. */
    image?: pulumi.Input<string>;
    /** The rendered prometheus.yml. */
    config: pulumi.Input<string>;
    /** The Prometheus identity JSON (secret). */
    identityJson: pulumi.Input<string>;
    /**
     * Service account with Kubernetes API access. When given, its token is projected into the Prometheus
     * container only (not the reload sidecar); absent = no token anywhere in the pod.
     */
    serviceAccountName?: pulumi.Input<string>;
    listen: PrometheusListen;
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
        data: { [PROMETHEUS.configFileName]: args.config },
    }, opts);
    const identitySecret = createIdentitySecret(`${name}-prometheus-identity`, {
        namespace: args.namespace, secretName: "prometheus-identity", identityJson: args.identityJson, labels,
    }, opts);
    const deployment = createDeployment(`${name}-prometheus`, {
        name: "prometheus", namespace: args.namespace, labels,
        // A new config rolls the pods (the ConfigMap itself is updated in place, see createKubernetesProvider).
        podAnnotations: { [CONFIG_HASH_ANNOTATION]: pulumi.output(args.config).apply(configHash) },
        podSpec: prometheusPodSpec({
            image: args.image, configMapName: configMap.metadata.name, identitySecretName: identitySecret.metadata.name,
            serviceAccountName: args.serviceAccountName, listen: args.listen,
        }),
    }, opts);
    return { configMap, identitySecret, deployment, labels };
}

export interface ZitiHostArgs {
    namespace: pulumi.Input<string>;
    /** Instance label value (the cluster name). */
    instance: string;
    /** Image reference; defaults to ZITI_HOST_IMAGE. */
    image?: pulumi.Input<string>;
    /** The enrolled identity JSON (secret); goes only into the Secret `ziti-host-identity`. */
    identityJson: pulumi.Input<string>;
}

/**
 * The in-cluster tunneler: Secret `ziti-host-identity` (`<name>-ziti-host-identity`) and Deployment
 * `ziti-host` (`<name>-ziti-host`). It binds every service its identity may bind.
 */
export function createZitiHost(name: string, args: ZitiHostArgs, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
    const labels = workloadLabels("ziti-host", args.instance);
    const secret = createIdentitySecret(`${name}-ziti-host-identity`, {
        namespace: args.namespace, secretName: "ziti-host-identity", identityJson: args.identityJson, labels,
    }, opts);
    return createDeployment(`${name}-ziti-host`, {
        name: "ziti-host", namespace: args.namespace, labels,
        podSpec: zitiHostPodSpec({ image: args.image, identitySecretName: secret.metadata.name }),
    }, opts);
}
