// A cluster's Kubernetes API over Ziti (DESIGN 4c): what the cluster exposes of `<c>.k8s.svc` (its entities are the
// plan's, plan/kubernetesApi.ts, made with the cluster's other Ziti entities), the options of what is deployed through
// it, and what an admin needs to use it (kubeztl and tunneler commands).
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { KUBERNETES_API_HOST, KUBERNETES_API_PORT } from "../plan/kubernetesApi";

export interface ClusterKubernetesApi {
    /** `<c>.k8s.svc`. */
    serviceName: pulumi.Output<string>;
    /** The hostname a tunneling app intercepts, `<c>.k8s.svc.ziti` (port 443). */
    interceptHost: string;
    /** The tunneler identity that binds it, `<c>.ziti.id`. */
    tunnelerIdentityName: pulumi.Output<string>;
    /** Names of the admins that may dial it. */
    admins: pulumi.Output<string[]>;
    /** The Ziti entities of the path (see KubernetesApiArgs.deployThrough). */
    entities: pulumi.Resource[];
}

/**
 * Options for the cluster's namespace (`ns`) and its ziti-host tunneler (`tunneler`) when the cluster is
 * deployed through its own API service: the namespace waits for the path and both are kept on delete.
 */
export function deployThroughOptions(api: ClusterKubernetesApi | undefined, deployThrough: boolean | undefined, opts: pulumi.CustomResourceOptions):
    { ns: pulumi.CustomResourceOptions; tunneler: pulumi.CustomResourceOptions } {
    if (!api || !deployThrough) return { ns: opts, tunneler: opts };
    return { ns: { ...opts, dependsOn: api.entities, retainOnDelete: true }, tunneler: { ...opts, retainOnDelete: true } };
}

/** What an admin runs to reach one cluster's API over Ziti (stack output `kubernetesApi`, README). */
export interface KubernetesApiAccess {
    serviceName: string;
    admins: string[];
    /** kubeztl (openziti-test-kitchen/kubeztl, main.go: persistent flags `--zConfig` and `--service`). */
    kubeztl: string;
    /** A tunneling app intercepts `<svc>.ziti:443`; the API server's certificate is checked as kubernetes.default.svc. */
    tunneler: { interceptAddress: string; kubeconfig: string; kubeconfigCommands: string[]; kubectl: string };
    /** This project's own deploy path: `clusters[].apiOverZiti` (a local `ziti tunnel proxy`). */
    apiOverZiti: string;
}

/**
 * The commands of `KubernetesApiAccess`, for cluster `cluster` and service `serviceName`. `<admin>.json`
 * stands for the admin's enrolled identity file (`ziti edge enroll <admin>.jwt -o <admin>.json`).
 */
export function kubernetesApiAccess(cluster: string, serviceName: string, interceptHost: string, admins: string[]): KubernetesApiAccess {
    const id = `${admins[0] ?? "<admin>"}.json`;
    const ctx = `${cluster}-over-ziti`;
    return {
        serviceName,
        admins,
        // kubeztl dials the service itself whatever the kubeconfig's server address; the certificate is then
        // checked against the host.v1 address (kubectl's --tls-server-name, k8s.io/cli-runtime ConfigFlags).
        kubeztl: `kubeztl --zConfig ${id} --service ${serviceName} --tls-server-name ${KUBERNETES_API_HOST} get pods -A`,
        tunneler: {
            interceptAddress: `${interceptHost}:${KUBERNETES_API_PORT}`,
            // A kubeconfig for a tunneling app's intercept; the CA and the user are the cluster's own.
            kubeconfig: YAML.stringify({
                apiVersion: "v1", kind: "Config", "current-context": ctx,
                clusters: [{ name: ctx, cluster: { server: `https://${interceptHost}:${KUBERNETES_API_PORT}`, "tls-server-name": KUBERNETES_API_HOST, "certificate-authority": "<cluster-ca.crt>" } }],
                contexts: [{ name: ctx, context: { cluster: ctx, user: "<your-cluster-user>" } }],
                users: [{ name: "<your-cluster-user>", user: { "client-certificate": "<client.crt>", "client-key": "<client.key>" } }],
            }),
            kubeconfigCommands: [
                `kubectl config set-cluster ${ctx} --server https://${interceptHost}:${KUBERNETES_API_PORT} --tls-server-name ${KUBERNETES_API_HOST} --certificate-authority <cluster-ca.crt> --embed-certs`,
                `kubectl config set-context ${ctx} --cluster ${ctx} --user <your-cluster-user>`,
            ],
            kubectl: `kubectl --context ${ctx} get pods -A`,
        },
        apiOverZiti: `pulumi config set --path 'scrape-anywhere:clusters[0].apiOverZiti.identityFile' ${id}   # then: npm run api-tunnels -- --stack <stack> -- pulumi up --stack <stack>`,
    };
}
