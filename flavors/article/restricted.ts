// What every pod of scrape-anywhere shares: the `restricted` Pod Security Standard, and identity files
// that only the workload's own user can read. The workload modules (prometheus.ts, reflectz.ts, ...)
// give the user and group their image runs as; this module turns them into security contexts.
//
// The `restricted` profile (kubernetes/pod-security-admission policy/check_*.go, k8s.io/pod-security-admission):
// runAsNonRoot true and runAsUser != 0, allowPrivilegeEscalation false, capabilities drop ["ALL"],
// seccompProfile RuntimeDefault or Localhost, and only configMap/secret/emptyDir/projected/... volumes.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Volume = k8s.types.input.core.v1.Volume;

/** The numeric user and group a container runs as (numeric: runAsNonRoot cannot check a user name). */
export interface RunAs {
    user: number;
    group: number;
}

/**
 * Mode of every identity file. Secret and projected volumes are written by the kubelet as root; with an
 * fsGroup it chowns them to that group and ORs in 0440 for read-only volumes
 * (kubernetes/kubernetes pkg/volume/volume_linux.go, changeFilePermission, roMask = 0440), so 0440
 * root:<fsGroup> is what the container sees whatever lower mode is asked for. Each pod's fsGroup is its
 * workload's own group, so only that user (and root) can read the identity. A per-file owner
 * (SecretVolumeSource.defaultUser, KEP-5936) is alpha in Kubernetes 1.37 and off by default: not used.
 */
export const IDENTITY_FILE_MODE = 0o440;

/** Pod-level part of `restricted`: non-root, the workload's user and group, its group owns the volumes, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext(runAs: RunAs): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: runAs.user,
        runAsGroup: runAs.group,
        fsGroup: runAs.group,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Container-level part of `restricted`: no privilege escalation, every capability dropped, the root
 * filesystem read-only where the image allows it. `runAs` is set when a container's user differs from the pod's.
 */
export function restrictedContainerSecurityContext(args: { readOnlyRootFilesystem: boolean; runAs?: RunAs }): SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: args.readOnlyRootFilesystem,
        runAsNonRoot: true,
        ...(args.runAs ? { runAsUser: args.runAs.user, runAsGroup: args.runAs.group } : {}),
    };
}

/**
 * A volume of the identity Secret `secretName`, files 0440 (see IDENTITY_FILE_MODE). `items` maps Secret
 * keys to file names when the image wants a particular file name.
 */
export function identitySecretVolume(volumeName: string, secretName: pulumi.Input<string>,
    items?: { key: string; path: string }[]): Volume {
    return {
        name: volumeName,
        secret: { secretName, defaultMode: IDENTITY_FILE_MODE, ...(items ? { items } : {}) },
    };
}

/** A writable scratch directory for a read-only root filesystem. */
export function scratchVolume(volumeName: string): Volume {
    return { name: volumeName, emptyDir: {} };
}
