// Names every place derives from its cluster or central name, and the check that keeps them usable as prometheuz
// scrape targets. Pure; ConfigError is a `pulumi.RunError`, so the engine prints the message alone.
import * as pulumi from "@pulumi/pulumi";

/** A config mistake: a `pulumi.RunError`, so the engine prints the message alone, without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/**
 * Checks a name that ends up inside a prometheuz scrape target (`service-terminator`, split on `-`):
 * cluster names, and the Ziti service and identity names built from them.
 */
export function validateScrapeName(what: string, name: string): void {
    const problem = scrapeNameProblem(what, name);
    if (problem) throw new ConfigError(problem);
}

/** What is wrong with a name inside a prometheuz scrape target, or undefined. */
export function scrapeNameProblem(what: string, name: string): string | undefined {
    if (!name.includes("-")) return undefined;
    return `${what} "${name}" contains '-': prometheuz splits scrape targets written 'service-terminator' on '-', ` +
        `so Ziti service, identity and cluster names must not contain it. Use '_' or camelCase, e.g. "${name.replace(/-/g, "_")}".`;
}

/** The Ziti service name of a cluster's Kubernetes API (walkthrough style). */
export function kubernetesApiServiceName(cluster: string): string {
    return `${cluster}.k8s.svc`;
}

export interface ClusterServiceNames {
    /** The reflectz echo service. */
    reflect: string;
    /** The reflectz metrics (scrape) service. */
    reflectScrape: string;
    /** The cluster Prometheus service (federation, UI). */
    prometheus: string;
}

/** The default Ziti service names of a cluster, as in the published walkthrough. */
export function defaultServiceNames(cluster: string): ClusterServiceNames {
    return { reflect: `${cluster}.reflect.svc`, reflectScrape: `${cluster}.reflect.scrape.svc`, prometheus: `${cluster}.prometheus.svc` };
}

