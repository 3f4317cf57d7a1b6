// ziti-host: the OpenZiti tunneler image in `run-host` mode. It makes outbound connections to the
// overlay only and hosts every service its identity may Bind, forwarding as their host.v1 configs say.
//
// Contract, from openziti/ziti-tunnel-sdk-c docker/ (the files at tag v1.12.0 and HEAD agree) and
// openziti/helm-charts charts/ziti-host:
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IDENTITY_KEY } from "../../plan/kubernetes";
import { identitySecretVolume, restrictedContainerSecurityContext, restrictedPodSecurityContext, RunAs, scratchVolume } from "./restricted";

export const ZITI_HOST = {
    /** helm-charts charts/ziti-host/values.yaml `image.repository`. */
    image: "openziti/ziti-host",
    /** helm-charts charts/ziti-host/Chart.yaml `appVersion` (the chart's default tag; no `v`). */
    tag: "1.12.0",
    /**
     * ziti-tunnel-sdk-c docker/ziti-host.Dockerfile `USER nobody:ziti`: nobody is 65534 in its ubi9-minimal
     * base, `ziti` is made by docker/ziti-edge-tunnel.Dockerfile `groupadd --system --gid 2171 ziti`. The
     * tunneler setgid()s to `ziti` for its IPC socket directory (programs/ziti-edge-tunnel/ziti-edge-tunnel.c
     * make_socket_path), which an unprivileged process can only do when `ziti` is already its group; the
     * chart's runAsGroup 65534 would lose that, so the pod keeps the image's group.
     */
    runAs: { user: 65534, group: 2171 } as RunAs,
    /** docker/docker-entrypoint.sh `: "${ZITI_IDENTITY_DIR:="/ziti-edge-tunnel"}"` (the chart mounts its identity there too). */
    identityDir: "/ziti-edge-tunnel",
    env: {
        /**
         * docker-entrypoint.sh: with it set, the identity is `${ZITI_IDENTITY_DIR}/${ZITI_IDENTITY_BASENAME}.json`
         * and the tunneler runs with `--identity <that file>` (without it, every *.json in the directory).
         */
        identityBasename: "ZITI_IDENTITY_BASENAME",
        /** docker-entrypoint.sh: the directory above; left at its default. */
        identityDir: "ZITI_IDENTITY_DIR",
    },
    /** ziti-host.Dockerfile `CMD [ "run-host" ]`; the entrypoint takes a first positional starting with `run` as the mode. */
    args: ["run-host"],
    /**
     * Listeners: none on the network. run-host opens no TUN and no DNS; its only listeners are the IPC
     * unix sockets under /tmp/.ziti (ziti-edge-tunnel.c SOCKET_PATH, ipc_cmd.c / ipc_event.c uv_pipe_bind),
     * so /tmp must be writable when the root filesystem is not.
     */
    listeners: [] as string[],
    writableDirs: ["/tmp"],
    /** No probes: the chart sets none and the tunneler serves nothing a probe could ask. */
} as const;

/** The tag-pinned default image reference. */
export const ZITI_HOST_IMAGE = `${ZITI_HOST.image}:${ZITI_HOST.tag}`;

/** The identity file base name; the Secret key `identity.json` is mounted as `<basename>.json`. */
const BASENAME = "ziti_id";

export interface ZitiHostPodArgs {
    /** Image reference; defaults to ZITI_HOST_IMAGE. */
    image?: pulumi.Input<string>;
    /** The Secret holding the enrolled identity under IDENTITY_KEY. */
    identitySecretName: pulumi.Input<string>;
}

/**
 * The tunneler's pod: the identity Secret mounted read-only at ZITI_IDENTITY_DIR as `ziti_id.json`,
 * `restricted` security, read-only root with /tmp writable, no service-account token, no ports.
 * The entrypoint warns that the read-only identity directory keeps no renewed certificate across restarts;
 * a renewed identity is Pulumi's to write into the Secret.
 */
export function zitiHostPodSpec(args: ZitiHostPodArgs): k8s.types.input.core.v1.PodSpec {
    return {
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(ZITI_HOST.runAs),
        containers: [{
            name: "ziti-host",
            image: args.image ?? ZITI_HOST_IMAGE,
            args: [...ZITI_HOST.args],
            env: [{ name: ZITI_HOST.env.identityBasename, value: BASENAME }],
            securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem: true }),
            volumeMounts: [
                { name: "ziti-identity", mountPath: ZITI_HOST.identityDir, readOnly: true },
                { name: "tmp", mountPath: ZITI_HOST.writableDirs[0] },
            ],
        }],
        volumes: [
            identitySecretVolume("ziti-identity", args.identitySecretName, [{ key: IDENTITY_KEY, path: `${BASENAME}.json` }]),
            scratchVolume("tmp"),
        ],
    };
}

