// The certificates and keys of one local control plane, made at run time with @peculiar/x509 over
// WebCrypto (ECDSA P-256), and the admin kubeconfig that uses them:
//   ca.crt/ca.key             the cluster's own CA (also --client-ca-file: it signs the client certs)
//   apiserver.crt/.key        serving cert for the bind address, localhost and the in-cluster names
//   admin.crt/.key            client cert CN=scrape-anywhere-admin, O=system:masters (full access)
//   sa.key/sa.pub             the service-account token signing key pair
// The flag names that consume them are kube-apiserver's (--tls-cert-file, --client-ca-file,
// --service-account-key-file, --service-account-signing-key-file) and kube-controller-manager's
// (--root-ca-file, --service-account-private-key-file), from k8s.io/kubernetes cmd/*/app/options.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export interface ClusterPki {
    dir: string;
    caCert: string;
    caKey: string;
    servingCert: string;
    servingKey: string;
    adminCert: string;
    adminKey: string;
    saKey: string;
    saPub: string;
    /** Extra client certificates asked for with `clients` (name -> cert and key files). */
    clients: Record<string, { cert: string; key: string }>;
}

/** @peculiar/x509 with the metadata polyfill its dependency injection needs and Node's WebCrypto (as components/ziti/enroll.ts loads it). */
function x509Lib(): typeof import("@peculiar/x509") {
    require("reflect-metadata");
    const x509 = require("@peculiar/x509") as typeof import("@peculiar/x509");
    x509.cryptoProvider.set((require("crypto") as typeof import("crypto")).webcrypto as any);
    return x509;
}

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function keyPair(): Promise<CryptoKeyPair> {
    const { webcrypto } = require("crypto") as typeof import("crypto");
    return (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function privatePem(key: CryptoKey): Promise<string> {
    const { webcrypto } = require("crypto") as typeof import("crypto");
    return x509Lib().PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key as any), "PRIVATE KEY");
}

async function publicPem(key: CryptoKey): Promise<string> {
    const { webcrypto } = require("crypto") as typeof import("crypto");
    return x509Lib().PemConverter.encode(await webcrypto.subtle.exportKey("spki", key as any), "PUBLIC KEY");
}

function serial(): string {
    // A positive 16-byte serial (the top bit cleared so DER does not read it as negative).
    const b = (require("crypto") as typeof import("crypto")).randomBytes(16);
    b[0] &= 0x7f;
    return b.toString("hex");
}

function write(file: string, text: string): string {
    fs.writeFileSync(file, text.endsWith("\n") ? text : text + "\n", { mode: 0o600 });
    return file;
}

/** A CA, a serving cert for `hosts` (IPs and DNS names), an admin client cert and the service-account key pair, written 0600 into `dir`. */
export async function makeClusterPki(dir: string, opts: {
    cluster: string; ips: string[]; dnsNames: string[]; validDays?: number;
    /** Client certificates to sign now (e.g. a node's `CN=system:node:<name>, O=system:nodes`), written as <name>.crt/.key. */
    clients?: { name: string; subject: string }[];
}): Promise<ClusterPki> {
    const x509 = x509Lib();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const notBefore = new Date(Date.now() - 60_000);
    const notAfter = new Date(Date.now() + (opts.validDays ?? 30) * 86_400_000);

    const caKeys = await keyPair();
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(), name: `CN=scrape-anywhere-local-ca-${opts.cluster}`, notBefore, notAfter, keys: caKeys, signingAlgorithm: ALG,
        extensions: [
            new x509.BasicConstraintsExtension(true, 0, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
            await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
        ],
    });
    const leaf = async (subject: string, usage: string, extra: InstanceType<typeof x509.Extension>[]) => {
        const keys = await keyPair();
        const cert = await x509.X509CertificateGenerator.create({
            serialNumber: serial(), subject, issuer: ca.subject, notBefore, notAfter, publicKey: keys.publicKey, signingKey: caKeys.privateKey,
            signingAlgorithm: ALG,
            extensions: [
                new x509.BasicConstraintsExtension(false, undefined, true),
                new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
                new x509.ExtendedKeyUsageExtension([usage]),
                await x509.AuthorityKeyIdentifierExtension.create(ca, false),
                ...extra,
            ],
        });
        return { cert: cert.toString("pem"), key: await privatePem(keys.privateKey) };
    };
    const serving = await leaf("CN=kube-apiserver", x509.ExtendedKeyUsage.serverAuth, [
        new x509.SubjectAlternativeNameExtension([
            ...opts.ips.map((value) => ({ type: "ip" as const, value })),
            ...opts.dnsNames.map((value) => ({ type: "dns" as const, value })),
        ]),
    ]);
    // O=system:masters: the group kube-apiserver's RBAC bootstrap binds to cluster-admin.
    const admin = await leaf("CN=scrape-anywhere-admin, O=system:masters", x509.ExtendedKeyUsage.clientAuth, []);
    const saKeys = await keyPair();
    const clients: ClusterPki["clients"] = {};
    for (const c of opts.clients ?? []) {
        const made = await leaf(c.subject, x509.ExtendedKeyUsage.clientAuth, []);
        clients[c.name] = { cert: write(path.join(dir, `${c.name}.crt`), made.cert), key: write(path.join(dir, `${c.name}.key`), made.key) };
    }

    return {
        clients,
        dir,
        caCert: write(path.join(dir, "ca.crt"), ca.toString("pem")),
        caKey: write(path.join(dir, "ca.key"), await privatePem(caKeys.privateKey)),
        servingCert: write(path.join(dir, "apiserver.crt"), serving.cert),
        servingKey: write(path.join(dir, "apiserver.key"), serving.key),
        adminCert: write(path.join(dir, "admin.crt"), admin.cert),
        adminKey: write(path.join(dir, "admin.key"), admin.key),
        saKey: write(path.join(dir, "sa.key"), await privatePem(saKeys.privateKey)),
        saPub: write(path.join(dir, "sa.pub"), await publicPem(saKeys.publicKey)),
    };
}

export interface KubeconfigUser {
    /** PEM of the CA that signed the API server's serving cert. */
    ca: string;
    /** PEM client certificate and key. */
    cert: string;
    key: string;
}

/** A kubeconfig with one cluster, user and context (all named `name`), credentials embedded (`*-data`). */
export function kubeconfigYaml(name: string, server: string, user: KubeconfigUser): string {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server, "certificate-authority-data": b64(user.ca) } }],
        users: [{ name, user: { "client-certificate-data": b64(user.cert), "client-key-data": b64(user.key) } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
    });
}

/** The credentials of the admin kubeconfig of a PKI. */
export function adminUser(pki: ClusterPki): KubeconfigUser {
    const r = (f: string) => fs.readFileSync(f, "utf8");
    return { ca: r(pki.caCert), cert: r(pki.adminCert), key: r(pki.adminKey) };
}
