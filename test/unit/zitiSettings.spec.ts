// Settings errors never repeat a value read from a credential: an admin identity file whose fields are malformed
// in any way (generated with fast-check around a secret marker) fails naming the field and what is wrong, and no
// part of the field's value is in the message or the stack.
import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { x509Lib } from "../../provider/enroll";
import { resolveSettings, ZitiSettingsError } from "../../provider/settings";

// Made at run time (base64 of random bytes, like a key body), so no tracked file holds anything key-shaped.
const SECRET = (require("crypto") as typeof import("crypto")).randomBytes(48).toString("base64") + "SECRETMARKER";
const BEGIN = ["-----BEGIN", "PRIVATE", "KEY-----"].join(" ");
const END = ["-----END", "PRIVATE", "KEY-----"].join(" ");
const lookup = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

/** Malformed renderings of a PEM value or a path that carry the secret. */
const malformed = fc.constantFrom(
    `pem:${BEGIN.replace(" ", "  ")} ${SECRET}`,
    ` pem: ${SECRET}`,
    `pem:${SECRET}`,
    `pem:\n${SECRET}\n${END}`,
    `-- ${BEGIN}\n${SECRET}\n${END}`,
    `${SECRET}`,
    `file:///nonexistent/${SECRET}`,
    `/nonexistent/${SECRET}.pem`,
    `pem:-----BEGIN-----${SECRET}`,
);

/** A real key and self-signed certificate (the parse checks need well-formed PEM), as identity-file values. */
async function keyAndCert(): Promise<{ key: string; cert: string }> {
    const x509 = x509Lib();
    const { webcrypto } = require("crypto") as typeof import("crypto");
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: "CN=settings-test", keys, signingAlgorithm: alg, notBefore: new Date(), notAfter: new Date(Date.now() + 3600_000) });
    const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
    return { key: `pem:${key}\n`, cert: `pem:${cert.toString("pem")}\n` };
}

describe("ziti settings: no error repeats a credential", function () {
    let dir: string;
    let good: { key: string; cert: string };
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ziti-settings-"));
        good = await keyAndCert();
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Resolves settings from an identity file with `doc`; the error, or undefined when it resolves. */
    function attempt(doc: unknown): Error | undefined {
        const file = path.join(dir, "admin.json");
        fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc), { mode: 0o600 });
        try {
            resolveSettings(lookup({ "ziti:identityFile": file, "ziti:controllerUrl": "https://127.0.0.1:1280" }), {});
            return undefined;
        } catch (e) {
            return e as Error;
        }
    }

    function assertClean(e: Error | undefined, field: string): void {
        assert.ok(e instanceof ZitiSettingsError, `a settings error for ${field}, got ${e}`);
        for (const part of [SECRET, SECRET.slice(20, 40), "SECRETMARKER"]) {
            assert.ok(!e.message.includes(part) && !(e.stack ?? "").includes(part), `${field}: the error repeats the credential: ${e.message}`);
        }
        assert.ok(e.message.includes(field), `${field}: the error names the field: ${e.message}`);
    }

    it("a malformed id.key, id.cert or id.ca fails naming the field, never its value", function () {
        fc.assert(
            fc.property(fc.constantFrom("key", "cert", "ca"), malformed, (field, value) => {
                const id: Record<string, string> = { key: good.key, cert: good.cert, ca: good.cert, [field]: value };
                assertClean(attempt({ ztAPI: "https://127.0.0.1:1280", id }), `id.${field}`);
            }),
            { numRuns: 60 },
        );
    });

    it("inline PEM with a space after pem: is still inline PEM (the reported case)", function () {
        const key = good.key.replace(/^pem:/, "pem: ");
        assert.strictEqual(attempt({ id: { key, cert: good.cert, ca: good.cert } }), undefined);
        // The same with a broken body: an error naming id.key, without the key.
        assertClean(attempt({ id: { key: `pem: ${BEGIN}\n${SECRET}\n${END}\n`, cert: good.cert, ca: good.cert } }), "id.key");
    });

    it("a malformed ztAPI or an unreadable document fails without repeating it", function () {
        const file = path.join(dir, "admin.json");
        for (const ztAPI of [`not a url ${SECRET}`, `https://admin:${SECRET}@ctrl.example.com`, `http://${SECRET}.example.com`]) {
            fs.writeFileSync(file, JSON.stringify({ ztAPI, id: { key: good.key, cert: good.cert, ca: good.cert } }));
            let err: Error | undefined;
            try {
                resolveSettings(lookup({ "ziti:identityFile": file }), {});
            } catch (e) {
                err = e as Error;
            }
            assertClean(err, "ztAPI");
        }
        assertClean(attempt(`{"id": {"key": "${SECRET}"`), "ziti:identityFile");
    });
});
