import { allowEntry, at, joinPath, resourceRule, show, Subject } from "../../lib/rule";
import { UNKNOWN, isUnknown } from "../../lib/unknown";

export const DOCKER_CONTAINER = "docker:index/container:Container";

/** `docker/<container name>` (the container's `name`, else the Pulumi resource name). */
export function dockerSubject(args: { name: string; props: { [k: string]: unknown } }): Subject {
    const name = args.props.name;
    if (isUnknown(name)) {
        return { label: `Docker container '${args.name}'`, id: UNKNOWN, idPath: "name" };
    }
    const id = `docker/${typeof name === "string" && name ? name : args.name}`;
    return { label: `Docker container '${id.slice("docker/".length)}'`, id };
}

/** Rule 6: no published ports on a Docker container and no `networkMode: host`. */
export const disallowDockerPublishedPorts = resourceRule({
    name: "disallow-docker-published-ports",
    description: "Docker containers must not publish ports or use the host network: the container is reached over Ziti only.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove `ports` and `networkMode: host`; the zitified workload listens on the overlay.",
    appliesTo: (type) => type === DOCKER_CONTAINER,
    subject: dockerSubject,
    check: (ctx) => {
        const fix = `or allow-list ${allowEntry(ctx.subject)}.`;
        const ports = ctx.props.ports;
        if (isUnknown(ports)) {
            ctx.unknown("ports");
        } else if (Array.isArray(ports) && ports.length > 0) {
            const shown = ports.map((p, i) => {
                if (isUnknown(p)) {
                    ctx.unknown(joinPath("ports", i));
                    return "<unknown>";
                }
                const external = at(p, ["external"]);
                const ip = at(p, ["ip"]);
                return `${ip !== undefined ? `${show(ip)}:` : ""}${external !== undefined ? show(external) : "<random>"}->${show(at(p, ["internal"]))}`;
            });
            ctx.report(
                `${ctx.subject.label} publishes ports (${shown.join(", ")}) on the Docker host. ` +
                    `Fix: remove \`ports\` and reach the container over Ziti, ${fix}`,
            );
        }
        const networkMode = ctx.props.networkMode;
        if (isUnknown(networkMode)) {
            ctx.unknown("networkMode");
        } else if (networkMode === "host") {
            ctx.report(
                `${ctx.subject.label} sets networkMode: host, so it listens on the Docker host's network. ` +
                    `Fix: use a bridge network without published ports and reach it over Ziti, ${fix}`,
            );
        }
    },
});
