import { allowEntry, stackRule, BaseRuleConfig } from "../../lib/rule";
import { isUnknown } from "../../lib/unknown";
import { DOCKER_CONTAINER, dockerSubject } from "./disallow-docker-published-ports";

// Docker's `container:<name|id>` network mode (moby runconfig/opts parse.go, NetworkMode.IsContainer): the container
// joins another container's network namespace and is reachable wherever that one is (its published ports, its
// networks). A sidecar of this stack joining a container of this same stack (the upstream flavor's tunneler beside
// Prometheus, flavors/upstream/docker.ts) is inside the place: the other container is checked by the pack itself.
// A container this stack does not define is not: nothing here says what it publishes or where it is attached.

const PREFIX = "container:";

/**
 * Issue 21: a Docker container may share the network namespace only of a container of the same stack, named by
 * that container's id or `name` (the `id` of a container known once it exists; during preview the mode is unknown).
 */
export const disallowForeignContainerNetwork = stackRule<BaseRuleConfig>({
    name: "disallow-foreign-container-network",
    description:
        "A Docker container may join another container's network namespace (networkMode container:<x>) only when <x> is a container of the same stack, which the pack checks too.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Join a container this stack defines (networkMode: container:<its id>, e.g. pulumi.interpolate`container:${prometheus.id}`), or give the container its own bridge network without published ports.",
    check: (ctx) => {
        const containers = ctx.resources.filter((r) => r.type === DOCKER_CONTAINER);
        // What names a container of this stack: its id (outputs) and its `name` (else the Pulumi resource name).
        const ours = new Set<string>();
        for (const r of containers) {
            const props = ctx.propsOf(r);
            ours.add(typeof props.name === "string" && props.name ? props.name : r.name);
            if (typeof props.id === "string" && props.id) ours.add(props.id);
        }
        for (const r of containers) {
            const props = ctx.propsOf(r);
            const subject = dockerSubject({ type: r.type, name: r.name, props });
            const mode = props.networkMode;
            if (isUnknown(mode)) {
                ctx.unknown(r, subject, "networkMode");
                continue;
            }
            if (typeof mode !== "string" || !mode.startsWith(PREFIX)) continue;
            const other = mode.slice(PREFIX.length);
            if (ours.has(other)) continue;
            ctx.report(r, subject,
                `${subject.label} sets networkMode: ${mode}, the network namespace of a container this stack does not define, ` +
                    `so it is reachable wherever that container is (its published ports and networks included), and the pack cannot check it. ` +
                    `Fix: join a container of this stack (networkMode: container:<its id>), give it its own bridge network without published ports, or allow-list ${allowEntry(subject)}.`);
        }
    },
});
