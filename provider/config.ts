// Ziti Config: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ownerOf } from "./owner";
import { kindEntry } from "./kinds";
import { remoteProviders } from "./remote";
import type { ZitiClient } from "./client";
import { containsUnknown, KindSpec, makeProvider, UNKNOWN, validateName, ZitiValidationError } from "./crud";
import { nameProblem } from "./names";
import type { Failure } from "./roles";
import { ConfigArgs, ConfigState } from "./types";

/** Schema checks of the typed config types (intercept.v1, host.v1, proxy.v1), before any write. */
function validateData(configType: string, data: any): Failure[] {
    const failures: Failure[] = [];
    if (data === UNKNOWN) return failures;
    if (!data || typeof data !== "object" || Array.isArray(data)) return [{ property: "data", reason: "must be an object" }];
    if (containsUnknown(data)) return failures;
    const port = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
    const ranges = (prop: string, list: unknown, required: boolean) => {
        if (list === undefined && !required) return;
        if (!Array.isArray(list) || (required && list.length === 0)) {
            failures.push({ property: prop, reason: "must list at least one port range {low, high}" });
            return;
        }
        list.forEach((r: any, i: number) => {
            if (!r || !port(r.low) || !port(r.high)) failures.push({ property: `${prop}[${i}]`, reason: "low and high must be port numbers 0-65535" });
            else if (r.low > r.high) failures.push({ property: `${prop}[${i}]`, reason: `low ${r.low} is greater than high ${r.high}` });
        });
    };
    const protocols = (prop: string, list: unknown, required: boolean) => {
        if (list === undefined && !required) return;
        if (!Array.isArray(list) || (required && list.length === 0)) {
            failures.push({ property: prop, reason: 'must list "tcp" and/or "udp"' });
            return;
        }
        list.forEach((p, i) => {
            if (p !== "tcp" && p !== "udp") failures.push({ property: `${prop}[${i}]`, reason: `"${p}" is not tcp or udp` });
        });
    };
    const strings = (prop: string, list: unknown, required: boolean, what: string) => {
        if (list === undefined && !required) return;
        if (!Array.isArray(list) || (required && list.length === 0)) {
            failures.push({ property: prop, reason: `must list at least one ${what}` });
            return;
        }
        list.forEach((a, i) => {
            if (typeof a !== "string" || a.trim() === "") failures.push({ property: `${prop}[${i}]`, reason: `must be a non-empty ${what}` });
        });
    };
    if (configType === "intercept.v1") {
        protocols("data.protocols", data.protocols, true);
        strings("data.addresses", data.addresses, true, "address (hostname, IP or CIDR)");
        ranges("data.portRanges", data.portRanges, true);
        const d = data.dialOptions;
        if (d !== undefined) {
            if (typeof d !== "object" || d === null) failures.push({ property: "data.dialOptions", reason: "must be an object" });
            else {
                if (d.identity !== undefined && (typeof d.identity !== "string" || d.identity === "")) failures.push({ property: "data.dialOptions.identity", reason: "must be a non-empty string" });
                if (d.connectTimeoutSeconds !== undefined && !(Number.isInteger(d.connectTimeoutSeconds) && d.connectTimeoutSeconds >= 0)) {
                    failures.push({ property: "data.dialOptions.connectTimeoutSeconds", reason: "must be a whole number of seconds" });
                }
            }
        }
    } else if (configType === "host.v1") {
        if (data.forwardProtocol) protocols("data.allowedProtocols", data.allowedProtocols, true);
        else if (data.protocol !== "tcp" && data.protocol !== "udp") failures.push({ property: "data.protocol", reason: 'must be "tcp" or "udp" (or set forwardProtocol with allowedProtocols)' });
        if (data.forwardAddress) strings("data.allowedAddresses", data.allowedAddresses, true, "address");
        else if (typeof data.address !== "string" || data.address.trim() === "") failures.push({ property: "data.address", reason: "must be the host or IP to forward to (or set forwardAddress with allowedAddresses)" });
        if (data.forwardPort) ranges("data.allowedPortRanges", data.allowedPortRanges, true);
        else if (!port(data.port) || data.port === 0) failures.push({ property: "data.port", reason: "must be a port number 1-65535 (or set forwardPort with allowedPortRanges)" });
        const l = data.listenOptions;
        if (l !== undefined && l !== null) {
            if (l.precedence !== undefined && !["default", "required", "failed"].includes(l.precedence)) {
                failures.push({ property: "data.listenOptions.precedence", reason: `"${l.precedence}" must be default, required or failed` });
            }
            if (l.cost !== undefined && !(Number.isInteger(l.cost) && l.cost >= 0 && l.cost <= 65535)) failures.push({ property: "data.listenOptions.cost", reason: "must be 0-65535" });
            if (l.maxConnections !== undefined && !(Number.isInteger(l.maxConnections) && l.maxConnections >= 1)) failures.push({ property: "data.listenOptions.maxConnections", reason: "must be at least 1" });
        }
    } else if (configType === "proxy.v1") {
        // openziti/ziti v1.7.2 tunnel/entities/service.go ProxyV1Config{port uint16, protocols, binding}.
        if (!port(data.port) || data.port === 0) failures.push({ property: "data.port", reason: "must be a port number 1-65535" });
        protocols("data.protocols", data.protocols, true);
        if (data.binding !== undefined && (typeof data.binding !== "string" || data.binding.trim() === "")) {
            failures.push({ property: "data.binding", reason: "must be an interface name or address, e.g. 127.0.0.1" });
        }
    }
    return failures;
}

