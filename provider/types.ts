// The contract between the Ziti dynamic provider (provider/*) and the components that use it.
// Args are what a program passes (pulumi.Input everywhere); *State are the plain, resolved JSON outputs
// each resource class exposes as pulumi.Output<...> properties of the same names.
import * as pulumi from "@pulumi/pulumi";

/** `#attribute`, `@entityName` (resolved to `@id` by the provider), or `#all`. */
export type Role = string;
export type Semantic = "AnyOf" | "AllOf";

// ---- Identity --------------------------------------------------------------------------------

export interface IdentityArgs {
    /** Ziti identity name, e.g. `kubeA.reflect.id`. */
    name: pulumi.Input<string>;
    /** Ziti identity type; defaults to `Device`. */
    type?: pulumi.Input<"Device" | "User" | "Default">;
    /** Role attributes, without the leading `#` (e.g. `reflectz-clients`). Compared as a set. */
    roleAttributes?: pulumi.Input<pulumi.Input<string>[]>;
    isAdmin?: pulumi.Input<boolean>;
    /**
     * `true` (default): the provider enrolls the one-time token itself and outputs `identityJson`.
     * `false`: the identity is left un-enrolled and only `enrollmentJwt` is output, for a workload
     * that enrolls itself.
     */
    enroll?: pulumi.Input<boolean>;
}

export interface IdentityState {
    id: string;
    name: string;
    type: string;
    roleAttributes: string[];
    isAdmin: boolean;
    enroll: boolean;
    /** One-time enrollment token (secret). Empty once consumed by the provider's own enrollment. */
    enrollmentJwt: string;
    /** Enrolled identity file JSON `{ztAPI, id: {key, cert, ca}}` as a string (secret). Empty when enroll=false. */
    identityJson: string;
}

// ---- Config ----------------------------------------------------------------------------------

export interface PortRange {
    low: number;
    high: number;
}

/** Data of the `intercept.v1` config type. */
export interface InterceptV1Data {
    protocols: ("tcp" | "udp")[];
    addresses: string[];
    portRanges: PortRange[];
    dialOptions?: { identity?: string; connectTimeoutSeconds?: number };
    sourceIp?: string;
}

/** Data of the `host.v1` config type. */
export interface HostV1Data {
    protocol?: "tcp" | "udp";
    address?: string;
    port?: number;
    forwardProtocol?: boolean;
    forwardAddress?: boolean;
    forwardPort?: boolean;
    allowedProtocols?: string[];
    allowedAddresses?: string[];
    allowedPortRanges?: PortRange[];
    listenOptions?: {
        bindUsingEdgeIdentity?: boolean;
        identity?: string;
        connectTimeoutSeconds?: number;
        precedence?: "default" | "required" | "failed";
        cost?: number;
        maxConnections?: number;
    };
}

export type ConfigArgs =
    | { name: pulumi.Input<string>; configType: "intercept.v1"; data: pulumi.Input<InterceptV1Data> }
    | { name: pulumi.Input<string>; configType: "host.v1"; data: pulumi.Input<HostV1Data> }
    /** Raw form: any config type known to the controller, by name; `data` is validated by the controller. */
    | { name: pulumi.Input<string>; configType: pulumi.Input<string>; data: pulumi.Input<Record<string, unknown>> };

export interface ConfigState {
    id: string;
    name: string;
    configType: string;
    configTypeId: string;
    data: Record<string, unknown>;
}

// ---- Service ---------------------------------------------------------------------------------

export interface ServiceArgs {
    /** Ziti service name, e.g. `kubeA.reflect.svc`. */
    name: pulumi.Input<string>;
    /** Config ids (e.g. `config.id`) attached to the service. Compared as a set. */
    configs?: pulumi.Input<pulumi.Input<string>[]>;
    roleAttributes?: pulumi.Input<pulumi.Input<string>[]>;
    encryptionRequired?: pulumi.Input<boolean>;
    terminatorStrategy?: pulumi.Input<string>;
    /**
     * The service is addressed by prometheuz scrape targets written `service-terminator`, so its
     * name must not contain `-`. Defaults to true.
     */
    scrapeable?: pulumi.Input<boolean>;
}

export interface ServiceState {
    id: string;
    name: string;
    configs: string[];
    roleAttributes: string[];
    encryptionRequired: boolean;
    terminatorStrategy: string;
    scrapeable: boolean;
}

// ---- Policies --------------------------------------------------------------------------------

export interface ServicePolicyArgs {
    name: pulumi.Input<string>;
    type: pulumi.Input<"Dial" | "Bind">;
    semantic?: pulumi.Input<Semantic>;
    serviceRoles: pulumi.Input<pulumi.Input<Role>[]>;
    identityRoles: pulumi.Input<pulumi.Input<Role>[]>;
    postureCheckRoles?: pulumi.Input<pulumi.Input<Role>[]>;
}

export interface ServicePolicyState {
    id: string;
    name: string;
    type: "Dial" | "Bind";
    semantic: Semantic;
    /** As written by the program (`@name` / `#attr`); the provider stores ids on the controller. */
    serviceRoles: string[];
    identityRoles: string[];
    postureCheckRoles: string[];
}

export interface EdgeRouterPolicyArgs {
    name: pulumi.Input<string>;
    semantic?: pulumi.Input<Semantic>;
    edgeRouterRoles: pulumi.Input<pulumi.Input<Role>[]>;
    identityRoles: pulumi.Input<pulumi.Input<Role>[]>;
}

export interface EdgeRouterPolicyState {
    id: string;
    name: string;
    semantic: Semantic;
    edgeRouterRoles: string[];
    identityRoles: string[];
}

export interface ServiceEdgeRouterPolicyArgs {
    name: pulumi.Input<string>;
    semantic?: pulumi.Input<Semantic>;
    edgeRouterRoles: pulumi.Input<pulumi.Input<Role>[]>;
    serviceRoles: pulumi.Input<pulumi.Input<Role>[]>;
}

export interface ServiceEdgeRouterPolicyState {
    id: string;
    name: string;
    semantic: Semantic;
    edgeRouterRoles: string[];
    serviceRoles: string[];
}
