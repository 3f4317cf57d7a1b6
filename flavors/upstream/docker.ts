// The upstream flavor's central Prometheus on Docker: Prometheus (loopback only, no published port) and the
// tunneler as a second container in Prometheus' network namespace (`network_mode: container:<id>`), each with the
// pod contract's user, no capability, no new privileges and a read-only root filesystem. Their files (prometheus.yml,
// the enrolled identity) are uploaded into two holder containers that are never started and have no network, and
// mounted from there (`volumesFrom <id>:ro`): the Docker plugin uploads to "/" of a container, which the engine
// refuses for a read-only root (flavors/types.ts DockerContainerPlan.fileHolders has the sources).
import * as pulumi from "@pulumi/pulumi";
import type { CentralPlace, DockerContainerPlan } from "../types";
import { PROMETHEUS3, PROMETHEUS3_CONFIG_FILE, PROMETHEUS3_IMAGE, prometheus3Args } from "./workloads/prometheus";
import { ZITI_TUNNEL, ZITI_TUNNEL_IDENTITY_FILE, ZITI_TUNNEL_IMAGE, zitiTunnelCommand } from "./workloads/zitiTunnel";

type ContainerArgs = import("@pulumi/docker").ContainerArgs;

/** What every running container of the place gets: the contract's hardening (the `restricted` pod's, as Docker says it). */
const hardened = {
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges"],
    readOnly: true,
    restart: "unless-stopped",
    mustRun: true,
};

/**
 * A container that only holds one uploaded file in an anonymous volume at `dir`: created, never started
 * (`start: false`, so its image's entrypoint never runs), on no network. Docker uploads are root-owned: 0444.
 */
function fileHolder(resourceName: string, name: string, image: pulumi.Input<string>, dir: string, file: string, content: pulumi.Input<string>) {
    const args: ContainerArgs = {
        name, image, networkMode: "none", start: false, mustRun: false,
        volumes: [{ containerPath: dir }],
        uploads: [{ file, content, permissions: "0444" }],
    };
    return { resourceName, args };
}

/** `volumesFrom` a holder, read-only (Docker's `<container>:ro`; the plugin passes `fromContainer` through as is). */
const filesOf = (holderId: pulumi.Input<string>) => ({ fromContainer: pulumi.interpolate`${holderId}:ro` });

/**
 * The tunneler's entrypoint. The published image's ENTRYPOINT is /entrypoint.sh (openziti/ziti
 * dist/docker-images/ziti-tunnel/Dockerfile), which Docker keeps when only `command` is given: the script looks for an
 * identity in $ZITI_IDENTITY_DIR (/netfoundry) or a ZITI_IDENTITY_JSON/ZITI_ENROLL_TOKEN env, exits "zero identities
 * found" otherwise, and passes only `tproxy|proxy|host` as the mode (dist/docker-images/ziti-tunnel/entrypoint.sh).
 * So the binary is the entrypoint and the flavor's arguments follow (a pod's `command` replaces ENTRYPOINT the same way).
 */
export const TUNNELER_ENTRYPOINT = [ZITI_TUNNEL.binary];

export function upstreamCentralDocker(place: CentralPlace, config: pulumi.Input<string>, identityJson: pulumi.Input<string> | undefined): DockerContainerPlan {
    const p = place.resourcePrefix;
    const n = place.name;
    const prometheusImage = place.images.prometheus ?? PROMETHEUS3_IMAGE;
    const tunnelerImage = place.images.tunneler ?? ZITI_TUNNEL_IMAGE;
    return {
        fileHolders: [
            // Both holders use the tunneler's image: an image's VOLUMEs come along through volumesFrom too, read-only, and
            // Prometheus' own `VOLUME /prometheus` would then hide its TSDB volume (seen in tier docker: "open
            // /prometheus/queries.active: read-only file system"). openziti/ziti dist/docker-images/ziti-cli and
            // ziti-tunnel Dockerfiles declare no VOLUME.
            fileHolder(`${p}-prometheus-files`, `${n}-prometheus-files`, tunnelerImage, PROMETHEUS3.configDir, PROMETHEUS3_CONFIG_FILE, config),
            fileHolder(`${p}-ziti-tunnel-files`, `${n}-ziti-tunnel-files`, tunnelerImage, ZITI_TUNNEL.identityDir, ZITI_TUNNEL_IDENTITY_FILE,
                pulumi.secret(identityJson ?? "")),
        ],
        resourceName: `${p}-prometheus`,
        args: ([configHolder]) => ({
            name: `${n}-prometheus`,
            image: prometheusImage,
            // The image's ENTRYPOINT /bin/prometheus stays; these are its arguments (127.0.0.1:9090 only).
            command: prometheus3Args("dark", place.remoteWrite ? "receiver" : "server"),
            user: `${PROMETHEUS3.runAs.user}:${PROMETHEUS3.runAs.group}`,
            // The TSDB: the image's VOLUME, named here so the read-only root holds (an anonymous volume).
            volumes: [filesOf(configHolder), { containerPath: PROMETHEUS3.storageDir }],
            ...hardened,
        }),
        sidecars: [{
            resourceName: `${p}-ziti-tunnel`,
            args: (prometheusContainerId, [, identityHolder]) => ({
                name: `${n}-ziti-tunnel`,
                image: tunnelerImage,
                entrypoints: TUNNELER_ENTRYPOINT,
                command: zitiTunnelCommand().slice(1),
                user: `${ZITI_TUNNEL.runAs.user}:${ZITI_TUNNEL.runAs.group}`,
                envs: Object.entries(ZITI_TUNNEL.env).map(([k, v]) => `${k}=${v}`),
                networkMode: pulumi.interpolate`container:${prometheusContainerId}`,
                volumes: [filesOf(identityHolder)],
                // The CLI agent's unix socket goes to os.TempDir() (the pod's emptyDir; zitiTunnel.ts).
                tmpfs: { [ZITI_TUNNEL.tmpDir]: "rw,nosuid,nodev,noexec,size=1m,mode=1777" },
                ...hardened,
            }),
        }],
    };
}