/**
 * Config type name -> id on this controller; unknown names fail before any write, listing the known ones. Found ids
 * are kept for the provider process (a config type's id does not change), so N configs make one lookup, not N.
 */
async function configTypeId(client: ZitiClient, name: string, configName: string): Promise<string> {
    const g = globalThis as any;
    const key = Symbol.for("scrape-anywhere.ziti.configTypeIds");
    const ids: Map<string, string> = g[key] ?? (g[key] = new Map());
    const cacheKey = `${client.controllerUrl} ${name}`;
    const cached = ids.get(cacheKey);
    if (cached) return cached;
    const found = await client.findBy("config-types", "name", name);
    if (found.length > 0) {
        ids.set(cacheKey, found[0].id);
        return found[0].id;
    }
    const all = await client.request("GET", "/edge/management/v1/config-types", { query: { limit: 500 } });
    const known = (Array.isArray(all.data) ? all.data : []).map((t: any) => t.name).sort();
    throw new ZitiValidationError(`ziti:Config "${configName}": configType: unknown config type "${name}" (this controller knows: ${known.join(", ")})`, [
        { property: "configType", reason: `unknown config type "${name}"` },
    ]);
}

/** Args, conversion and validation of a Ziti config. */
export const configSpec: KindSpec = {
    ...kindEntry("Config"),
    fields: ["name", "configType", "data"],
    setFields: [],
    // A config's type cannot change on the controller.
    replaceFields: ["configType"],
    normalize(a: any) {
        return { name: a.name, configType: a.configType, data: a.data ?? {} };
    },
    validate(d: any) {
        const failures = [...validateName(d.name)];
        if (d.configType !== UNKNOWN && (typeof d.configType !== "string" || d.configType.trim() === "")) {
            failures.push({ property: "configType", reason: "must name a config type, e.g. intercept.v1 or host.v1" });
        } else if (d.configType !== UNKNOWN && nameProblem(d.configType)) {
            // Looked up by name (a filter): the same rule as entity names.
            failures.push({ property: "configType", reason: nameProblem(d.configType)! });
        } else if (d.configType !== UNKNOWN) {
            failures.push(...validateData(d.configType, d.data));
        }
        return failures;
    },
    async payload(client, d, mode) {
        if (mode === "update") return { name: d.name, data: d.data };
        return { name: d.name, configTypeId: await configTypeId(client, d.configType, d.name), data: d.data };
    },
    // Every output is what the create sent (name, type id, data / configs, attributes, flags, strategy).
    created: (id, body) => ({ ...body, id }),
    async fromApi(_client, e, prev) {
        return {
            name: e.name,
            configType: e.configType?.name ?? prev.configType,
            configTypeId: e.configTypeId,
            data: e.data ?? {},
        };
    },
};

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:Config` (one module-level object per kind). */
export const configProvider: pulumi.dynamic.ResourceProvider = makeProvider(configSpec);

/** Every output of a Config, declared so that the engine registers it (values come from the provider). */
const configOutputs: Record<keyof Omit<ConfigState, "id">, undefined> = {
    name: undefined,
    configType: undefined,
    configTypeId: undefined,
    data: undefined,
};

/** A Ziti config: typed `intercept.v1` / `host.v1` / `proxy.v1` data, or any config type known to the controller by name. */
export class Config extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly configType: pulumi.Output<string>;
    public declare readonly configTypeId: pulumi.Output<string>;
    public declare readonly data: pulumi.Output<Record<string, unknown>>;

    constructor(name: string, args: ConfigArgs, opts?: pulumi.CustomResourceOptions) {
        // The serialized provider is a small loader of the real one (./remote): state stays small.
        super(remoteProviders.Config, name, { ...configOutputs, ...args, owner: ownerOf(name) }, opts, "ziti", "Config");
    }
}
