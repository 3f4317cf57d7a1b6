import { Subject, allowEntry, resourceRule, show } from "../../lib/rule";
import { PlainObject } from "../../lib/unknown";
import { kubeSubject } from "../../lib/kubernetes";
import { findShapes } from "../../lib/shapes";
import { DOCKER_CONTAINER, DOCKER_SERVICE } from "../docker/disallow-docker-published-ports";
import { HELM_RELEASE, helmReleaseSubject } from "../helm/disallow-opaque-helm-release";

/**
 * A Kubernetes object (or anything with Kubernetes metadata) by namespace/name, a Helm v3 Release by its release's
 * (pod fields in its `values`), any other resource as `resource/<name>`.
 */
export function anySubject(args: { type: string; name: string; props: PlainObject; providerNamespace?: string }): Subject {
    if (args.type === HELM_RELEASE) {
        return helmReleaseSubject(args);
    }
    if (args.type.startsWith("kubernetes:") || args.props.metadata !== undefined) {
        return kubeSubject(args);
    }
    return { label: `${args.type} '${args.name}'`, id: `resource/${args.name}` };
}

/**
 * Rule 5, by shape (issue 23): `hostNetwork: true` or a non-zero `hostPort` anywhere in any resource's
 * inputs. A pod spec is recognised by the PodSpec's own field names (lib/shapes.ts), so the core workload
 * kinds, their patches and lists, and every CRD that embeds a pod spec or pod fields (Argo Rollout,
 * Workflow, JobSet, Knative Service, a Prometheus CR, Helm values, ...) are judged the same way. Docker
 * resources are left to disallow-docker-published-ports (their inputs have other names).
 */
export const disallowHostNetworkAndPorts = resourceRule({
    name: "disallow-host-network-and-ports",
    description: "No pod spec, in any resource at any depth, may use hostNetwork or hostPort: either opens the workload on the node's network.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove hostNetwork/hostPort; the workload reaches and is reached through the Ziti overlay.",
    appliesTo: (type) => type !== DOCKER_CONTAINER && type !== DOCKER_SERVICE,
    subject: anySubject,
    check: (ctx) => {
        const fix = `or allow-list ${allowEntry(ctx.subject)}.`;
        const found = findShapes(ctx.props, ctx.unknown);
        for (const { path } of found.hostNetworks) {
            ctx.report(
                `${ctx.subject.label} sets ${path}: true, so its pods listen on the node's network. ` +
                    `Fix: remove hostNetwork and reach the workload over Ziti, ${fix}`,
            );
        }
        for (const p of found.hostPorts) {
            ctx.report(
                `${ctx.subject.label}${p.container ? ` container '${p.container}'` : ""} sets ${p.path}: ${show(p.hostPort)} ` +
                    `(containerPort ${show(p.containerPort ?? null)}), which opens that port on the node. ` +
                    `Fix: remove hostPort and reach the container over Ziti, ${fix}`,
            );
        }
    },
});
