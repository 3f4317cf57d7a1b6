// What the pack knows about API groups: the built-in ones (not custom resources), the tokens of
// pulumi-kubernetes components that parse like groups, and the curated custom resource groups known to
// expose nothing by themselves (disallow-unknown-custom-resources' `safeGroups`), each with its reason.

/**
 * Built-in API groups of Kubernetes (kubernetes/api: core, apps, batch, ...; kube-aggregator
 * apiregistration.k8s.io; apiextensions-apiserver apiextensions.k8s.io). `core` is the pack's name for
 * the legacy group ("" / `v1`).
 */
export const BUILT_IN_GROUPS = new Set([
    "core", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "certificates.k8s.io",
    "events.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "storagemigration.k8s.io",
    "internal.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
]);

/** pulumi-kubernetes component tokens whose module parses like `<group>/<version>` (helm.sh/v3:Release, yaml/v2:ConfigGroup, kustomize/v2:Directory). */
export const COMPONENT_MODULES = new Set(["helm.sh", "yaml", "kustomize"]);

export interface SafeGroup {
    group: string;
    why: string;
    source: string;
}

/**
 * Custom resource groups whose kinds configure a controller without opening a listener or installing
 * anything the pack cannot see. Pod fields some of them carry (a Prometheus CR's hostNetwork, a ScaledJob's
 * pod template) are still judged by disallow-host-network-and-ports, which finds pod specs by shape.
 * Deliberately not here: cert-manager.io (an ACME Issuer's http01 solver makes the controller create a
 * solver Service and Ingress: cert-manager/cert-manager pkg/issuer/acme/http), kyverno.io (generate rules
 * create arbitrary objects), and every installer (disallow-opaque-installers).
 */
export const DEFAULT_SAFE_GROUPS: SafeGroup[] = [
    { group: "monitoring.coreos.com", why: "Prometheus-operator monitors, rules and servers (their Services are headless, ClusterIP None)", source: "prometheus-operator/prometheus-operator pkg/apis/monitoring/v1" },
    { group: "snapshot.storage.k8s.io", why: "CSI volume snapshots", source: "kubernetes-csi/external-snapshotter client/apis/volumesnapshot/v1" },
    { group: "external-secrets.io", why: "syncs Secrets from a secret store", source: "external-secrets/external-secrets apis/externalsecrets/v1" },
    { group: "bitnami.com", why: "SealedSecret: decrypted into a Secret", source: "bitnami-labs/sealed-secrets pkg/apis/sealedsecrets/v1alpha1" },
    { group: "keda.sh", why: "autoscaling triggers (a ScaledJob's pod template is judged by shape)", source: "kedacore/keda apis/keda/v1alpha1" },
    { group: "autoscaling.k8s.io", why: "VerticalPodAutoscaler: resource recommendations", source: "kubernetes/autoscaler vertical-pod-autoscaler/pkg/apis/autoscaling.k8s.io/v1" },
    { group: "gateway.networking.k8s.io", why: "judged kind by kind by disallow-ingress-and-gateway (GatewayClass, ReferenceGrant, BackendTLSPolicy open nothing)", source: "kubernetes-sigs/gateway-api apis/v1" },
    { group: "k8s.cni.cncf.io", why: "NetworkAttachmentDefinition: judged by disallow-host-level-cni-attachments", source: "k8snetworkplumbingwg/network-attachment-definition-client pkg/apis/k8s.cni.cncf.io/v1" },
];
