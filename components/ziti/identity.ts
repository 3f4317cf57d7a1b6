// Ziti Identity: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { IdentityArgs, IdentityState } from "./types";

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:Identity` (one module-level object per kind). */
export const identityProvider: pulumi.dynamic.ResourceProvider = {
    async create() {
        throw new Error("ziti:Identity provider not implemented yet");
    },
};

/** Every output of a Identity, declared so that the engine registers it (values come from the provider). */
const identityOutputs: Record<keyof Omit<IdentityState, "id">, undefined> = {
    name: undefined,
    type: undefined,
    roleAttributes: undefined,
    isAdmin: undefined,
    enroll: undefined,
    enrollmentJwt: undefined,
    identityJson: undefined,
};

/** A Ziti identity, enrolled by the provider unless `enroll: false` (then only its one-time JWT is output). */
export class Identity extends pulumi.dynamic.Resource {
    /** The Ziti id of the entity (also the resource id). */
    public declare readonly id: pulumi.Output<string>;
    public declare readonly name: pulumi.Output<string>;
    public declare readonly type: pulumi.Output<string>;
    public declare readonly roleAttributes: pulumi.Output<string[]>;
    public declare readonly isAdmin: pulumi.Output<boolean>;
    public declare readonly enroll: pulumi.Output<boolean>;
    public declare readonly enrollmentJwt: pulumi.Output<string>;
    public declare readonly identityJson: pulumi.Output<string>;

    constructor(name: string, args: IdentityArgs, opts?: pulumi.CustomResourceOptions) {
        opts = pulumi.mergeOptions(opts, { additionalSecretOutputs: ["enrollmentJwt", "identityJson"] });
        super(identityProvider, name, { ...identityOutputs, ...args }, opts, "ziti", "Identity");
    }
}
