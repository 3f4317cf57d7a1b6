// The builder that turns a place's planned workloads (the flavor's answer, flavors/types.ts Workload) into Kubernetes
// resources, in the place's namespace made first. What runs inside the pods (images, users, paths, env, flags) is the
// flavor's, sources named there.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject, Workload } from "../flavors/types";
import { POD_SECURITY_LABELS } from "../plan/kubernetes";

/** The ComponentResource type of each workload group a flavor may name (part of the children's URNs). */
const GROUP_TYPES: Record<NonNullable<Workload["group"]>, string> = { Reflectz: "scrape-anywhere:workload:Reflectz" };

class WorkloadGroup extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }
}

function createObject(o: KubernetesObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    switch (o.kind) {
        case "ConfigMap": return new k8s.core.v1.ConfigMap(o.resourceName, o.args, opts);
        case "Secret": return new k8s.core.v1.Secret(o.resourceName, o.args, opts);
        case "Service": return new k8s.core.v1.Service(o.resourceName, o.args, opts);
        case "ServiceAccount": return new k8s.core.v1.ServiceAccount(o.resourceName, o.args, opts);
        case "ClusterRole": return new k8s.rbac.v1.ClusterRole(o.resourceName, o.args, opts);
        case "ClusterRoleBinding": return new k8s.rbac.v1.ClusterRoleBinding(o.resourceName, o.args, opts);
        case "Deployment": return new k8s.apps.v1.Deployment(o.resourceName, o.args, opts);
        case "NetworkPolicy": return new k8s.networking.v1.NetworkPolicy(o.resourceName, o.args, opts);
    }
}

/**
 * Makes a place's planned workloads (flavor.clusterWorkloads / centralKubernetes) under `parent` with `provider`.
 * Each object waits for the ones before it in its workload (a pod's ConfigMap, Secret and ServiceAccount exist before
 * its Deployment); `optsOf` adds options per workload (the tunneler's retainOnDelete when deployed through it).
 * Returns every object made (a Deployment's create waits for its rollout: the provider's await logic).
 */
export function createPlannedWorkloads(prefix: string, workloads: Workload[], parent: pulumi.Resource, provider: k8s.Provider,
    optsOf: (w: Workload) => pulumi.CustomResourceOptions = () => ({})): pulumi.CustomResource[] {
    const all: pulumi.CustomResource[] = [];
    for (const w of workloads) {
        const extra = optsOf(w);
        const owner = w.group ? new WorkloadGroup(GROUP_TYPES[w.group], `${prefix}-${w.name}`, { parent }) : parent;
        const before: pulumi.CustomResource[] = [];
        for (const o of w.objects) {
            const dependsOn = [...before, ...(extra.dependsOn ? ([] as pulumi.Input<pulumi.Resource>[]).concat(extra.dependsOn as pulumi.Input<pulumi.Resource>[]) : [])];
            before.push(createObject(o, { ...extra, parent: owner, provider, ...(dependsOn.length ? { dependsOn } : {}) }));
        }
        all.push(...before);
    }
    return all;
}

/** The workloads' namespace `name`, labelled with POD_SECURITY_LABELS. */
export function createNamespace(resourceName: string, name: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(resourceName, { metadata: { name, labels: { ...POD_SECURITY_LABELS } } }, opts);
}

/** Where a place's Kubernetes objects go: its namespace's name and options, and the options every object shares. */
export interface PlaceKubernetes {
    /** The namespace, made as `<prefix>-ns` with `namespaceOpts` (its parent and provider, and what it waits for). */
    namespace: pulumi.Input<string>;
    namespaceOpts: pulumi.CustomResourceOptions;
    parent: pulumi.Resource;
    provider: k8s.Provider;
    /** Options per workload (see createPlannedWorkloads). */
    optsOf?: (w: Workload) => pulumi.CustomResourceOptions;
}

/**
 * A place's namespace, then its workloads: `workloads` (the plan's late part) is given the namespace's name as the
 * resource's output, so every object in it waits for the namespace. Returns that name and every object made.
 */
export function createNamespacedWorkloads(prefix: string, where: PlaceKubernetes, workloads: (namespace: pulumi.Output<string>) => Workload[]):
    { namespace: pulumi.Output<string>; objects: pulumi.CustomResource[] } {
    const namespace = createNamespace(`${prefix}-ns`, where.namespace, where.namespaceOpts).metadata.name;
    return { namespace, objects: createPlannedWorkloads(prefix, workloads(namespace), where.parent, where.provider, where.optsOf) };
}
