// Ziti Service: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ServiceArgs, ServiceState } from "./types";

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:Service` (one module-level object per kind). */
export const serviceProvider: pulumi.dynamic.ResourceProvider = {
    async create() {
        throw new Error("ziti:Service provider not implemented yet");
    },
};

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
        super(serviceProvider, name, { ...serviceOutputs, ...args }, opts, "ziti", "Service");
    }
}
