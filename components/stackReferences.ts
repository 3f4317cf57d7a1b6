// Reading cluster stacks from the central stack. A cluster stack exports CLUSTER_STACK_OUTPUTS; a
// missing one fails the preview with the output's name, the stack's name and the fix.
import * as pulumi from "@pulumi/pulumi";
import { validateScrapeName } from "../config";
import { ClusterTargets, parseZitiTarget } from "../flavors/article/prometheusConfig";

/** The outputs a cluster stack must export for the central stack. */
export const CLUSTER_STACK_OUTPUTS = ["clusterName", "federationTarget", "reflectzScrapeTarget"] as const;

/** Checks one referenced stack's outputs and picks what the central Prometheus needs. */
export function clusterTargetsFromOutputs(stackName: string, outputs: Record<string, unknown>): ClusterTargets {
    for (const key of CLUSTER_STACK_OUTPUTS) {
        const v = outputs[key];
        if (typeof v !== "string" || v === "") {
            throw new pulumi.RunError(`stack reference "${stackName}" has no output "${key}" (found: ${Object.keys(outputs).sort().join(", ") || "no outputs"}). ` +
                `Run \`pulumi up\` on that stack with scrape-anywhere:role cluster first, or remove it from scrape-anywhere:stackReferences.`);
        }
    }
    const t: ClusterTargets = {
        clusterName: outputs.clusterName as string,
        federationTarget: outputs.federationTarget as string,
        reflectzScrapeTarget: outputs.reflectzScrapeTarget as string,
    };
    try {
        validateScrapeName("cluster name", t.clusterName);
        parseZitiTarget(t.federationTarget);
        parseZitiTarget(t.reflectzScrapeTarget);
    } catch (e) {
        throw new pulumi.RunError(`stack reference "${stackName}": ${(e as Error).message}`);
    }
    return t;
}

/** One StackReference per cluster stack, each resolved to the targets the central Prometheus needs. */
export function readClusterStacks(stackNames: string[], opts?: pulumi.CustomResourceOptions): pulumi.Output<ClusterTargets>[] {
    return stackNames.map(stackName => {
        const ref = new pulumi.StackReference(stackName, { name: stackName }, opts);
        // `ref.outputs` is secret as a whole once the referenced stack has any secret output (a cluster stack's
        // kubernetesAdminJwts): read the three plain outputs by name, so a secret elsewhere does not make the
        // targets secret; the output names (not secret) are only for the error message.
        const names = pulumi.unsecret(ref.outputs.apply(o => Object.keys(o ?? {})));
        const values = pulumi.all(CLUSTER_STACK_OUTPUTS.map(k => ref.getOutput(k)));
        return pulumi.all([names, values]).apply(([keys, vals]) => clusterTargetsFromOutputs(stackName, {
            ...Object.fromEntries(keys.map(k => [k, null])),
            ...Object.fromEntries(CLUSTER_STACK_OUTPUTS.flatMap((k, i) => (vals[i] === undefined ? [] : [[k, vals[i]]]))),
        }));
    });
}
