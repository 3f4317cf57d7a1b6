// Compliant baseline fixtures, one per kind; each test changes one field.
export const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { namespace: "monitoring", name: "prometheus" },
    spec: { type: "ClusterIP", selector: { app: "prometheus" }, ports: [{ port: 80, targetPort: 9090 }] },
};

const podSpec = {
    containers: [{ name: "prometheus", image: "openziti/prometheuz", ports: [{ containerPort: 9090 }] }],
    initContainers: [{ name: "init", image: "busybox" }],
};

export const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { namespace: "monitoring", name: "prometheus" },
    spec: {
        selector: { matchLabels: { app: "prometheus" } },
        template: { metadata: { labels: { app: "prometheus" } }, spec: podSpec },
    },
};

export const cronJob = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { namespace: "monitoring", name: "probe" },
    spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: podSpec } } } },
};

export const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: "monitoring", name: "debug" },
    spec: podSpec,
};

export const ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { namespace: "monitoring", name: "prometheus" },
    spec: { rules: [{ host: "prom.example.com" }] },
};

export const container = {
    name: "central-prometheus",
    image: "openziti/prometheuz:latest",
    networkMode: "bridge",
    uploads: [] as { file: string; content?: string; contentBase64?: string }[],
};

export const helmRelease = { name: "ingress-nginx", namespace: "ingress", chart: "ingress-nginx" };

export const prometheusYml = [
    "global:",
    "  scrape_interval: 15s",
    "scrape_configs:",
    "  - job_name: kubeA.reflectz",
    "    scheme: ziti",
    "    params:",
    "      ziti-config: [/etc/ziti/kubeA.prometheus.id.json]",
    "    static_configs:",
    "      - targets: [kubeA.reflect.scrape.svc-kubeA.reflect.id]",
    "  - job_name: self",
    "    static_configs:",
    "      - targets: [localhost:9090, 127.0.0.1:9091]",
    "  - job_name: kubernetes-apiservers",
    "    scheme: https",
    "    kubernetes_sd_configs:",
    "      - role: endpoints",
    "",
].join("\n");

export const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { namespace: "monitoring", name: "prometheus-config" },
    data: { "prometheus.yml": prometheusYml, "other.txt": "scheme: http" },
};

export const dialPolicy = {
    name: "kubeA.reflect.dial",
    type: "Dial",
    semantic: "AnyOf",
    serviceRoles: ["@kubeA.reflect.svc"],
    identityRoles: ["#reflectz-clients"],
};

export const bindPolicy = {
    name: "kubeA.reflect.bind",
    type: "Bind",
    semantic: "AnyOf",
    serviceRoles: ["@kubeA.reflect.svc"],
    identityRoles: ["@kubeA.reflect.id"],
};

// Custom resources of exposure APIs, each in its compliant (private) form where it has one.
export const openshiftRoute = {
    apiVersion: "route.openshift.io/v1",
    kind: "Route",
    metadata: { namespace: "monitoring", name: "prometheus" },
    spec: { host: "prom.apps.example.com", to: { kind: "Service", name: "prometheus" } },
};

/** A VirtualService for the sidecars only (no gateways: the default `mesh`). */
export const meshVirtualService = {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { namespace: "monitoring", name: "prometheus" },
    spec: { hosts: ["prometheus"], http: [{ route: [{ destination: { host: "prometheus" } }] }] } as Record<string, unknown>,
};

/** A Knative Service kept off the ingress by the cluster-local label. */
export const privateKnativeService = {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { namespace: "monitoring", name: "reflect", labels: { "networking.knative.dev/visibility": "cluster-local" } as Record<string, string> },
    spec: { template: { spec: { containers: [{ image: "openziti/reflectz" }] } } },
};
