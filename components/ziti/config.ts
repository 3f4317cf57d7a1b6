// Ziti Config: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { ConfigArgs, ConfigState } from "./types";

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:Config` (one module-level object per kind). */
export const configProvider: pulumi.dynamic.ResourceProvider = {
    async create() {
        throw new Error("ziti:Config provider not implemented yet");
    },
};

/** Every output of a Config, declared so that the engine registers it (values come from the provider). */
const configOutputs: Record<keyof Omit<ConfigState, "id">, undefined> = {
    name: undefined,
    configType: undefined,
    configTypeId: undefined,
    data: undefined,
};

/** A Ziti config: typed `intercept.v1` / `host.v1` data, or any config type known to the controller by name. */
export class Config extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly configType: pulumi.Output<string>;
    public declare readonly configTypeId: pulumi.Output<string>;
    public declare readonly data: pulumi.Output<Record<string, unknown>>;

    constructor(name: string, args: ConfigArgs, opts?: pulumi.CustomResourceOptions) {
        super(configProvider, name, { ...configOutputs, ...args }, opts, "ziti", "Config");
    }
}
