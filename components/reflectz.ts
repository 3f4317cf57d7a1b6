// reflectz: a zitified echo server that also serves its metrics over Ziti. It binds two services with
// its own identity and listens on no port at all. The image's contract and pod: ./workloads/reflectz.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createDeployment, createIdentitySecret, workloadLabels } from "./kubernetes";
import { REFLECTZ_IMAGE, reflectzPodSpec } from "../flavors/article/reflectz";

export interface ReflectzArgs {
    /** The cluster's Kubernetes provider. Required. */
    provider: k8s.Provider;
    /** Namespace of the Deployment and its identity Secret. */
    namespace: pulumi.Input<string>;
    /** Instance label value (the cluster name). */
    instance: string;
    /** reflectz image; defaults to REFLECTZ_IMAGE. */
    image?: pulumi.Input<string>;
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
    if (args.image === "") throw new pulumi.ResourceError(`${name}: image is empty; give an image reference like "${REFLECTZ_IMAGE}".`, parent);
    const opts: pulumi.CustomResourceOptions = { parent, provider: args.provider };
    const labels = workloadLabels("reflectz", args.instance);
    const identitySecret = createIdentitySecret(`${name}-identity`, {
        namespace: args.namespace, secretName: "reflectz-identity", identityJson: args.identityJson, labels,
    }, opts);
    const deployment = createDeployment(`${name}-deployment`, {
        name: "reflectz", namespace: args.namespace, labels,
        podSpec: reflectzPodSpec({
            image: args.image, identitySecretName: identitySecret.metadata.name,
            serviceName: args.serviceName, scrapeServiceName: args.scrapeServiceName,
        }),
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
