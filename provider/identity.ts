// Ziti Identity: the resource class over its dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import { kindEntry } from "./kinds";
import { remoteProviders } from "./remote";
import type { ZitiClient } from "./client";
import { containsUnknown, KindSpec, makeProvider, UNKNOWN, validateName, ZitiValidationError } from "./crud";
import { enrollOtt, freshOttEnrollment } from "./enroll";
import { ownerOf } from "./owner";
import { asSet, validateAttributes } from "./roles";
import { IdentityArgs, IdentityState } from "./types";

const IDENTITY_TYPES = ["Device", "User", "Default"];

/** `Device` is stored as `Default` by controllers since v1.x: the two names are one type. */
function sameIdentityType(a: unknown, b: unknown): boolean {
    // v1.7.2 knows only Default and Router: it files both `Device` and `User` under `Default`.
    const canon = (t: unknown) => (t === "Device" || t === "User" ? "Default" : t);
    return canon(a) === canon(b);
}

/** Args, conversion and validation of a Ziti identity. */
export const identitySpec: KindSpec = {
    ...kindEntry("Identity"),
    fields: ["name", "type", "roleAttributes", "isAdmin", "enroll"],
    setFields: ["roleAttributes"],
    // The one-time token is consumed (or handed out) at creation; switching modes needs a new identity.
    replaceFields: ["enroll"],
    // What a new identity has on v1.7.2 (github.com/openziti/edge-api v0.26.50 rest_model/identity_patch.go names the
    // fields; the values are the controller's own for an identity created without them, checked by test/provider).
    // An auth policy or external id someone set would let the identity log in another way (a JWT signer, a password).
    pinned: {
        authPolicyId: "default",
        externalId: null,
        appData: {},
        defaultHostingCost: 0,
        defaultHostingPrecedence: "default",
        serviceHostingCosts: {},
        serviceHostingPrecedences: {},
    },
    adoptionProblems(e: any) {
        const out: string[] = [];
        if (e?.disabled === true) out.push("disabled is true (the identity is disabled on the controller; `ziti edge enable identity` it first, if it is yours)");
        if (e?.isDefaultAdmin === true) out.push("isDefaultAdmin is true (the controller's default admin is never managed by a stack)");
        return out;
    },
    normalize(a: any) {
        return {
            name: a.name,
            type: a.type ?? "Device",
            roleAttributes: containsUnknown(a.roleAttributes) ? a.roleAttributes : asSet(a.roleAttributes),
            isAdmin: a.isAdmin ?? false,
            enroll: a.enroll ?? true,
        };
    },
    validate(d: any) {
        const failures = [...validateName(d.name), ...validateAttributes("roleAttributes", d.roleAttributes === UNKNOWN ? [] : d.roleAttributes)];
        if (d.type !== UNKNOWN && !IDENTITY_TYPES.includes(d.type)) {
            failures.push({ property: "type", reason: `"${d.type}" is not one of ${IDENTITY_TYPES.join(", ")}` });
        }
        if (d.isAdmin !== UNKNOWN && typeof d.isAdmin !== "boolean") failures.push({ property: "isAdmin", reason: "must be a boolean" });
        if (d.enroll !== UNKNOWN && typeof d.enroll !== "boolean") failures.push({ property: "enroll", reason: "must be a boolean" });
        return failures;
    },
    async payload(client, d, mode) {
        if (mode === "create" && d.enroll && client.insecure && !client.caPem) {
            // Refused before the POST: nothing is created. What enrollment writes into the identity JSON (id.ca, and
            // ztAPI from the JWT's issuer) would come over a connection nobody verified, and would outlive this dev
            // session in every workload that mounts the identity.
            throw new ZitiValidationError(
                `ziti:Identity "${d.name}": enroll: refused because ziti:insecure=true and no ziti:caBundle is set: the CA and controller address ` +
                    `written into the identity JSON would come over an unverified TLS connection. Set ziti:caBundle to the controller's CA ` +
                    `(then it is the CA written into every identity), or set enroll: false and enroll the identity yourself`,
                [{ property: "enroll", reason: "refused with ziti:insecure=true and no ziti:caBundle" }],
            );
        }
        const body: Record<string, unknown> = { name: d.name, type: d.type, isAdmin: d.isAdmin, roleAttributes: d.roleAttributes };
        if (mode === "create") body.enrollment = { ott: true };
        return body;
    },
    async afterCreate(client, id, d) {
        const entity = await client.get("identities", id);
        const jwt: unknown = entity?.enrollment?.ott?.jwt;
        if (typeof jwt !== "string") throw new Error("the controller created the identity without a one-time enrollment token");
        return finishEnrollment(client, id, d, entity, jwt);
    },
    async afterAdopt(client, id, d) {
        // The run that made this identity died: whatever key it enrolled died with it, and a token it had is not in
        // any state. Revoke both and start a new one-time enrollment, so the outputs are a working identity again.
        const { entity, jwt } = await freshOttEnrollment(client, id);
        return finishEnrollment(client, id, d, entity, jwt);
    },
    async fromApi(_client, e, prev) {
        const enroll = prev.enroll ?? true;
        const pendingJwt = typeof e.enrollment?.ott?.jwt === "string" ? e.enrollment.ott.jwt : "";
        return {
            name: e.name,
            // The controller files the legacy `Device` type under `Default`; keep the name the program wrote.
            type: sameIdentityType(e.type?.name ?? e.typeId, prev.type) ? prev.type : e.type?.name ?? e.typeId,
            roleAttributes: asSet(e.roleAttributes ?? []),
            isAdmin: !!e.isAdmin,
            enroll,
            // Un-enrolled identities show the token while the controller still has it pending.
            enrollmentJwt: enroll ? "" : pendingJwt,
            identityJson: enroll ? prev.identityJson ?? "" : "",
        };
    },
};

/**
 * Enrolls with `jwt` (or hands it out, `enroll: false`). Enrollment changes nothing that fromApi reads (name, type,
 * attributes, admin flag), so `entity` stands for the read create would make after it. An enrollment whose answer
 * was lost may have consumed the token, with the key it certified only here: start over with a fresh token.
 */
async function finishEnrollment(client: ZitiClient, id: string, d: any, entity: any, jwt: string): Promise<{ extra: Record<string, unknown>; entity: any }> {
    if (!d.enroll) return { extra: { enrollmentJwt: jwt, identityJson: "" }, entity };
    let file;
    try {
        file = await enrollOtt(client, jwt, d.name);
    } catch (e) {
        if (!(e as any)?.outcomeUnknown) throw e;
        const fresh = await freshOttEnrollment(client, id);
        file = await enrollOtt(client, fresh.jwt, d.name);
    }
    return { extra: { enrollmentJwt: "", identityJson: JSON.stringify(file) }, entity };
}

/** The dynamic provider for `pulumi-nodejs:dynamic/ziti:Identity` (one module-level object per kind). */
export const identityProvider: pulumi.dynamic.ResourceProvider = makeProvider(identitySpec);

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
        // The serialized provider is a small loader of the real one (./remote): state stays small.
        super(remoteProviders.Identity, name, { ...identityOutputs, ...args, owner: ownerOf(name) }, opts, "ziti", "Identity");
    }
}
