import { allowEntry, joinPath, resourceRule, show } from "../../lib/rule";
import { WORKLOAD_KINDS, containersOf, kubeSubject, objectsOf, parseKubeType, podSpecOf } from "../../lib/kubernetes";
import { isUnknown } from "../../lib/unknown";

const KINDS = new Set(WORKLOAD_KINDS);

function workloadType(type: string) {
    const kt = parseKubeType(type);
    return kt && KINDS.has(kt.kind) ? kt : undefined;
}

/**
 * Rule 5: no hostNetwork and no hostPort in any pod template (Pod, Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob, PodTemplate; their patches and lists), in
 * containers, initContainers and ephemeralContainers.
 */
export const disallowHostNetworkAndPorts = resourceRule({
    name: "disallow-host-network-and-ports",
    description: "Pod templates must not use hostNetwork or hostPort: either opens the workload on the node's network.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove hostNetwork/hostPort; the workload reaches and is reached through the Ziti overlay.",
    appliesTo: (type) => workloadType(type) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        const kt = workloadType(ctx.type)!;
        const fix = `or allow-list ${allowEntry(ctx.subject)}.`;
        for (const { obj, path } of objectsOf(kt, ctx.props, ctx.unknown)) {
            const pod = podSpecOf(kt.kind, obj, path, ctx.unknown);
            if (!pod) {
                continue;
            }
            const hostNetwork = pod.spec.hostNetwork;
            const hostNetworkPath = joinPath(pod.path, "hostNetwork");
            if (isUnknown(hostNetwork)) {
                ctx.unknown(hostNetworkPath);
            } else if (hostNetwork === true) {
                ctx.report(
                    `${ctx.subject.label} sets ${hostNetworkPath}: true, so its pods listen on the node's network. ` +
                        `Fix: remove hostNetwork and reach the workload over Ziti, ${fix}`,
                );
            }
            for (const c of containersOf(pod, ctx.unknown)) {
                const ports = c.container.ports;
                const portsPath = joinPath(c.path, "ports");
                if (isUnknown(ports)) {
                    ctx.unknown(portsPath);
                    continue;
                }
                if (!Array.isArray(ports)) {
                    continue;
                }
                ports.forEach((p, i) => {
                    const portPath = joinPath(portsPath, i);
                    if (isUnknown(p)) {
                        ctx.unknown(portPath);
                        return;
                    }
                    if (p === null || typeof p !== "object" || Array.isArray(p)) {
                        return;
                    }
                    const hostPort = p.hostPort;
                    if (isUnknown(hostPort)) {
                        ctx.unknown(joinPath(portPath, "hostPort"));
                    } else if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
                        ctx.report(
                            `${ctx.subject.label} container '${c.name}' sets ${joinPath(portPath, "hostPort")}: ${show(hostPort)} ` +
                                `(containerPort ${show(p.containerPort)}), which opens that port on the node. ` +
                                `Fix: remove hostPort and reach the container over Ziti, ${fix}`,
                        );
                    }
                });
            }
        }
    },
});
