// Deploying to a cluster whose API server is reachable only over Ziti (`clusters[].apiOverZiti`).
//
// The deploy scripts (scripts/lib/zitiTunnel.ts, `withApiTunnels`) run one local `ziti tunnel proxy`
// per such cluster with the admin identity of `apiOverZiti.identityFile`, and hand the program the
// proxies' addresses in SCRAPE_ANYWHERE_API_ENDPOINTS (JSON: {"<cluster>": "127.0.0.1:<port>"}).
// The program then gives the cluster's Kubernetes provider the configured kubeconfig with the
// context's server replaced by `https://127.0.0.1:<port>` and `tls-server-name` set to the service's
// host.v1 address (kubernetes.default.svc), so the API server's own certificate still verifies:
// the credentials stay the admin's kubeconfig, only the path changes.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ApiOverZitiSpec, ConfigError, KubernetesTarget } from "../config";

/** The environment variable the deploy scripts set: local tunnel endpoint per cluster. */
export const API_ENDPOINTS_ENV = "SCRAPE_ANYWHERE_API_ENDPOINTS";

/** The local tunnel endpoint (`host:port`) for `cluster`, from SCRAPE_ANYWHERE_API_ENDPOINTS. */
export function apiEndpointFor(cluster: string, spec: ApiOverZitiSpec, env: NodeJS.ProcessEnv = process.env): string {
    const how = `run the deploy through the tunnel scripts (\`npm start\`, or \`npx ts-node scripts/apiTunnels.ts --stack <stack> -- pulumi up\`), ` +
        `which start \`ziti tunnel proxy ${spec.service}:<port> -i ${spec.identityFile}\` and set ${API_ENDPOINTS_ENV}`;
    const text = env[API_ENDPOINTS_ENV];
    if (!text) {
        throw new ConfigError(`cluster "${cluster}": its API server is reached only over Ziti (apiOverZiti, service ${spec.service}) but no local tunnel is running: ${how}.`);
    }
    let endpoints: unknown;
    try {
        endpoints = JSON.parse(text);
    } catch {
        throw new ConfigError(`${API_ENDPOINTS_ENV} is not JSON like {"${cluster}": "127.0.0.1:16443"}: ${how}.`);
    }
    const ep = (endpoints as Record<string, unknown>)?.[cluster];
    if (typeof ep !== "string" || !/^[0-9.]+:[0-9]+$|^\[[0-9a-f:]+\]:[0-9]+$/i.test(ep)) {
        throw new ConfigError(`cluster "${cluster}": ${API_ENDPOINTS_ENV} has no tunnel endpoint for it (got ${JSON.stringify(ep ?? null)}): ${how}.`);
    }
    return ep;
}

/** Reads a kubeconfig given as content, as a path, or (absent) from KUBECONFIG / ~/.kube/config. */
export function loadKubeconfig(kubeconfig: string | undefined, env: NodeJS.ProcessEnv = process.env): { text: string; source: string } {
    if (kubeconfig !== undefined && /\n/.test(kubeconfig)) return { text: kubeconfig, source: "the kubeconfig content in clusters[].kubeconfig" };
    const file = kubeconfig ?? (env.KUBECONFIG ? env.KUBECONFIG.split(path.delimiter)[0] : path.join(os.homedir(), ".kube", "config"));
    try {
        return { text: fs.readFileSync(file, "utf8"), source: file };
    } catch (e) {
        throw new ConfigError(`cannot read the kubeconfig ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ` +
            `set clusters[].kubeconfig to a readable file or to the kubeconfig's content.`);
    }
}

/**
 * The kubeconfig for the tunnelled provider: only the chosen context (and its cluster and user), the
 * cluster's server replaced by `https://<endpoint>` and `tls-server-name` set (kept when the kubeconfig
 * already names one). Pure: takes and returns YAML text.
 */
export function tunnelledKubeconfig(cluster: string, kubeconfigText: string, source: string, context: string | undefined,
    endpoint: string, tlsServerName: string): string {
    const bad = (m: string): never => { throw new ConfigError(`cluster "${cluster}" (apiOverZiti): ${m}`); };
    let doc: any;
    try {
        doc = YAML.parse(kubeconfigText);
    } catch (e) {
        bad(`${source} is not YAML: ${(e as Error).message}`);
    }
    const ctxName = context ?? doc?.["current-context"];
    if (!ctxName) bad(`${source} has no current-context: set clusters[].context.`);
    const ctx = (doc?.contexts ?? []).find((c: any) => c?.name === ctxName);
    if (!ctx?.context?.cluster) bad(`${source} has no context "${ctxName}" (contexts: ${(doc?.contexts ?? []).map((c: any) => c?.name).join(", ") || "none"}).`);
    const clusterEntry = (doc.clusters ?? []).find((c: any) => c?.name === ctx.context.cluster);
    if (!clusterEntry?.cluster) bad(`${source}: context "${ctxName}" names cluster "${ctx.context.cluster}", which it does not define.`);
    const user = (doc.users ?? []).find((u: any) => u?.name === ctx.context.user);
    const out = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{
            name: clusterEntry.name,
            cluster: {
                ...clusterEntry.cluster,
                server: `https://${endpoint}`,
                "tls-server-name": clusterEntry.cluster["tls-server-name"] ?? tlsServerName,
            },
        }],
        contexts: [ctx],
        users: user ? [user] : [],
        "current-context": ctxName,
    };
    return YAML.stringify(out);
}

/** The Kubernetes target of an apiOverZiti cluster: a kubeconfig that reaches the API server through the local tunnel. */
export function tunnelledTarget(cluster: string, target: KubernetesTarget, spec: ApiOverZitiSpec, env: NodeJS.ProcessEnv = process.env): KubernetesTarget {
    const endpoint = apiEndpointFor(cluster, spec, env);
    const { text, source } = loadKubeconfig(target.kubeconfig, env);
    return { kubeconfig: tunnelledKubeconfig(cluster, text, source, target.context, endpoint, spec.tlsServerName), context: target.context };
}
