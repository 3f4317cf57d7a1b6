// A small Kubernetes API client for the harness and the tests: JSON over HTTPS with the kubeconfig's
// client certificate, trusting only the kubeconfig's CA. Objects are typed with @pulumi/kubernetes'
// output types (plain interfaces), so no client library is added for a handful of REST calls.
//
// When the API server listens on the loopback of a network namespace, every request runs in a short
// `ip netns exec <ns> node` child (the same request function, serialized): the caller's process stays
// in the root namespace.
import { execFile } from "child_process";
import * as fs from "fs";
import * as YAML from "yaml";
import type * as k8s from "@pulumi/kubernetes";

export type Deployment = k8s.types.output.apps.v1.Deployment;
export type Namespace = k8s.types.output.core.v1.Namespace;
export type Pod = k8s.types.output.core.v1.Pod;
export type Service = k8s.types.output.core.v1.Service;
export type Secret = k8s.types.output.core.v1.Secret;
export type ConfigMap = k8s.types.output.core.v1.ConfigMap;
export type EndpointSlice = k8s.types.output.discovery.v1.EndpointSlice;
export type Node = k8s.types.output.core.v1.Node;

/** What a request needs: the server URL and PEM credentials (from a kubeconfig). */
export interface KubeConnection {
    server: string;
    ca: string;
    cert: string;
    key: string;
    /** Network namespace the server is reachable from (its loopback); absent = this one. */
    netns?: string;
}

export interface KubeResponse {
    status: number;
    /** The parsed JSON body, or the raw text when it is not JSON. */
    body: any;
}

/** The connection of a kubeconfig file with embedded `*-data` credentials (what localKubernetes writes). */
export function connectionFromKubeconfig(file: string, netns?: string): KubeConnection {
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    const ctxName = doc["current-context"];
    const ctx = (doc.contexts ?? []).find((c: any) => c.name === ctxName)?.context;
    const cluster = (doc.clusters ?? []).find((c: any) => c.name === ctx?.cluster)?.cluster;
    const user = (doc.users ?? []).find((u: any) => u.name === ctx?.user)?.user;
    if (!cluster?.server || !cluster["certificate-authority-data"] || !user?.["client-certificate-data"] || !user?.["client-key-data"]) {
        throw new Error(`${file}: expected a kubeconfig whose current context has a server, certificate-authority-data and client-certificate/key-data`);
    }
    const d = (s: string) => Buffer.from(s, "base64").toString("utf8");
    return { server: cluster.server, ca: d(cluster["certificate-authority-data"]), cert: d(user["client-certificate-data"]), key: d(user["client-key-data"]), netns };
}

interface RawRequest {
    url: string;
    method: string;
    ca: string;
    cert: string;
    key: string;
    body?: string;
    contentType?: string;
    timeoutMs: number;
}

/**
 * One HTTPS request with Node's own https module. Self-contained (no closure, requires inside) because
 * its source is also run by `node -e` inside a network namespace.
 */
function rawRequest(r: RawRequest): Promise<{ status: number; text: string }> {
    const https = require("https");
    return new Promise((resolve, reject) => {
        const req = https.request(r.url, {
            method: r.method, ca: r.ca, cert: r.cert, key: r.key, timeout: r.timeoutMs,
            headers: { accept: "application/json", ...(r.body !== undefined ? { "content-type": r.contentType ?? "application/json" } : {}) },
        }, (res: any) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (text += d));
            res.on("end", () => resolve({ status: res.statusCode, text }));
        });
        req.on("timeout", () => req.destroy(new Error(`timed out after ${r.timeoutMs} ms`)));
        req.on("error", reject);
        req.end(r.body);
    });
}

