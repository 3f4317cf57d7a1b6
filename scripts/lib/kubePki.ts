// The certificates and keys of one local control plane, made at run time with @peculiar/x509 over
// WebCrypto (ECDSA P-256), and the admin kubeconfig that uses them:
//   ca.crt                    the cluster's own CA (also --client-ca-file: it signs the client certs). Its key
//                             signs the certs below and is then dropped: no process here signs anything later
//                             (kube-controller-manager runs without --cluster-signing-key-file).
//   apiserver.crt/.key        serving cert for the bind address, localhost and the in-cluster names
//   admin.crt/.key            client cert CN=scrape-anywhere-admin, O=system:masters (full access)
//   sa.key/sa.pub             the service-account token signing key pair
// The flag names that consume them are kube-apiserver's (--tls-cert-file, --client-ca-file,
// --service-account-key-file, --service-account-signing-key-file) and kube-controller-manager's
// (--root-ca-file, --service-account-private-key-file), from k8s.io/kubernetes cmd/*/app/options.
// makeEtcdPki: the shared etcd's own CA (key never written), its serving/peer cert and one client cert per API
// server (--etcd-cafile/--etcd-certfile/--etcd-keyfile, k8s.io/apiserver v0.37.2 pkg/server/options/etcd.go).
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export interface ClusterPki {
    dir: string;
    caCert: string;
    servingCert: string;
    servingKey: string;
    adminCert: string;
    adminKey: string;
    saKey: string;
    saPub: string;
    /** Extra client certificates asked for with `clients` (name -> cert and key files). */
    clients: Record<string, { cert: string; key: string }>;
}

/** @peculiar/x509 with the metadata polyfill its dependency injection needs and Node's WebCrypto (as provider/enroll.ts loads it). */
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

type X509 = typeof import("@peculiar/x509");
type Cert = InstanceType<X509["X509Certificate"]>;

interface Ca { cert: Cert; keys: CryptoKeyPair; notBefore: Date; notAfter: Date }

async function makeCa(name: string, validDays: number): Promise<Ca> {
    const x509 = x509Lib();
    const notBefore = new Date(Date.now() - 60_000);
    const notAfter = new Date(Date.now() + validDays * 86_400_000);
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(), name, notBefore, notAfter, keys, signingAlgorithm: ALG,
        extensions: [
            new x509.BasicConstraintsExtension(true, 0, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
    });
    return { cert, keys, notBefore, notAfter };
}

/** A leaf cert signed by `ca` for the given extended key usages and subject alternative names. */
async function leaf(ca: Ca, subject: string, usages: string[], sans: { ips?: string[]; dnsNames?: string[] } = {}): Promise<{ cert: string; key: string }> {
    const x509 = x509Lib();
    const keys = await keyPair();
    const names = [...(sans.ips ?? []).map((value) => ({ type: "ip" as const, value })), ...(sans.dnsNames ?? []).map((value) => ({ type: "dns" as const, value }))];
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(), subject, issuer: ca.cert.subject, notBefore: ca.notBefore, notAfter: ca.notAfter, publicKey: keys.publicKey,
        signingKey: ca.keys.privateKey, signingAlgorithm: ALG,
        extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
            new x509.ExtendedKeyUsageExtension(usages),
            await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
            ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        ],
    });
    return { cert: cert.toString("pem"), key: await privatePem(keys.privateKey) };
}

/** A CA, a serving cert for `hosts` (IPs and DNS names), an admin client cert and the service-account key pair, written 0600 into `dir`. */
export async function makeClusterPki(dir: string, opts: {
    cluster: string; ips: string[]; dnsNames: string[]; validDays?: number;
    /** Client certificates to sign now (e.g. a node's `CN=system:node:<name>, O=system:nodes`), written as <name>.crt/.key. */
    clients?: { name: string; subject: string }[];
}): Promise<ClusterPki> {
    const x509 = x509Lib();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = await makeCa(`CN=scrape-anywhere-local-ca-${opts.cluster}`, opts.validDays ?? 30);
    const serving = await leaf(ca, "CN=kube-apiserver", [x509.ExtendedKeyUsage.serverAuth], { ips: opts.ips, dnsNames: opts.dnsNames });
    // O=system:masters: the group kube-apiserver's RBAC bootstrap binds to cluster-admin.
    const admin = await leaf(ca, "CN=scrape-anywhere-admin, O=system:masters", [x509.ExtendedKeyUsage.clientAuth]);
    const saKeys = await keyPair();
    const clients: ClusterPki["clients"] = {};
    for (const c of opts.clients ?? []) {
        const made = await leaf(ca, c.subject, [x509.ExtendedKeyUsage.clientAuth]);
        clients[c.name] = { cert: write(path.join(dir, `${c.name}.crt`), made.cert), key: write(path.join(dir, `${c.name}.key`), made.key) };
    }

    return {
        clients,
        dir,
        caCert: write(path.join(dir, "ca.crt"), ca.cert.toString("pem")),
        servingCert: write(path.join(dir, "apiserver.crt"), serving.cert),
        servingKey: write(path.join(dir, "apiserver.key"), serving.key),
        adminCert: write(path.join(dir, "admin.crt"), admin.cert),
        adminKey: write(path.join(dir, "admin.key"), admin.key),
        saKey: write(path.join(dir, "sa.key"), await privatePem(saKeys.privateKey)),
        saPub: write(path.join(dir, "sa.pub"), await publicPem(saKeys.publicKey)),
    };
}

export interface EtcdPki {
    caCert: string;
    /** etcd's serving cert, also its peer cert (server and client auth). */
    serverCert: string;
    serverKey: string;
    /** Client cert and key per client name (each API server): the only holders of an etcd client cert. */
    clients: Record<string, { cert: string; key: string }>;
}

/**
 * etcd's PKI in `dir` (0600 files): a CA whose key is never written (nothing signs later), a serving/peer cert
 * for `ips` and `dnsNames`, and a client cert per name in `clients`, written to `<clientDirs[name]>/etcd-client.*`.
 */
export async function makeEtcdPki(dir: string, opts: { ips: string[]; dnsNames: string[]; clientDirs: Record<string, string>; validDays?: number }): Promise<EtcdPki> {
    const x509 = x509Lib();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = await makeCa("CN=scrape-anywhere-local-etcd-ca", opts.validDays ?? 30);
    const server = await leaf(ca, "CN=etcd", [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], opts);
    const clients: EtcdPki["clients"] = {};
    for (const [name, clientDir] of Object.entries(opts.clientDirs)) {
        fs.mkdirSync(clientDir, { recursive: true, mode: 0o700 });
        const c = await leaf(ca, `CN=kube-apiserver-etcd-client-${name}`, [x509.ExtendedKeyUsage.clientAuth]);
        clients[name] = { cert: write(path.join(clientDir, "etcd-client.crt"), c.cert), key: write(path.join(clientDir, "etcd-client.key"), c.key) };
    }
    return {
        caCert: write(path.join(dir, "ca.crt"), ca.cert.toString("pem")),
        serverCert: write(path.join(dir, "server.crt"), server.cert),
        serverKey: write(path.join(dir, "server.key"), server.key),
        clients,
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
