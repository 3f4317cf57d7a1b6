// Ziti Service: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ownerOf } from "./owner";
import { kindEntry } from "./kinds";
import { remoteProviders } from "./remote";
import { containsUnknown, KindSpec, makeProvider, UNKNOWN, validateName } from "./crud";
import { asSet, validateAttributes } from "./roles";
import { ServiceArgs, ServiceState } from "./types";

/** Args, conversion and validation of a Ziti service. */
export const serviceSpec: KindSpec = {
    ...kindEntry("Service"),
    fields: ["name", "configs", "roleAttributes", "encryptionRequired", "terminatorStrategy", "scrapeable"],
    setFields: ["configs", "roleAttributes"],
    // v1.7.2 accepts encryptionRequired in a PATCH but does not change it: only a new service can.
    replaceFields: ["encryptionRequired"],
    // What a new service has on v1.7.2 (edge-api v0.26.50 rest_model/service_update.go): no idle timeout of its own.
    pinned: { maxIdleTimeMillis: 0 },
    normalize(a: any) {
        return {
            name: a.name,
            configs: containsUnknown(a.configs) ? a.configs : asSet(a.configs),
            roleAttributes: containsUnknown(a.roleAttributes) ? a.roleAttributes : asSet(a.roleAttributes),
            encryptionRequired: a.encryptionRequired ?? true,
            terminatorStrategy: a.terminatorStrategy ?? "smartrouting",
            scrapeable: a.scrapeable ?? true,
        };
    },
    validate(d: any) {
        const failures = [...validateName(d.name), ...validateAttributes("roleAttributes", d.roleAttributes === UNKNOWN ? [] : d.roleAttributes)];
        if (d.scrapeable === true && typeof d.name === "string" && d.name !== UNKNOWN && d.name.includes("-")) {
            failures.push({
                property: "name",
                reason: `"${d.name}" contains "-": prometheuz splits scrape targets written \`service-terminator\` on "-", so a scrapeable service name must not contain it (use "." or "_", or set scrapeable: false)`,
            });
        }
        if (Array.isArray(d.configs)) {
            d.configs.forEach((c: unknown, i: number) => {
                if (c !== UNKNOWN && (typeof c !== "string" || c.trim() === "")) failures.push({ property: `configs[${i}]`, reason: "must be a config id" });
            });
        } else if (d.configs !== UNKNOWN) failures.push({ property: "configs", reason: "must be a list of config ids" });
        if (d.terminatorStrategy !== UNKNOWN && (typeof d.terminatorStrategy !== "string" || d.terminatorStrategy === "")) {
            failures.push({ property: "terminatorStrategy", reason: "must be a strategy name such as smartrouting, weighted, random, ha" });
        }
        return failures;
    },
    async payload(_client, d) {
        return {
            name: d.name,
            configs: d.configs,
            roleAttributes: d.roleAttributes,
            encryptionRequired: d.encryptionRequired,
            terminatorStrategy: d.terminatorStrategy,
        };
    },
    // Every output is what the create sent (name, type id, data / configs, attributes, flags, strategy).
    created: (id, body) => ({ ...body, id }),
    async fromApi(_client, e, prev) {
        return {
            name: e.name,
            configs: asSet(e.configs ?? []),
            roleAttributes: asSet(e.roleAttributes ?? []),
            encryptionRequired: !!e.encryptionRequired,
            terminatorStrategy: e.terminatorStrategy ?? "",
            scrapeable: prev.scrapeable ?? true,
        };
    },
};

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:Service` (one module-level object per kind). */
export const serviceProvider: pulumi.dynamic.ResourceProvider = makeProvider(serviceSpec);

/** Every output of a Service, declared so that the engine registers it (values come from the provider). */
const serviceOutputs: Record<keyof Omit<ServiceState, "id">, undefined> = {
    name: undefined,
    configs: undefined,
    roleAttributes: undefined,
    encryptionRequired: undefined,
    terminatorStrategy: undefined,
    scrapeable: undefined,
};

/** A Ziti service. Scrapeable services (the default) must not have `-` in their name. */
export class Service extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly configs: pulumi.Output<string[]>;
    public declare readonly roleAttributes: pulumi.Output<string[]>;
    public declare readonly encryptionRequired: pulumi.Output<boolean>;
    public declare readonly terminatorStrategy: pulumi.Output<string>;
    public declare readonly scrapeable: pulumi.Output<boolean>;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.CustomResourceOptions) {
        // The serialized provider is a small loader of the real one (./remote): state stays small.
        super(remoteProviders.Service, name, { ...serviceOutputs, ...args, owner: ownerOf(name) }, opts, "ziti", "Service");
    }
}
