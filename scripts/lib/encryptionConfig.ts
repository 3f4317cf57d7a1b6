// kube-apiserver's --encryption-provider-config for a local cluster: Secrets are written to etcd encrypted with
// secretbox (XSalsa20-Poly1305) under a 32-byte key made at run time; `identity` last, so that anything stored
// before encryption was on still reads. Format: apiserver.config.k8s.io/v1 EncryptionConfiguration
// (k8s.io/apiserver v0.37.2 pkg/apis/apiserver/v1/types.go); values stored then start with
// `k8s:enc:secretbox:v1:<key name>:` (pkg/server/options/encryptionconfig/config.go).
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as YAML from "yaml";

/** The value prefix of a Secret encrypted by this config, as etcd holds it. */
export const ENCRYPTED_PREFIX = "k8s:enc:secretbox:v1:local:";

/** Writes the config (mode 0600: it holds the key) to `file` and returns the path. */
export function writeEncryptionConfig(file: string): string {
    const config = {
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "EncryptionConfiguration",
        resources: [{
            resources: ["secrets"],
            providers: [{ secretbox: { keys: [{ name: "local", secret: randomBytes(32).toString("base64") }] } }, { identity: {} }],
        }],
    };
    fs.writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
    return file;
}
