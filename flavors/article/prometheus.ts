// prometheuz: Prometheus with the Ziti SDK inside. It scrapes `scheme: ziti` jobs over the overlay and,
// with ZITI_LISTENER_* set, serves its UI/API only on a Ziti service. One module for every place it
// runs: a cluster (underlay or dark), the central one on Kubernetes, and the central one on Docker.
//
// Contract, from the image's source openziti-test-kitchen/prometheus branch feature/zitify-federation
// (ziti.Dockerfile, web/zitifiedweb.go, scrape/scrape.go, cmd/prometheus/main.go; Prometheus 2.32.0) and
// openziti/helm-charts charts/prometheus (values.yaml `server`, templates/server/deploy.yaml):
import type * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IDENTITY_KEY } from "../../plan/kubernetes";
import { CONFIGMAP_RELOAD, configmapReloadContainer } from "./configmapReload";
import { CONFIGMAP_RELOADZ, configmapReloadzContainer } from "./configmapReloadz";
import { IDENTITY_FILE_MODE, identitySecretVolume, restrictedContainerSecurityContext, restrictedPodSecurityContext, RunAs } from "./restricted";

export const PROMETHEUS = {
    /** helm-charts charts/prometheus/values.yaml `server.image.repository`. */
    image: "openziti/prometheuz",
    /**
     * helm-charts charts/prometheus/values.yaml `server.image.tag`. That this tag was built from the
     * feature/zitify-federation branch (ziti.Readme pushes `latest`) cannot be checked here, no registry
     * being reachable; the chart that pins it sets the same ZITI_LISTENER_* env this module does.
     */
    tag: "0.0.1",
    /**
     * ziti.Dockerfile `USER nobody` on quay.io/prometheus/busybox (nobody = 65534:65534); the chart's
     * `server.securityContext` runAsUser/runAsGroup/fsGroup 65534.
     */
    runAs: { user: 65534, group: 65534 } as RunAs,
    /** The web port: cmd/prometheus/main.go `web.listen-address` default "0.0.0.0:9090"; the chart's containerPort 9090. */
    port: 9090,
    /** The chart's `server.configPath: /etc/config/prometheus.yml`, its ConfigMap mounted at /etc/config. */
    configDir: "/etc/config",
    configFileName: "prometheus.yml",
    /** ziti.Dockerfile `VOLUME [ "/prometheus" ]`, owned by nobody; the TSDB and queries.active go there. */
    storageDir: "/prometheus",
    /**
     * The image has no identity path of its own: the listener reads ZITI_LISTENER_IDENTITY_FILE and each
     * ziti job its `params.ziti-config`. (The chart mounts files at /etc/prometheus/*.json with subPath,
     * where the image keeps its console symlinks.) Ours: the identity Secret as a directory of its own.
     */
    identityDir: "/etc/ziti",
    identityFileName: IDENTITY_KEY,
    /** client-go rest.InClusterConfig, which kubernetes_sd_configs uses: token and ca.crt are read from here. */
    serviceAccountDir: "/var/run/secrets/kubernetes.io/serviceaccount",
    env: {
        /** web/zitifiedweb.go: when set, the web listener is a Ziti listener on this identity file and no TCP listener is opened. */
        listenerIdentityFile: "ZITI_LISTENER_IDENTITY_FILE",
        /** web/zitifiedweb.go: the service it binds (default "prometheuz.service"). */
        listenerServiceName: "ZITI_LISTENER_SERVICE_NAME",
        /** web/zitifiedweb.go: ListenOptions.Identity, the terminator identity clients dial (default "prometheuz"). */
        listenerIdentityName: "ZITI_LISTENER_IDENTITY_NAME",
    },
    flags: {
        configFile: "--config.file",
        storagePath: "--storage.tsdb.path",
        /** The chart's `server.retention: "15d"`. */
        retention: "--storage.tsdb.retention.time=15d",
        /** The chart's `server.extraFlags: [web.enable-lifecycle]`: /-/reload, which configmap-reload calls. */
        lifecycle: "--web.enable-lifecycle",
        /** The chart's console flags; ziti.Dockerfile links both directories into /etc/prometheus. */
        consoleLibraries: "--web.console.libraries=/etc/prometheus/console_libraries",
        consoleTemplates: "--web.console.templates=/etc/prometheus/consoles",
        listenAddress: "--web.listen-address",
    },
    /**
     * Listeners: the web server only (Prometheus 2.32 opens no other). Underlay: on the pod IP, 0.0.0.0:9090.
     * Overlay: web/zitifiedweb.go replaces the TCP listener by the Ziti one; the listen address is set to
     * 127.0.0.1 as well, so even an image without that code would listen on loopback only.
     */
    listenAddress: { underlay: "0.0.0.0:9090", overlay: "127.0.0.1:9090" },
    /** Probe paths: the chart's templates/server/deploy.yaml (/-/ready, /-/healthy) and its timings (values.yaml). */
    probes: {
        readiness: { path: "/-/ready", initialDelaySeconds: 30, periodSeconds: 5, timeoutSeconds: 4, failureThreshold: 3 },
        liveness: { path: "/-/healthy", initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 3 },
    },
    /** Writes only to storageDir (an emptyDir in a pod): a read-only root filesystem holds. */
    readOnlyRootFilesystem: true,
} as const;

