import { PolicyResource } from "@pulumi/policy";
import { BaseRuleConfig, allowEntry, at, isObject, stackRule } from "../../lib/rule";
import { isUnknown } from "../../lib/unknown";
import { DOCKER_CONTAINER, DOCKER_SERVICE, dockerSubject } from "./disallow-docker-published-ports";

// @pulumi/docker 4.11.2 network.d.ts NetworkArgs (`name`, `driver`).
export const DOCKER_NETWORK = "docker:index/network:Network";

interface Config extends BaseRuleConfig {
    hostLevelDrivers: string[];
}

/**
 * Docker network drivers that give containers an address on the host's LAN (moby/moby
 * libnetwork/drivers/macvlan, libnetwork/drivers/ipvlan): a container attached to one is reachable on every
 * port it listens on, with no `ports` at all.
 */
const DEFAULT_DRIVERS = ["macvlan", "ipvlan"];

function networkName(r: PolicyResource, props: Record<string, unknown>): string {
    return typeof props.name === "string" && props.name ? props.name : r.name;
}

/**
 * Issue 23, host-level networks (Docker): a macvlan or ipvlan network, and every container (or swarm
 * service) attached to one that the stack defines, by the network's name in `networksAdvanced` or
 * `networkMode`.
 */
export const disallowHostLevelDockerNetworks = stackRule<Config>({
    name: "disallow-host-level-docker-networks",
    description: "No Docker macvlan/ipvlan network, and no container attached to one: it puts containers on the host's LAN, every port reachable without `ports`.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use a bridge (or overlay) network without published ports; reach the container over Ziti.",
    configProperties: {
        hostLevelDrivers: { type: "array", items: { type: "string" }, default: DEFAULT_DRIVERS, description: "Docker network drivers that put containers on the host's LAN." },
    },
    configDefaults: { hostLevelDrivers: DEFAULT_DRIVERS },
    check: (ctx) => {
        const hostLevel = new Map<string, string>(); // network name -> driver
        for (const r of ctx.resources.filter((x) => x.type === DOCKER_NETWORK)) {
            const props = ctx.propsOf(r);
            const subject = { label: `Docker network '${networkName(r, props)}'`, id: `docker/${networkName(r, props)}` };
            if (isUnknown(props.driver)) {
                ctx.unknown(r, subject, "driver");
                continue;
            }
            if (typeof props.driver !== "string" || !ctx.config.hostLevelDrivers.includes(props.driver)) continue;
            hostLevel.set(networkName(r, props), props.driver);
            ctx.report(r, subject,
                `${subject.label} uses the ${props.driver} driver, which gives containers an address on the host's LAN: every port they listen on is reachable there, without \`ports\`. ` +
                    `Fix: use a bridge network without published ports and reach the containers over Ziti, or allow-list '${subject.id}'.`);
        }
        if (hostLevel.size === 0) return;
        for (const r of ctx.resources.filter((x) => x.type === DOCKER_CONTAINER || x.type === DOCKER_SERVICE)) {
            const props = ctx.propsOf(r);
            const subject = dockerSubject({ type: r.type, name: r.name, props });
            const attached: { name: string; path: string }[] = [];
            const list = r.type === DOCKER_CONTAINER ? props.networksAdvanced : at(props, ["taskSpec", "networksAdvanceds"]);
            const listPath = r.type === DOCKER_CONTAINER ? "networksAdvanced" : "taskSpec.networksAdvanceds";
            if (isUnknown(list)) ctx.unknown(r, subject, listPath);
            (Array.isArray(list) ? list : []).forEach((n, i) => {
                const name = isObject(n) ? n.name : undefined;
                if (isUnknown(n) || isUnknown(name)) ctx.unknown(r, subject, `${listPath}[${i}].name`);
                else if (typeof name === "string" && hostLevel.has(name)) attached.push({ name, path: `${listPath}[${i}].name` });
            });
            if (typeof props.networkMode === "string" && hostLevel.has(props.networkMode)) attached.push({ name: props.networkMode, path: "networkMode" });
            for (const a of attached) {
                ctx.report(r, subject,
                    `${subject.label} attaches to the ${hostLevel.get(a.name)} network '${a.name}' (${a.path}), so it has an address on the host's LAN and every port it listens on is reachable there. ` +
                        `Fix: attach it to a bridge network without published ports and reach it over Ziti, or allow-list ${allowEntry(subject)}.`);
            }
        }
    },
});
