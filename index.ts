// scrape-anywhere: Prometheus scrapes any target anywhere over an OpenZiti overlay.
// Config in, components by stack role (dev: everything; cluster: one cluster; central: the central
// Prometheus over StackReferences), outputs out.
import * as pulumi from "@pulumi/pulumi";
import {
    buildCentral, buildCluster, clusterExport, clusterTargets, createClientIdentities, readClusterStacks, readConfig,
} from "./components";

const cfg = readConfig();

const clusters = cfg.clusters.map(spec => buildCluster(spec, cfg));
const central = cfg.central
    ? buildCentral(cfg, cfg.role === "dev" ? clusters.map(b => clusterTargets(b.component)) : readClusterStacks(cfg.stackReferences))
    : undefined;
const clients = cfg.central ? createClientIdentities("clients", cfg.clientIdentities, cfg.edgeRouterRoles) : [];

const single = cfg.role === "cluster" ? clusterExport(clusters[0]) : undefined;

export const role = cfg.role;
// A cluster stack: what the central stack reads through its StackReference (see CLUSTER_STACK_OUTPUTS).
export const clusterName = single?.clusterName;
export const clusterKind = single?.clusterKind;
export const namespace = single?.namespace;
export const services = single?.services;
export const federationTarget = single?.federationTarget;
export const reflectzScrapeTarget = single?.reflectzScrapeTarget;
export const kubernetes = single?.kubernetes;
// The dev stack: every cluster by name.
export const clusterOutputs = cfg.role === "dev" ? Object.fromEntries(clusters.map(b => [b.spec.name, clusterExport(b)])) : undefined;
// The dev and central stacks: the central Prometheus and the human client identities.
export const centralPrometheus = central && {
    name: central.centralName,
    placement: central.placement,
    serviceName: central.serviceName,
    identityName: central.identityName,
    target: central.target,
    federates: central.clusterNames,
    kubernetes: cfg.central?.placement === "kubernetes" ? cfg.central.kubernetes.renderDirectory ?? cfg.central.kubernetes.context : undefined,
};
export const clientIdentities = cfg.central ? clients.map(c => c.name) : undefined;
/** One-time enrollment tokens of the human clients: `pulumi stack output --show-secrets clientEnrollmentJwts`. */
export const clientEnrollmentJwts = clients.length
    ? pulumi.secret(pulumi.all(clients.map(c => pulumi.all([c.name, c.enrollmentJwt]))).apply(pairs => Object.fromEntries(pairs) as Record<string, string>))
    : undefined;