export const PROMETHEUS_IMAGE = `${PROMETHEUS.image}:${PROMETHEUS.tag}`;
export const PROMETHEUS_CONFIG_FILE = `${PROMETHEUS.configDir}/${PROMETHEUS.configFileName}`;
/** The identity file of every Prometheus: its Ziti listener's and its scrape jobs' `ziti-config`. */
export const PROMETHEUS_IDENTITY_FILE = `${PROMETHEUS.identityDir}/${PROMETHEUS.identityFileName}`;

/** How Prometheus is reached. */
export type PrometheusListen =
    /** On the pod IP (port 9090) behind a ClusterIP Service; a plain configmap-reload calls it on loopback. */
    | { mode: "underlay"; reloadImage?: pulumi.Input<string> }
    /** Only on Ziti: binds `serviceName` as `identityName`; a zitified configmap-reload dials it. */
    | { mode: "overlay"; reloadImage?: pulumi.Input<string>; serviceName: pulumi.Input<string>; identityName: pulumi.Input<string> };

/** Prometheus' arguments (the image's ENTRYPOINT is /bin/prometheus). */
export function prometheusArgs(mode: PrometheusListen["mode"]): string[] {
    const f = PROMETHEUS.flags;
    return [
        `${f.configFile}=${PROMETHEUS_CONFIG_FILE}`,
        `${f.storagePath}=${PROMETHEUS.storageDir}`,
        f.retention,
        f.consoleLibraries,
        f.consoleTemplates,
        f.lifecycle,
        `${f.listenAddress}=${PROMETHEUS.listenAddress[mode]}`,
    ];
}

/** The Ziti listener's environment (overlay mode only), as name/value pairs. */
export function prometheusListenerEnv(serviceName: pulumi.Input<string>, identityName: pulumi.Input<string>): { name: string; value: pulumi.Input<string> }[] {
    const e = PROMETHEUS.env;
    return [
        { name: e.listenerServiceName, value: serviceName },
        { name: e.listenerIdentityFile, value: PROMETHEUS_IDENTITY_FILE },
        { name: e.listenerIdentityName, value: identityName },
    ];
}

/**
 * The projected service-account token: the volume the ServiceAccount admission plugin would add
 * (kubernetes/kubernetes plugin/pkg/admission/serviceaccount/admission.go: `kube-api-access`, token with
 * expirationSeconds 3607, ca.crt from the `kube-root-ca.crt` ConfigMap, the namespace), mounted here in
 * the Prometheus container only.
 */
