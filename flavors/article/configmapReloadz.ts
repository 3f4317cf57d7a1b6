// configmap-reloadz: the zitified configmap-reload. It watches the mounted Prometheus ConfigMap and
// sends the reload webhook over Ziti, dialling the dark Prometheus' service. DarkCluster's and the
// central Prometheus' reload sidecar.
//
// Contract, from openziti-test-kitchen/configmap-reload (the source of openziti/configmap-reloadz:
// Dockerfile, Makefile, configmap-reload.go, README.md) and openziti/helm-charts charts/prometheus
// (values.yaml `configmapReload`, templates/server/deploy.yaml):
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurityContext, RunAs } from "./restricted";

export const CONFIGMAP_RELOADZ = {
    /** Makefile `DOCKER_IMAGE_NAME ?= openziti/configmap-reloadz`; the chart's `configmapReload.prometheus.image.repository`. */
    image: "openziti/configmap-reloadz",
    /**
     * The chart's `configmapReload.prometheus.image.tag: latest-amd64`, the only tag upstream publishes
     * (Makefile pushes `$(DOCKER_IMAGE_TAG)-$(GOARCH)` with DOCKER_IMAGE_TAG=latest). It floats and is
     * amd64-only; no versioned tag exists to pin. Override it (e.g. with a digest) per stack.
     */
    tag: "latest-amd64",
    /** Dockerfile `USER 65534` on busybox (group 65534 from its passwd), as the plain configmap-reload. */
    runAs: { user: 65534, group: 65534 } as RunAs,
    flags: {
        /** configmap-reload.go `volume-dir`. */
        volumeDir: "--volume-dir",
        /**
         * configmap-reload.go `webhook-url`. With the Ziti transport its host and port are not used: the
         * transport's DialContext dials `ziti.service` whatever the address.
         */
        webhookUrl: "--webhook-url",
        /** configmap-reload.go `web.listen-address`, default ":9533" (metrics on every interface). */
        listenAddress: "--web.listen-address",
        /** configmap-reload.go `ziti.identity.file`, default /run/secrets/ziti.identity.json. */
        identityFile: "--ziti.identity.file",
        /** configmap-reload.go `ziti.service`, default "configmap-reload": the service to dial. */
        service: "--ziti.service",
        /** configmap-reload.go `ziti.target.identity`, default empty: the terminator (binding identity) to dial. */
        targetIdentity: "--ziti.target.identity",
    },
    /** The chart's `configmapReload.webhookUrl` (helm-charts commit e0b47696 "use localhost:9090 for reloader"). */
    webhookUrl: "http://127.0.0.1:9090/-/reload",
    /** Listeners: its metrics server, ":9533" by default; bound to loopback so a dark pod listens on nothing. */
    listenAddress: "127.0.0.1:9533",
    /** A static Go binary (Makefile `-extldflags '-static'`) that only reads: a read-only root filesystem is enough. */
    readOnlyRootFilesystem: true,
    /**
     * Not verifiable here: at the repository's HEAD (commit e283f3d) the Ziti transport is only set up
     * when `os.Stat("/path/to/whatever")` succeeds, a leftover that never holds, so a binary built from
     * it POSTs the webhook over plain TCP (to 127.0.0.1:9090, where a dark Prometheus does not listen).
     * The commit before (4f5e723) always uses Ziti. Which one `latest-amd64` holds cannot be read from
     * any source here (no registry access): with the former, ConfigMap changes are not reloaded in dark
     * places until the pod restarts.
     */
} as const;

export const CONFIGMAP_RELOADZ_IMAGE = `${CONFIGMAP_RELOADZ.image}:${CONFIGMAP_RELOADZ.tag}`;

export interface ConfigmapReloadzArgs {
    image?: pulumi.Input<string>;
    /** The pod volume holding the watched ConfigMap, and where it is mounted. */
    configVolume: string;
    configDir: string;
    /** The pod volume holding the identity Secret, where it is mounted, and the identity file in it. */
    identityVolume: string;
    identityDir: string;
    identityFile: string;
    /** The Ziti service to dial: the one Prometheus binds. */
    serviceName: pulumi.Input<string>;
    /** The identity that binds it (Prometheus' ZITI_LISTENER_IDENTITY_NAME), so exactly that terminator is dialled. */
    targetIdentity: pulumi.Input<string>;
}

/** The zitified reload sidecar (user from the pod's security context, which must be CONFIGMAP_RELOADZ.runAs). */
export function configmapReloadzContainer(args: ConfigmapReloadzArgs): k8s.types.input.core.v1.Container {
    const f = CONFIGMAP_RELOADZ.flags;
    return {
        name: "configmap-reload",
        image: args.image ?? CONFIGMAP_RELOADZ_IMAGE,
        args: [
            `${f.volumeDir}=${args.configDir}`,
            `${f.webhookUrl}=${CONFIGMAP_RELOADZ.webhookUrl}`,
            `${f.listenAddress}=${CONFIGMAP_RELOADZ.listenAddress}`,
            `${f.identityFile}=${args.identityFile}`,
            pulumi.interpolate`${f.service}=${args.serviceName}`,
            pulumi.interpolate`${f.targetIdentity}=${args.targetIdentity}`,
        ],
        securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: CONFIGMAP_RELOADZ.readOnlyRootFilesystem }),
        volumeMounts: [
            { name: args.configVolume, mountPath: args.configDir, readOnly: true },
            { name: args.identityVolume, mountPath: args.identityDir, readOnly: true },
        ],
    };
}
