// scrape-anywhere: Prometheus scrapes any target anywhere over an OpenZiti overlay.
// Config in, components by stack role (dev: everything; cluster: one cluster; central: the central
// Prometheus over StackReferences), outputs out.
import * as pulumi from "@pulumi/pulumi";
import {
    buildCentral, buildCluster, clusterExport, clusterTargets, createClientIdentities, createKubernetesAdmins, readClusterStacks, readConfig, StackOutputs,
} from "./components";

const cfg = readConfig();

// Ziti resources are registered before Kubernetes ones where that is free: the engine handles registrations one at a
// time and starts a provider process when the first resource needing it registers (bench/RESULTS.md).
const clients = cfg.central ? createClientIdentities("clients", cfg.clientIdentities, cfg.edgeRouterRoles) : [];
// The Kubernetes API admins (DESIGN 4c) first: the clusters' API Dial policies name them.
const admins = createKubernetesAdmins("k8s-admins", cfg.kubernetesAdmins);
const adminsByName = new Map(cfg.kubernetesAdmins.map((n, i) => [n, admins[i]]));
const clusters = cfg.clusters.map(spec => buildCluster(spec, cfg, adminsByName));
const central = cfg.central
    ? buildCentral(cfg, cfg.role === "dev" ? clusters.map(b => clusterTargets(b.component)) : readClusterStacks(cfg.stackReferences, undefined, cfg.collection === "remoteWrite"))
    : undefined;

// Only the outputs of this stack's role are exported (the engine warns about undefined ones).
const outputs: StackOutputs = { role: cfg.role };
if (cfg.role === "cluster") {
    // What the central stack reads through its StackReference (see CLUSTER_STACK_OUTPUTS).
    Object.assign(outputs, clusterExport(clusters[0]));
}
if (cfg.role === "dev") {
    outputs.clusterOutputs = Object.fromEntries(clusters.map(b => [b.spec.name, clusterExport(b)]));
}
if (central && cfg.central) {
    outputs.centralPrometheus = {
        name: central.centralName,
        placement: central.placement,
        serviceName: central.serviceName,
        identityName: central.identityName,
        target: central.target,
        // federate: the clusters it federates; remoteWrite: the clusters that write to it.
        federates: central.clusterNames,
        collection: central.collection,
        ...(central.writeService ? { writeService: central.writeService } : {}),
        ...(central.writeHost ? { writeHostIdentity: central.writeHost.name } : {}),
        ...(cfg.central.placement === "kubernetes"
            ? { kubernetes: cfg.central.kubernetes.renderDirectory ?? cfg.central.kubernetes.context ?? "(kubeconfig default)" }
            : { dockerHost: cfg.central.dockerHost ?? "(docker default)" }),
    };
    // An external write target's tunneler enrolls this token where the store runs: `pulumi stack output --show-secrets remoteWriteHostJwt`.
    if (central.writeHost) outputs.remoteWriteHostJwt = pulumi.secret(central.writeHost.enrollmentJwt);
    outputs.clientIdentities = clients.map(c => c.name);
    if (clients.length > 0) {
        // One-time enrollment tokens of the human clients: `pulumi stack output --show-secrets clientEnrollmentJwts`.
        outputs.clientEnrollmentJwts = pulumi.secret(pulumi.all(clients.map(c => pulumi.all([c.name, c.enrollmentJwt])))
            .apply(pairs => Object.fromEntries(pairs) as Record<string, string>));
    }
}

if (admins.length > 0) {
    outputs.kubernetesAdmins = admins.map(a => a.name);
    // One-time enrollment tokens of the API admins: `pulumi stack output --show-secrets kubernetesAdminJwts`.
    outputs.kubernetesAdminJwts = pulumi.secret(pulumi.all(admins.map(a => pulumi.all([a.name, a.enrollmentJwt])))
        .apply(pairs => Object.fromEntries(pairs) as Record<string, string>));
}

export = outputs;
