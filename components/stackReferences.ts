// Reading cluster stacks from the central stack. A cluster stack exports CLUSTER_STACK_OUTPUTS; a
// missing one fails the preview with the output's name, the stack's name and the fix.
import * as pulumi from "@pulumi/pulumi";
import { validateScrapeName } from "../config";
import { ClusterTargets, parseZitiTarget } from "../flavors/article/prometheusConfig";

/** The outputs a cluster stack must export for the central stack. */
export const CLUSTER_STACK_OUTPUTS = ["clusterName", "federationTarget", "reflectzScrapeTarget"] as const;

/** With collection remoteWrite the central stack also reads `remoteWrite` ({service, path, writer}). */
export const CLUSTER_WRITE_OUTPUT = "remoteWrite";

/** Checks one referenced stack's outputs and picks what the central Prometheus needs (`needWrite`: its write route too). */
export function clusterTargetsFromOutputs(stackName: string, outputs: Record<string, unknown>, needWrite = false): ClusterTargets {
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
    if (needWrite) {
        const w = outputs[CLUSTER_WRITE_OUTPUT] as Record<string, unknown> | null | undefined;
        if (!w || typeof w.service !== "string" || typeof w.path !== "string" || typeof w.writer !== "string") {
            throw new pulumi.RunError(`stack reference "${stackName}" has no output "${CLUSTER_WRITE_OUTPUT}" {service, path, writer}, which collection remoteWrite needs: ` +
                `set scrape-anywhere:collection remoteWrite on that stack and run \`pulumi up\` there first, or set collection federate here.`);
        }
        t.remoteWrite = { service: w.service, path: w.path, writer: w.writer };
    }
    try {
        validateScrapeName("cluster name", t.clusterName);
        // A prometheuz `service-terminator` (article flavor) or a plain Ziti service name (upstream flavor, no `-`): the
        // central's flavor checks the form it needs when it builds its config.
        for (const target of [t.federationTarget, t.reflectzScrapeTarget]) {
            if (target.includes("-")) parseZitiTarget(target);
            else validateScrapeName("target", target);
        }
    } catch (e) {
        throw new pulumi.RunError(`stack reference "${stackName}": ${(e as Error).message}`);
    }
    return t;
}

/** One StackReference per cluster stack, each resolved to the targets the central Prometheus needs. */
export function readClusterStacks(stackNames: string[], opts?: pulumi.CustomResourceOptions, needWrite = false): pulumi.Output<ClusterTargets>[] {
    return stackNames.map(stackName => {
        const ref = new pulumi.StackReference(stackName, { name: stackName }, opts);
        // `ref.outputs` is secret as a whole once the referenced stack has any secret output (a cluster stack's
        // kubernetesAdminJwts): read the three plain outputs by name, so a secret elsewhere does not make the
        // targets secret; the output names (not secret) are only for the error message.
        const names = pulumi.unsecret(ref.outputs.apply(o => Object.keys(o ?? {})));
        const keysRead: string[] = [...CLUSTER_STACK_OUTPUTS, ...(needWrite ? [CLUSTER_WRITE_OUTPUT] : [])];
        const values = pulumi.all(keysRead.map(k => ref.getOutput(k)));
        return pulumi.all([names, values]).apply(([keys, vals]) => clusterTargetsFromOutputs(stackName, {
            ...Object.fromEntries(keys.map(k => [k, null])),
            ...Object.fromEntries(keysRead.flatMap((k, i) => (vals[i] === undefined ? [] : [[k, vals[i]]]))),
        }, needWrite));
    });
}
