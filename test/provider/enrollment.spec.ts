// Enrollment: the identity JSON the provider outputs holds a certificate the controller's CA verifies and that
// authenticates to the controller; the un-enrolled option outputs only the JWT.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import { identityProvider } from "../../provider";
import { configFor, uniquePrefix, useControllerEnv } from "../helpers/zitiController";

const P = uniquePrefix("e");

function pemBlocks(pem: string): string[] {
    return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Walks leaf -> issuers in `pool`, checking every signature, up to a self-signed root, which it returns. A chain
 * that ends anywhere else (no issuer in the pool) throws.
 */
function chainRoot(leafPem: string, poolPem: string): crypto.X509Certificate {
    const leaf = new crypto.X509Certificate(leafPem);
    const pool = pemBlocks(poolPem).map((b) => new crypto.X509Certificate(b));
    let cur = leaf;
    for (let i = 0; i < 5; i++) {
        const issuer = pool.find((c) => cur.checkIssued(c) && cur.verify(c.publicKey));
        if (!issuer) throw new Error(`no issuer in the pool verifies ${cur.subject}`);
        if (issuer.checkIssued(issuer) && issuer.verify(issuer.publicKey)) return issuer;
        cur = issuer;
    }
    throw new Error("chain too long");
}

/** SHA-256 fingerprint of the quickstart's root CA as written on disk (pki/root-ca/certs/root-ca.cert). */
function diskRootFingerprint(caBundlePath: string): string {
    const roots = pemBlocks(fs.readFileSync(caBundlePath, "utf8")).map((b) => new crypto.X509Certificate(b)).filter((c) => c.checkIssued(c));
    assert.strictEqual(roots.length, 1, `one self-signed root in ${caBundlePath}`);
    return roots[0].fingerprint256;
}

describe("ziti provider: enrollment", function () {
    const env = useControllerEnv(P, identityProvider);

    it("enrolls by one-time token and outputs identity JSON that verifies and authenticates", async function () {
        const { id, outs } = await identityProvider.create({ name: `${P}.reflect.id`, roleAttributes: ["reflectz-clients"] });
        try {
            assert.strictEqual(outs.enroll, true);
            assert.strictEqual(outs.enrollmentJwt, "", "the consumed token is not kept");
            const file = JSON.parse(outs.identityJson);
            assert.strictEqual(file.ztAPI, env.ctl.controllerUrl);
            for (const k of ["key", "cert", "ca"]) assert.match(file.id[k], /^pem:-----BEGIN /, `id.${k} is inline PEM`);
            const cert = file.id.cert.slice(4);
            const key = file.id.key.slice(4);
            const ca = file.id.ca.slice(4);

            // The certificate belongs to the key, and its chain, through what the identity file carries, ends at the
            // quickstart's own root CA on disk (by fingerprint): the CA written into the identity is the controller's.
            const x = new crypto.X509Certificate(pemBlocks(cert)[0]);
            assert.ok(x.checkPrivateKey(crypto.createPrivateKey(key)), "cert matches the private key");
            const root = diskRootFingerprint(env.ctl.caBundlePath);
            assert.strictEqual(chainRoot(pemBlocks(cert)[0], ca + "\n" + cert).fingerprint256, root, "the identity's chain ends at the quickstart root");
            assert.ok(
                pemBlocks(ca).some((b) => new crypto.X509Certificate(b).fingerprint256 === root),
                "id.ca holds the quickstart root, so workloads trust the real controller",
            );

            // The controller sees the identity enrolled (an authenticator with this certificate, no pending OTT).
            const live = (await env.rest.get(`identities/${id}`)).json.data;
            assert.ok(live.authenticators?.cert, "the identity has a cert authenticator");
            assert.ok(!live.enrollment?.ott, "no pending one-time token");

            // It can authenticate to the Client API with that certificate, trusting only id.ca.
            const { Agent, fetch } = await import("undici");
            const dispatcher = new Agent({ connect: { ca, cert, key } });
            try {
                const res = await fetch(`${env.ctl.controllerUrl}/edge/client/v1/authenticate?method=cert`, {
                    method: "POST",
                    headers: { "content-type": "application/json", accept: "application/json" },
                    body: "{}",
                    dispatcher,
                });
                const body: any = await res.json();
                assert.strictEqual(res.status, 200, JSON.stringify(body.error));
                assert.strictEqual(body.data.identity.id, id);
                assert.ok(typeof body.data.token === "string" && body.data.token.length > 0);
            } finally {
                await dispatcher.close();
            }

            // read keeps the identity JSON (the controller cannot give it back) and shows no drift.
            const r = await (identityProvider as any).read(id, outs);
            assert.strictEqual(r.props.identityJson, outs.identityJson);
            const d = await (identityProvider as any).diff(id, r.props, { name: `${P}.reflect.id`, roleAttributes: ["reflectz-clients"] });
            assert.strictEqual(d.changes, false);
        } finally {
            await (identityProvider as any).delete(id, outs);
        }
    });

    it("leaves an identity un-enrolled on request and outputs only its JWT", async function () {
        const { id, outs } = await identityProvider.create({ name: `${P}.selfenroll.id`, enroll: false });
        try {
            assert.strictEqual(outs.identityJson, "");
            const live = (await env.rest.get(`identities/${id}`)).json.data;
            assert.strictEqual(outs.enrollmentJwt, live.enrollment.ott.jwt);
            const claims = JSON.parse(Buffer.from(outs.enrollmentJwt.split(".")[1], "base64url").toString());
            assert.strictEqual(claims.sub, id);
            assert.strictEqual(claims.em, "ott");
        } finally {
            await (identityProvider as any).delete(id, outs);
        }
    });

    it("never puts a credential in the outputs besides the secret JWT / identity JSON", async function () {
        const { id, outs } = await identityProvider.create({ name: `${P}.nosecret.id`, enroll: false });
        try {
            const text = JSON.stringify(outs);
            assert.ok(!text.includes(env.ctl.password), "the admin password is not in the outputs");
            // The pinned security fields and the tags (provider/ownership.ts) are read back too; none is a credential.
            assert.deepStrictEqual(Object.keys(outs).sort(), [
                "appData", "authPolicyId", "defaultHostingCost", "defaultHostingPrecedence", "enroll", "enrollmentJwt", "externalId", "identityJson",
                "isAdmin", "name", "roleAttributes", "serviceHostingCosts", "serviceHostingPrecedences", "tags", "type",
            ]);
        } finally {
            await (identityProvider as any).delete(id, outs);
        }
    });

    describe("with ziti:insecure (TLS to the controller not verified)", function () {
        const total = async () => (await env.rest.get("identities?limit=1")).json.meta.pagination.totalCount as number;
        after(async () => identityProvider.configure!({ config: configFor(env.ctl) }));

        it("refuses to enroll without ziti:caBundle, before any write; an un-enrolled identity is still made", async function () {
            await identityProvider.configure!({ config: configFor(env.ctl, { "ziti:caBundle": undefined, "ziti:insecure": "true" }) });
            const before = await total();
            await assert.rejects(identityProvider.create({ name: `${P}.insecure.id` }), (e: Error) => {
                assert.match(e.message, /ziti:Identity ".+\.insecure\.id": enroll: refused because ziti:insecure=true and no ziti:caBundle/);
                assert.match(e.message, /Set ziti:caBundle to the controller.s CA/);
                return true;
            });
            assert.strictEqual(await total(), before, "nothing was created");
            const { id, outs } = await identityProvider.create({ name: `${P}.insecure.jwt.id`, enroll: false });
            assert.ok(outs.enrollmentJwt);
            await (identityProvider as any).delete(id, outs);
        });

        it("with ziti:caBundle, writes that CA and the configured controller address into the identity", async function () {
            await identityProvider.configure!({ config: configFor(env.ctl, { "ziti:insecure": "true" }) });
            const { id, outs } = await identityProvider.create({ name: `${P}.insecure.ca.id` });
            try {
                const file = JSON.parse(outs.identityJson);
                assert.strictEqual(file.ztAPI, env.ctl.controllerUrl);
                assert.strictEqual(file.id.ca.slice(4).trim(), fs.readFileSync(env.ctl.caBundlePath, "utf8").trim(), "id.ca is the configured CA bundle");
                assert.strictEqual(chainRoot(pemBlocks(file.id.cert.slice(4))[0], file.id.ca.slice(4) + "\n" + file.id.cert.slice(4)).fingerprint256, diskRootFingerprint(env.ctl.caBundlePath));
            } finally {
                await (identityProvider as any).delete(id, outs);
            }
        });
    });
});

