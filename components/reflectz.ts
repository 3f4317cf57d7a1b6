// reflectz: a zitified echo server that also serves its metrics over Ziti. It binds two services with
// its own identity and listens on no port at all.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createDeployment, createIdentitySecret, workloadLabels } from "./kubernetes";
import { IDENTITY_DIR, IDENTITY_FILE } from "./prometheusConfig";

export interface ReflectzArgs {
    /** The cluster's Kubernetes provider. Required. */
    provider: k8s.Provider;
    /** Namespace of the Deployment and its identity Secret. */
    namespace: pulumi.Input<string>;
    /** Instance label value (the cluster name). */
    instance: string;
    /** reflectz image. */
    image: pulumi.Input<string>;
    /** Enrolled identity JSON of `<c>.reflect.id` (secret); goes only into a Secret. */
    identityJson: pulumi.Input<string>;
    /** The echo service it binds, `<c>.reflect.svc`. */
    serviceName: pulumi.Input<string>;
    /** The metrics service it binds, `<c>.reflect.scrape.svc`. */
    scrapeServiceName: pulumi.Input<string>;
}

export interface ReflectzResult {
    identitySecret: k8s.core.v1.Secret;
    deployment: k8s.apps.v1.Deployment;
}

/** Builds reflectz's identity Secret and Deployment (`<name>-identity`, `<name>-deployment`) under `parent`. */
export function createReflectz(name: string, parent: pulumi.Resource, args: ReflectzArgs): ReflectzResult {
    if (!args || !args.provider) throw new pulumi.ResourceError(`${name}: args.provider is required: pass the cluster's k8s.Provider.`, parent);
    if (args.image === "") throw new pulumi.ResourceError(`${name}: image is empty; give an image reference like "openziti/reflectz:latest".`, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: args.provider };
    const labels = workloadLabels("reflectz", args.instance);
    const identitySecret = createIdentitySecret(`${name}-identity`, {
        namespace: args.namespace, secretName: "reflectz-identity", identityJson: args.identityJson, labels,
    }, opts);
    const deployment = createDeployment(`${name}-deployment`, {
        name: "reflectz", namespace: args.namespace, labels,
        podSpec: {
            automountServiceAccountToken: false,
            containers: [{
                name: "reflectz",
                image: args.image,
                env: [
                    { name: "ZITI_IDENTITY_FILE", value: IDENTITY_FILE },
                    { name: "REFLECT_SERVICE_NAME", value: args.serviceName },
                    { name: "PROMETHEUS_SERVICE_NAME", value: args.scrapeServiceName },
                ],
                volumeMounts: [{ name: "ziti-identity", mountPath: IDENTITY_DIR, readOnly: true }],
            }],
            volumes: [{ name: "ziti-identity", secret: { secretName: identitySecret.metadata.name, defaultMode: 0o400 } }],
        },
    }, opts);
    return { identitySecret, deployment };
}

/** reflectz in one cluster: `scrape-anywhere:workload:Reflectz`. */
export class Reflectz extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: ReflectzArgs, opts?: pulumi.ComponentResourceOptions) {
        super("scrape-anywhere:workload:Reflectz", name, {}, opts);
        const r = createReflectz(name, this, args);
        this.deploymentName = r.deployment.metadata.name;
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