function inNetns(netns: string, r: RawRequest): Promise<{ status: number; text: string }> {
    const script = `(${rawRequest.toString()})(JSON.parse(process.argv[1])).then(` +
        `(x) => process.stdout.write(JSON.stringify(x)), (e) => { process.stderr.write(String(e && (e.code || e.message))); process.exit(3); })`;
    return new Promise((resolve, reject) => {
        execFile("ip", ["netns", "exec", netns, process.execPath, "-e", script, JSON.stringify(r)],
            { encoding: "utf8", timeout: r.timeoutMs + 5000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
                if (err) reject(Object.assign(new Error(`in netns ${netns}: ${(stderr || err.message).trim()}`), { code: (stderr || "").trim() }));
                else {
                    // A child that printed nothing (seen under load) is a failed request the caller may retry, not an
                    // exception thrown in this callback, which nothing could catch (tier flavor's start died of it).
                    try {
                        resolve(JSON.parse(stdout));
                    } catch {
                        reject(Object.assign(new Error(`in netns ${netns}: no answer from the request's process (stdout ${JSON.stringify(stdout.slice(0, 80))})`), { code: "EMPTY" }));
                    }
                }
            });
    });
}

/** A typed client over one connection. */
export class KubeClient {
    constructor(readonly conn: KubeConnection, private readonly timeoutMs = 15_000) {}

    static fromKubeconfig(file: string, netns?: string): KubeClient {
        return new KubeClient(connectionFromKubeconfig(file, netns));
    }

    /** Any request; never throws on an HTTP status (connection errors reject). */
    async request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
        const r: RawRequest = {
            url: this.conn.server.replace(/\/$/, "") + path, method, ca: this.conn.ca, cert: this.conn.cert, key: this.conn.key,
            body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), contentType, timeoutMs: this.timeoutMs,
        };
        const res = this.conn.netns ? await inNetns(this.conn.netns, r) : await rawRequest(r);
        let parsed: any = res.text;
        try {
            parsed = JSON.parse(res.text);
        } catch {
            /* not JSON (e.g. /readyz answers "ok") */
        }
        return { status: res.status, body: parsed };
    }

    /** GET that resolves to the object, or undefined on 404; throws with the API's message on other errors. */
    async get<T = any>(path: string): Promise<T | undefined> {
        const res = await this.request("GET", path);
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw new Error(`GET ${path} on ${this.conn.server}: ${res.status} ${message(res)}`);
        return res.body as T;
    }

    /** The items of a list (GET `path`). */
    async list<T = any>(path: string): Promise<T[]> {
        const l = await this.get<{ items: T[] }>(path);
        if (!l) throw new Error(`GET ${path} on ${this.conn.server}: 404 (no such resource type?)`);
        return l.items;
    }

    /** POST; resolves to the response (status and body) so callers can check refusals. */
    create(path: string, obj: unknown): Promise<KubeResponse> {
        return this.request("POST", path, obj);
    }

    /** POST that must succeed (201/200); resolves to the created object. */
    async mustCreate<T = any>(path: string, obj: unknown): Promise<T> {
        const res = await this.create(path, obj);
        if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path} on ${this.conn.server}: ${res.status} ${message(res)}`);
        return res.body as T;
    }

    /** DELETE; resolves to the status (404 included). */
    async delete(path: string, propagationPolicy: "Foreground" | "Background" | "Orphan" = "Background"): Promise<number> {
        const res = await this.request("DELETE", path, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy });
        if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE ${path} on ${this.conn.server}: ${res.status} ${message(res)}`);
        return res.status;
    }

    /** Whether `user` (or a service account `system:serviceaccount:<ns>:<name>`) may do `attrs`, as the API server's authorizer decides. */
    async can(user: string, attrs: { verb: string; resource?: string; group?: string; namespace?: string; subresource?: string; nonResourcePath?: string }): Promise<boolean> {
        const sa = /^system:serviceaccount:([^:]+):/.exec(user);
        const groups = ["system:authenticated", ...(sa ? ["system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : [])];
        const spec: any = { user, groups };
        if (attrs.nonResourcePath) spec.nonResourceAttributes = { path: attrs.nonResourcePath, verb: attrs.verb };
        else spec.resourceAttributes = { verb: attrs.verb, resource: attrs.resource, group: attrs.group ?? "", namespace: attrs.namespace, subresource: attrs.subresource };
        const review = await this.mustCreate("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
            apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec,
        });
        return review.status?.allowed === true;
    }
}

/** The API's own message of a non-2xx response (a Status object), or the raw body. */
export function message(res: KubeResponse): string {
    if (res.body && typeof res.body === "object" && typeof res.body.message === "string") return res.body.message;
    return typeof res.body === "string" ? res.body.slice(0, 500) : JSON.stringify(res.body).slice(0, 500);
}
