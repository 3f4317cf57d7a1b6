// Kubernetes facts every place shares, as pure values: the identity Secret's key, the workload labels, the
// config-hash annotation that rolls a Deployment when prometheus.yml changes.

/** The key of the enrolled identity JSON in every identity Secret; workloads map it to the file name their image wants. */
export const IDENTITY_KEY = "identity.json";

/** Standard labels for one workload; the same object feeds selector and pod template. */
export function workloadLabels(app: string, instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": instance, "app.kubernetes.io/part-of": "scrape-anywhere" };
}

/** Pod template annotation holding the SHA-256 of prometheus.yml. */
export const CONFIG_HASH_ANNOTATION = "scrape-anywhere/config-sha256";

/** The SHA-256 (hex) of a config text, for CONFIG_HASH_ANNOTATION. */
export function configHash(config: string): string {
    return (require("crypto") as typeof import("crypto")).createHash("sha256").update(config).digest("hex");
}


/**
 * Every namespace the program makes enforces the `restricted` Pod Security Standard: the API server's
 * Pod Security admission (built in since Kubernetes 1.25) refuses any pod that does not meet it.
 * Label names: kubernetes/pod-security-admission api/constants.go (k8s.io/pod-security-admission).
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = { "pod-security.kubernetes.io/enforce": "restricted" };
