import { BaseRuleConfig, CheckContext, allowEntry, at, joinPath, resourceRule, show, Subject } from "../../lib/rule";
import { Plain, UNKNOWN, isUnknown } from "../../lib/unknown";

// Type tokens and input names of @pulumi/docker 4.11.2 (container.d.ts ContainerArgs, service.d.ts
// ServiceArgs, types/input.d.ts ContainerPort, ContainerNetworksAdvanced, ServiceEndpointSpec(Port),
// ServiceTaskSpecNetworksAdvanced).
export const DOCKER_CONTAINER = "docker:index/container:Container";
export const DOCKER_SERVICE = "docker:index/service:Service";

/** `docker/<name>` (the `name` input, else the Pulumi resource name), for a container or a swarm service. */
export function dockerSubject(args: { type?: string; name: string; props: { [k: string]: unknown } }): Subject {
    const what = args.type === DOCKER_SERVICE ? "Docker service" : "Docker container";
    const name = args.props.name;
    if (isUnknown(name)) {
        return { label: `${what} '${args.name}'`, id: UNKNOWN, idPath: "name" };
    }
    const id = `docker/${typeof name === "string" && name ? name : args.name}`;
    return { label: `${what} '${id.slice("docker/".length)}'`, id };
}

/** The known items of a list input (unknown items recorded); undefined when the whole list is unknown or absent. */
function listAt(ctx: CheckContext<BaseRuleConfig>, value: Plain | undefined, path: string): { item: Plain; path: string }[] {
    if (isUnknown(value)) {
        ctx.unknown(path);
        return [];
    }
    if (!Array.isArray(value)) {
        return [];
    }
    const out: { item: Plain; path: string }[] = [];
    value.forEach((item, i) => {
        if (isUnknown(item)) ctx.unknown(joinPath(path, i));
        else out.push({ item, path: joinPath(path, i) });
    });
    return out;
}

/** `networksAdvanced` entries (container) or `taskSpec.networksAdvanceds` (service) that ask for the host network. */
function hostNetworkEntries(ctx: CheckContext<BaseRuleConfig>, list: Plain | undefined, path: string): string[] {
    const out: string[] = [];
    for (const { item, path: p } of listAt(ctx, list, path)) {
        const name = at(item, ["name"]);
        if (isUnknown(name)) ctx.unknown(`${p}.name`);
        else if (name === "host") out.push(`${p}.name`);
    }
    return out;
}

function checkContainer(ctx: CheckContext<BaseRuleConfig>, fix: string): void {
    const ports = listAt(ctx, ctx.props.ports, "ports");
    if (ports.length > 0) {
        const shown = ports.map(({ item }) => {
            const external = at(item, ["external"]);
            const ip = at(item, ["ip"]);
            return `${ip !== undefined ? `${show(ip)}:` : ""}${external !== undefined ? show(external) : "<random>"}->${show(at(item, ["internal"]))}`;
        });
        ctx.report(
            `${ctx.subject.label} publishes ports (${shown.join(", ")}) on the Docker host. ` +
                `Fix: remove \`ports\` and reach the container over Ziti, ${fix}`,
        );
    }
    const publishAll = ctx.props.publishAllPorts;
    if (isUnknown(publishAll)) {
        ctx.unknown("publishAllPorts");
    } else if (publishAll === true) {
        ctx.report(
            `${ctx.subject.label} sets publishAllPorts: true, so every port its image exposes is published on a random port of the Docker host. ` +
                `Fix: remove publishAllPorts and reach the container over Ziti, ${fix}`,
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
    // `container:<x>` (another container's network namespace) is disallow-foreign-container-network's: whether <x>
    // belongs to this stack is known only from the stack as a whole.
    for (const p of hostNetworkEntries(ctx, ctx.props.networksAdvanced, "networksAdvanced")) {
        ctx.report(
            `${ctx.subject.label} attaches to the Docker host network (${p}: host), so it listens on the Docker host's network. ` +
                `Fix: attach it to a bridge network without published ports and reach it over Ziti, ${fix}`,
        );
    }
}

function checkService(ctx: CheckContext<BaseRuleConfig>, fix: string): void {
    const spec = ctx.props.endpointSpec;
    if (isUnknown(spec)) {
        ctx.unknown("endpointSpec");
    } else {
        const ports = listAt(ctx, at(spec, ["ports"]), "endpointSpec.ports");
        if (ports.length > 0) {
            const shown = ports.map(({ item }) => {
                const published = at(item, ["publishedPort"]);
                const mode = at(item, ["publishMode"]);
                return `${published !== undefined ? show(published) : "<random>"}->${show(at(item, ["targetPort"]))} (${mode !== undefined ? show(mode) : "ingress"})`;
            });
            ctx.report(
                `${ctx.subject.label} publishes ports (${shown.join(", ")}) on the swarm nodes. ` +
                    `Fix: remove endpointSpec.ports and reach the service over Ziti, ${fix}`,
            );
        }
    }
    const taskSpec = ctx.props.taskSpec;
    if (isUnknown(taskSpec)) {
        ctx.unknown("taskSpec");
        return;
    }
    for (const p of hostNetworkEntries(ctx, at(taskSpec, ["networksAdvanceds"]), "taskSpec.networksAdvanceds")) {
        ctx.report(
            `${ctx.subject.label} attaches its tasks to the host network (${p}: host), so they listen on the swarm nodes' network. ` +
                `Fix: attach it to an overlay network without published ports and reach it over Ziti, ${fix}`,
        );
    }
}

/**
 * Rule 6: a Docker container publishes nothing (`ports`, `publishAllPorts`) and keeps its own network
 * namespace (no `networkMode: host`, no `host` in `networksAdvanced`; `container:<x>` is disallow-foreign-container-network's); a swarm
 * service publishes no `endpointSpec.ports` and does not run its tasks on the host network.
 */
export const disallowDockerPublishedPorts = resourceRule({
    name: "disallow-docker-published-ports",
    description:
        "Docker containers and swarm services must not publish ports (ports, publishAllPorts, endpointSpec.ports) or share the host's network: they are reached over Ziti only.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Remove `ports`/`publishAllPorts`/`endpointSpec.ports` and `networkMode: host`; the workload is reached over the overlay.",
    appliesTo: (type) => type === DOCKER_CONTAINER || type === DOCKER_SERVICE,
    subject: dockerSubject,
    check: (ctx) => {
        const fix = `or allow-list ${allowEntry(ctx.subject)}.`;
        if (ctx.type === DOCKER_SERVICE) {
            checkService(ctx, fix);
        } else {
            checkContainer(ctx, fix);
        }
    },
});
