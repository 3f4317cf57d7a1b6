// One-time-token enrollment of an identity: key pair and CSR made with @peculiar/x509 over WebCrypto,
// `POST /edge/client/v1/enroll?method=ott`, and the identity file JSON workloads mount.
import type { ZitiClient } from "./client";
import { entityPath } from "./names";

export interface IdentityFile {
    ztAPI: string;
    id: { key: string; cert: string; ca: string };
}

/** The claims of an enrollment JWT that matter here (signature trust comes from the TLS channel we got it on). */
export function jwtClaims(jwt: string): { jti?: string; iss?: string; sub?: string; em?: string; exp?: number } {
    const parts = jwt.split(".");
    if (parts.length !== 3) throw new Error("the controller returned an enrollment token that is not a JWT");
    try {
        return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
        throw new Error("the controller returned an enrollment token whose claims cannot be read");
    }
}

/** @peculiar/x509, with the metadata polyfill its dependency injection (tsyringe) needs loaded first. */
export function x509Lib(): typeof import("@peculiar/x509") {
    require("reflect-metadata");
    const x509 = require("@peculiar/x509") as typeof import("@peculiar/x509");
    const { webcrypto } = require("crypto") as typeof import("crypto");
    x509.cryptoProvider.set(webcrypto as any);
    return x509;
}

/** PEM certificates of the controller's CA bundle (`/.well-known/est/cacerts`, PKCS#7), fetched once per process. */
export async function fetchCaBundle(client: ZitiClient): Promise<string> {
    const g = globalThis as any;
    const key = Symbol.for("scrape-anywhere.ziti.caBundles");
    const bundles: Map<string, Promise<string>> = g[key] ?? (g[key] = new Map());
    let bundle = bundles.get(client.controllerUrl);
    if (!bundle) {
        bundle = downloadCaBundle(client);
        bundles.set(client.controllerUrl, bundle);
        bundle.catch(() => bundles.delete(client.controllerUrl));
    }
    return bundle;
}

async function downloadCaBundle(client: ZitiClient): Promise<string> {
    const x509 = x509Lib();
    const b64 = (await client.request("GET", "/edge/client/v1/.well-known/est/cacerts", {
        anonymous: true,
        accept: "application/pkcs7-mime",
        raw: true,
    })) as string;
    const certs = new x509.X509Certificates(b64.replace(/\s+/g, ""));
    return certs.map((c) => c.toString("pem")).join("\n") + "\n";
}

/**
 * Enrolls the identity behind `jwt` and returns its identity file JSON. The private key never leaves this
 * process except inside the returned (secret) JSON.
 */
export async function enrollOtt(client: ZitiClient, jwt: string, commonName: string): Promise<IdentityFile> {
    const x509 = x509Lib();
    const { webcrypto } = require("crypto") as typeof import("crypto");
    const claims = jwtClaims(jwt);
    if (claims.em && claims.em !== "ott") throw new Error(`enrollment method "${claims.em}" is not one-time-token`);
    if (!claims.jti) throw new Error("the enrollment JWT has no token id (jti)");

    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: [{ CN: [commonName] }],
        keys,
        signingAlgorithm: alg,
    });
    const res = await client.request("POST", "/edge/client/v1/enroll", {
        query: { method: "ott", token: claims.jti },
        body: csr.toString("pem"),
        contentType: "application/x-pem-file",
        anonymous: true,
    });
    const cert: string | undefined = res?.data?.cert;
    if (typeof cert !== "string" || !cert.includes("BEGIN CERTIFICATE")) {
        throw new Error("the controller's enrollment answer holds no certificate");
    }
    const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
    const keyPem = x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
    let caPem: string;
    let ztAPI = client.controllerUrl;
    if (client.insecure) {
        // Nothing that came over this connection is authenticated: write the CA the user configured (the Identity
        // kind refuses to enroll without one) and the configured controller address, and check that the issued
        // certificate chains to that CA.
        if (!client.caPem) throw new Error("enrollment refused: ziti:insecure=true and no ziti:caBundle");
        caPem = client.caPem;
        // The controller's intermediates may come over the unverified connection: they only help build the path,
        // which must end at the configured CA.
        const served = typeof res?.data?.ca === "string" ? res.data.ca : await fetchCaBundle(client).catch(() => "");
        if (!chainsTo(cert, caPem, served)) {
            throw new Error("enrollment refused: with ziti:insecure=true the certificate the controller issued does not chain to ziti:caBundle");
        }
    } else {
        caPem = typeof res?.data?.ca === "string" && res.data.ca.includes("BEGIN CERTIFICATE") ? res.data.ca : await fetchCaBundle(client);
        try {
            if (claims.iss) ztAPI = new URL(claims.iss).origin;
        } catch {
            // keep the configured controller URL
        }
    }
    return { ztAPI, id: { key: `pem:${keyPem}\n`, cert: `pem:${cert}`, ca: `pem:${caPem}` } };
}