function serviceAccountVolume(): k8s.types.input.core.v1.Volume {
    return {
        name: "kube-api-access",
        projected: {
            defaultMode: IDENTITY_FILE_MODE,
            sources: [
                { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
                { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
            ],
        },
    };
}

/** The Prometheus pod: Prometheus and its reload sidecar (both 65534:65534), `restricted`. */
export function prometheusPodSpec(args: { image?: pulumi.Input<string>; configMapName: pulumi.Input<string>; identitySecretName: pulumi.Input<string>;
    serviceAccountName?: pulumi.Input<string>; listen: PrometheusListen }): k8s.types.input.core.v1.PodSpec {
    // Either sidecar image runs as 65534:65534 too, so one pod security context fits both containers.
    for (const reload of [CONFIGMAP_RELOAD, CONFIGMAP_RELOADZ]) {
        if (reload.runAs.user !== PROMETHEUS.runAs.user || reload.runAs.group !== PROMETHEUS.runAs.group) {
            throw new Error(`${reload.image} runs as ${reload.runAs.user}:${reload.runAs.group}, Prometheus as ${PROMETHEUS.runAs.user}:${PROMETHEUS.runAs.group}: give the sidecar its own runAs`);
        }
    }
    const listen = args.listen;
    const withApi = args.serviceAccountName !== undefined;
    const mounts: k8s.types.input.core.v1.VolumeMount[] = [
        { name: "config", mountPath: PROMETHEUS.configDir, readOnly: true },
        { name: "ziti-identity", mountPath: PROMETHEUS.identityDir, readOnly: true },
        { name: "storage", mountPath: PROMETHEUS.storageDir },
        ...(withApi ? [{ name: "kube-api-access", mountPath: PROMETHEUS.serviceAccountDir, readOnly: true }] : []),
    ];
    const probe = (p: typeof PROMETHEUS.probes.readiness | typeof PROMETHEUS.probes.liveness): k8s.types.input.core.v1.Probe => ({
        httpGet: { path: p.path, port: PROMETHEUS.port },
        initialDelaySeconds: p.initialDelaySeconds, periodSeconds: p.periodSeconds, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.failureThreshold,
    });
    const prometheus: k8s.types.input.core.v1.Container = {
        name: "prometheus",
        image: args.image ?? PROMETHEUS_IMAGE,
        args: prometheusArgs(listen.mode),
        ...(listen.mode === "underlay"
            // The one listener ClusterA has: the pod IP's 9090, probed by the kubelet there.
            ? { ports: [{ name: "web", containerPort: PROMETHEUS.port }], readinessProbe: probe(PROMETHEUS.probes.readiness), livenessProbe: probe(PROMETHEUS.probes.liveness) }
            // Dark: no TCP listener, so no port and no probe the kubelet could run.
            : { env: prometheusListenerEnv(listen.serviceName, listen.identityName) }),
        securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: PROMETHEUS.readOnlyRootFilesystem }),
        volumeMounts: mounts,
    };
    const reload = listen.mode === "underlay"
        ? configmapReloadContainer({
            image: listen.reloadImage, configVolume: "config", configDir: PROMETHEUS.configDir,
            webhookUrl: `http://127.0.0.1:${PROMETHEUS.port}/-/reload`,
        })
        : configmapReloadzContainer({
            image: listen.reloadImage, configVolume: "config", configDir: PROMETHEUS.configDir,
            identityVolume: "ziti-identity", identityDir: PROMETHEUS.identityDir, identityFile: PROMETHEUS_IDENTITY_FILE,
            serviceName: listen.serviceName, targetIdentity: listen.identityName,
        });
    return {
        ...(withApi ? { serviceAccountName: args.serviceAccountName } : {}),
        // The token is projected into the Prometheus container only (kube-api-access), never pod-wide.
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(PROMETHEUS.runAs),
        containers: [prometheus, reload],
        volumes: [
            { name: "config", configMap: { name: args.configMapName } },
            identitySecretVolume("ziti-identity", args.identitySecretName),
            { name: "storage", emptyDir: {} },
            ...(withApi ? [serviceAccountVolume()] : []),
        ],
    };
}

export interface DockerPrometheusArgs {
    /** Container name. */
    name: pulumi.Input<string>;
    image?: pulumi.Input<string>;
    config: pulumi.Input<string>;
    identityJson: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
    identityName: pulumi.Input<string>;
}

/**
 * A dark Prometheus as a Docker container: the same arguments, listener env, paths and user as the dark
 * pod; no published port, no host network. Differences forced by Docker, not chosen:
 * - Uploads are root-owned: terraform-provider-docker (internal/provider/resource_docker_container_funcs.go)
 *   writes them as tar entries with uid/gid 0 and copies without CopyUIDGID, so the identity is 0444
 *   root:root (the one process in the container is 65534; a pod's 0440 root:<fsGroup> has no Docker form).
 * - The root filesystem stays writable: the Docker daemon refuses to copy uploads into a read-only
 *   rootfs (moby daemon/archive.go, "container rootfs is marked read-only").
 * - No reload sidecar: a change of prometheus.yml replaces the container.
 */
export function dockerPrometheusContainerArgs(a: DockerPrometheusArgs): docker.ContainerArgs {
    return {
        name: a.name,
        image: a.image ?? PROMETHEUS_IMAGE,
        command: prometheusArgs("overlay"),
        envs: prometheusListenerEnv(a.serviceName, a.identityName).map(e => pulumi.interpolate`${e.name}=${e.value}`),
        user: `${PROMETHEUS.runAs.user}:${PROMETHEUS.runAs.group}`,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges"],
        uploads: [
            { file: PROMETHEUS_CONFIG_FILE, content: a.config, permissions: "0444" },
            { file: PROMETHEUS_IDENTITY_FILE, content: pulumi.secret(a.identityJson), permissions: "0444" },
        ],
        restart: "unless-stopped",
        mustRun: true,
    };
}
