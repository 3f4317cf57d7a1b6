// configmap-reload (plain): watches the mounted Prometheus ConfigMap and POSTs Prometheus' reload
// webhook over the pod's loopback. ClusterA's reload sidecar.
//
// Contract, from jimmidyson/configmap-reload (Dockerfile and configmap-reload.go at tag v0.5.0):
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurityContext, RunAs } from "./restricted";

export const CONFIGMAP_RELOAD = {
    /** jimmidyson/configmap-reload Makefile `DOCKER_IMAGE_NAME`. */
    image: "jimmidyson/configmap-reload",
    /**
     * The tag openziti/helm-charts charts/prometheus/values.yaml pinned for its reloads before they were
     * zitified (`configmapReload.*.image.tag: v0.5.0`, removed in commit 2b8cb9c6).
     */
    tag: "v0.5.0",
    /** Dockerfile `USER 65534` on busybox, whose passwd gives 65534 the group 65534. */
    runAs: { user: 65534, group: 65534 } as RunAs,
    flags: {
        /** configmap-reload.go `volume-dir`: the directory to watch (repeatable). */
        volumeDir: "--volume-dir",
        /** configmap-reload.go `webhook-url`: what to call on a change (POST, expects 200). */
        webhookUrl: "--webhook-url",
        /** configmap-reload.go `web.listen-address`, default ":9533" (metrics, every interface). */
        listenAddress: "--web.listen-address",
    },
    /**
     * Listeners: its metrics server on `web.listen-address`, ":9533" by default, i.e. on the pod IP.
     * Nothing scrapes it, so it is bound to loopback: the pod keeps only Prometheus' own listener.
     */
    listenAddress: "127.0.0.1:9533",
    /** A static Go binary that only reads the watched directory: a read-only root filesystem is enough. */
    readOnlyRootFilesystem: true,
    /** No probes: its only endpoint is on loopback, out of the kubelet's reach. */
} as const;

export const CONFIGMAP_RELOAD_IMAGE = `${CONFIGMAP_RELOAD.image}:${CONFIGMAP_RELOAD.tag}`;

export interface ConfigmapReloadArgs {
    image?: pulumi.Input<string>;
    /** The pod volume holding the watched ConfigMap, and where it is mounted (the same path Prometheus reads). */
    configVolume: string;
    configDir: string;
    /** The reload webhook, e.g. `http://127.0.0.1:9090/-/reload`. */
    webhookUrl: string;
}

/** The reload sidecar container (user from the pod's security context, which must be CONFIGMAP_RELOAD.runAs). */
export function configmapReloadContainer(args: ConfigmapReloadArgs): k8s.types.input.core.v1.Container {
    const f = CONFIGMAP_RELOAD.flags;
    return {
        name: "configmap-reload",
        image: args.image ?? CONFIGMAP_RELOAD_IMAGE,
        args: [
            `${f.volumeDir}=${args.configDir}`,
            `${f.webhookUrl}=${args.webhookUrl}`,
            `${f.listenAddress}=${CONFIGMAP_RELOAD.listenAddress}`,
        ],
        securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: CONFIGMAP_RELOAD.readOnlyRootFilesystem }),
        volumeMounts: [{ name: args.configVolume, mountPath: args.configDir, readOnly: true }],
    };
}
