// Kubernetes building blocks: the per-cluster provider, labels, the identity Secret and the Deployment shell (the
// Reflectz component's). A place's namespace is made with its workloads (workloads.ts).
// What runs inside the pods (images, users, paths, env, flags) is the flavor's (flavors/), one module per image.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesTarget } from "../config";
import { IDENTITY_KEY } from "../plan/kubernetes";

export { CONFIG_HASH_ANNOTATION, configHash, IDENTITY_KEY, POD_SECURITY_LABELS, workloadLabels } from "../plan/kubernetes";

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
        // Deployment rolls because its pod template carries the config's hash (flavors/article/workloads.ts).
        enableConfigMapMutable: true,
    }, opts);
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