function pemCertificates(pem: string): string[] {
    return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Whether the first certificate of `certPem` chains, through the rest of `certPem` and the untrusted
 * `intermediatesPem`, to a certificate of `caPem` (compared by fingerprint), every signature checked.
 */
export function chainsTo(certPem: string, caPem: string, intermediatesPem = ""): boolean {
    const { X509Certificate } = require("crypto") as typeof import("crypto");
    const [leafPem, ...rest] = pemCertificates(certPem);
    if (!leafPem) return false;
    const anchors = pemCertificates(caPem).map((p) => new X509Certificate(p));
    const pool = [...[...rest, ...pemCertificates(intermediatesPem)].map((p) => new X509Certificate(p)), ...anchors];
    let cur = new X509Certificate(leafPem);
    for (let i = 0; i < 6; i++) {
        const issuer = pool.find((c) => cur.checkIssued(c) && cur.verify(c.publicKey));
        if (!issuer) return false;
        if (anchors.some((a) => a.fingerprint256 === issuer.fingerprint256)) return true;
        cur = issuer;
    }
    return false;
}

/**
 * Revokes whatever lets the identity `id` authenticate or enroll (its authenticators and pending enrollments) and
 * starts a new one-time-token enrollment; returns the identity as read then and the new token. For an identity this
 * provider made in a run that died: the key its certificate was issued for is gone, the token is in no state.
 * Routes from openziti/edge-api v0.26.50 (the version ziti v1.7.2 uses): rest_management_api_client/identity
 * (`GET /identities/{id}/authenticators`, `/identities/{id}/enrollments`), authenticator (`DELETE /authenticators/{id}`),
 * enrollment (`POST /enrollments` with rest_model.EnrollmentCreate {method, identityId, expiresAt}, `DELETE /enrollments/{id}`).
 */
export async function freshOttEnrollment(client: ZitiClient, id: string): Promise<{ entity: any; jwt: string }> {
    const base = "/edge/management/v1";
    const each = async (what: string, collection: string) => {
        const list = await client.request("GET", `${entityPath("identities", id)}/${what}`, { query: { limit: 500 } });
        for (const x of Array.isArray(list?.data) ? list.data : []) {
            await client.request("DELETE", entityPath(collection, x.id)).catch((e) => {
                if (e?.status !== 404) throw e;
            });
        }
    };
    for (let round = 1; ; round++) {
        await each("authenticators", "authenticators");
        await each("enrollments", "enrollments");
        try {
            await client.request("POST", `${base}/enrollments`, {
                body: { method: "ott", identityId: id, expiresAt: new Date(Date.now() + OTT_LIFETIME_MS).toISOString() },
                idempotent: false,
            });
        } catch (e) {
            // The answer was lost: the enrollment may exist. Revoke and make it again (bounded).
            if ((e as any)?.outcomeUnknown && round < 3) continue;
            throw e;
        }
        const entity = await client.get("identities", id);
        const jwt: unknown = entity?.enrollment?.ott?.jwt;
        if (typeof jwt !== "string") throw new Error("the controller made a new one-time enrollment but shows no token for it");
        return { entity, jwt };
    }
}

/**
 * Lifetime of a re-issued one-time token: 3 h. Not verified against the controller's own default for new identities
 * (its config key was not read); long enough for an `enroll: false` client to be handed its JWT.
 */
const OTT_LIFETIME_MS = 3 * 60 * 60 * 1000;
