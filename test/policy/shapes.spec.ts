// Issue 23: pod specs found by shape anywhere, and host-level networks (Multus CNI attachments, Docker
// macvlan/ipvlan). A compliant baseline per shape, then one field changed.
import * as assert from "assert";
import { disallowHostLevelCniAttachments, disallowHostLevelDockerNetworks, disallowHostNetworkAndPorts } from "../../policy/rules";
import { UNKNOWN, change, runResource, runStack } from "./helpers/engine";

const messages = (out: { violations: { message: string }[] }) => out.violations.map((v) => v.message);
const podSpec = () => ({ containers: [{ name: "app", image: "prom/prometheus", ports: [{ containerPort: 9090 }] }] });

// Argo Rollouts: spec.template is a pod template (argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go RolloutSpec.Template).
const rollout = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { namespace: "apps", name: "web" }, spec: { template: { spec: podSpec() } } };
// Argo Workflows: templates[*].container is a single container (WorkflowSpec.Templates, Template.Container).
const workflow = { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { namespace: "ci", name: "build" }, spec: { templates: [{ name: "main", container: { name: "main", image: "busybox", ports: [{ containerPort: 8080 }] } }] } };
// JobSet: spec.replicatedJobs[*].template is a Job template, its spec.template a pod template (kubernetes-sigs/jobset api/jobset/v1alpha2).
const jobSet = { apiVersion: "jobset.x-k8s.io/v1alpha2", kind: "JobSet", metadata: { namespace: "ml", name: "train" }, spec: { replicatedJobs: [{ name: "workers", template: { spec: { template: { spec: podSpec() } } } }] } };

describe("policy: pod specs by shape, any kind at any depth (issue 23, disallow-host-network-and-ports)", () => {
    it("accepts the baseline Rollout, Workflow and JobSet", async () => {
        for (const [kind, props] of [["Rollout", rollout], ["Workflow", workflow], ["JobSet", jobSet]] as const) {
            const type = `kubernetes:${props.apiVersion}:${kind}`;
            assert.deepStrictEqual(await runResource(disallowHostNetworkAndPorts, { type, name: "x", props }), { violations: [] });
        }
    });

    it("rejects hostNetwork in an Argo Rollout's pod template", async () => {
        const props = change(rollout, (r) => Object.assign(r.spec.template.spec, { hostNetwork: true }));
        assert.deepStrictEqual(messages(await runResource(disallowHostNetworkAndPorts, { type: "kubernetes:argoproj.io/v1alpha1:Rollout", name: "web", props })), [
            "Rollout 'apps/web' sets spec.template.spec.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'apps/web'.",
        ]);
    });

    it("rejects a hostPort in an Argo Workflow template's single container", async () => {
        const props = change(workflow, (w) => Object.assign(w.spec.templates[0].container.ports[0], { hostPort: 18080 }));
        assert.deepStrictEqual(messages(await runResource(disallowHostNetworkAndPorts, { type: "kubernetes:argoproj.io/v1alpha1:Workflow", name: "build", props })), [
            "Workflow 'ci/build' container 'main' sets spec.templates[0].container.ports[0].hostPort: 18080 (containerPort 8080), which opens that port on the node. " +
                "Fix: remove hostPort and reach the container over Ziti, or allow-list 'ci/build'.",
        ]);
    });

    it("rejects a hostPort four templates deep in a JobSet", async () => {
        const props = change(jobSet, (j) => Object.assign(j.spec.replicatedJobs[0].template.spec.template.spec.containers[0].ports[0], { hostPort: 9090 }));
        const out = await runResource(disallowHostNetworkAndPorts, { type: "kubernetes:jobset.x-k8s.io/v1alpha2:JobSet", name: "train", props });
        assert.deepStrictEqual(messages(out), [
            "JobSet 'ml/train' container 'app' sets spec.replicatedJobs[0].template.spec.template.spec.containers[0].ports[0].hostPort: 9090 (containerPort 9090), " +
                "which opens that port on the node. Fix: remove hostPort and reach the container over Ziti, or allow-list 'ml/train'.",
        ]);
    });

    it("rejects hostNetwork in a prometheus-operator Prometheus CR carrying the CustomResource overlay token", async () => {
        // pkg/apis/monitoring/v1 CommonPrometheusFields.HostNetwork (prometheus-operator/prometheus-operator).
        const prom = { apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { namespace: "monitoring", name: "k8s" }, spec: { replicas: 1 } as Record<string, unknown> };
        const type = "kubernetes:apiextensions.k8s.io:CustomResource";
        assert.deepStrictEqual(await runResource(disallowHostNetworkAndPorts, { type, name: "k8s", props: prom }), { violations: [] });
        const props = change(prom, (p) => (p.spec.hostNetwork = true));
        assert.deepStrictEqual(messages(await runResource(disallowHostNetworkAndPorts, { type, name: "k8s", props })), [
            "Prometheus 'monitoring/k8s' sets spec.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'monitoring/k8s'.",
        ]);
    });

    it("rejects a hostPort in the initContainers of a platform deployment kind (OpenShift DeploymentConfig)", async () => {
        // apps.openshift.io/v1 DeploymentConfigSpec.Template is a core PodTemplateSpec (openshift/api apps/v1/types.go).
        const dc = { apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", metadata: { namespace: "apps", name: "web" },
            spec: { template: { spec: { ...podSpec(), initContainers: [{ name: "warm", image: "busybox", ports: [{ containerPort: 8081 }] as Record<string, unknown>[] }] } } } };
        const type = "kubernetes:apps.openshift.io/v1:DeploymentConfig";
        assert.deepStrictEqual(await runResource(disallowHostNetworkAndPorts, { type, name: "web", props: dc }), { violations: [] });
        const props = change(dc, (d) => (d.spec.template.spec.initContainers[0].ports[0].hostPort = 8081));
        assert.deepStrictEqual(messages(await runResource(disallowHostNetworkAndPorts, { type, name: "web", props })), [
            "DeploymentConfig 'apps/web' container 'warm' sets spec.template.spec.initContainers[0].ports[0].hostPort: 8081 (containerPort 8081), which opens that port on the node. " +
                "Fix: remove hostPort and reach the container over Ziti, or allow-list 'apps/web'.",
        ]);
    });

    it("rejects hostNetwork in a Helm v3 Release's values, named by the release (prometheus-node-exporter's own default)", async () => {
        // prometheus-community/helm-charts charts/prometheus-node-exporter values.yaml defaults to `hostNetwork: true`: left
        // out of `values`, the pack cannot see it (chart defaults are why disallow-opaque-helm-release flags every v3 Release).
        const release = { name: "node-exporter", namespace: "monitoring", chart: "prometheus-node-exporter", values: { hostNetwork: false, service: { port: 9100 } } };
        const type = "kubernetes:helm.sh/v3:Release";
        assert.deepStrictEqual(await runResource(disallowHostNetworkAndPorts, { type, name: "node-exporter", props: release }), { violations: [] });
        const props = change(release, (r) => (r.values.hostNetwork = true));
        assert.deepStrictEqual(messages(await runResource(disallowHostNetworkAndPorts, { type, name: "node-exporter", props })), [
            "Helm Release 'monitoring/node-exporter' sets values.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'monitoring/node-exporter'.",
        ]);
    });

    it("rejects a hostPort in a Pod's ephemeralContainers (every container list)", async () => {
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { namespace: "apps", name: "dbg" },
            spec: { containers: [{ name: "app", image: "prom/prometheus" }], ephemeralContainers: [{ name: "debug", image: "busybox", ports: [{ containerPort: 2345 }] as Record<string, unknown>[] }] } };
        assert.deepStrictEqual(await runResource(disallowHostNetworkAndPorts, { type: "kubernetes:core/v1:Pod", name: "dbg", props: pod }), { violations: [] });
        const props = change(pod, (p) => (p.spec.ephemeralContainers[0].ports[0].hostPort = 2345));
        assert.deepStrictEqual(messages(await runResource(disallowHostNetworkAndPorts, { type: "kubernetes:core/v1:Pod", name: "dbg", props })), [
            "Pod 'apps/dbg' container 'debug' sets spec.ephemeralContainers[0].ports[0].hostPort: 2345 (containerPort 2345), which opens that port on the node. " +
                "Fix: remove hostPort and reach the container over Ziti, or allow-list 'apps/dbg'.",
        ]);
    });

    it("says it could not be checked when a pod field of a CRD is unknown at preview", async () => {
        const props = change(rollout, (r) => ((r.spec.template.spec as Record<string, unknown>).hostNetwork = UNKNOWN));
        const out = await runResource(disallowHostNetworkAndPorts, { type: "kubernetes:argoproj.io/v1alpha1:Rollout", name: "web", props });
        assert.deepStrictEqual(out.violations, []);
        assert.match(out.couldNotBeChecked ?? "", /Rollout 'apps\/web' could not be checked by disallow-host-network-and-ports: spec\.template\.spec\.hostNetwork is not known during preview/);
    });
});

const NAD = "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition";
const nad = (type: string) => ({ apiVersion: "k8s.cni.cncf.io/v1", kind: "NetworkAttachmentDefinition", metadata: { namespace: "apps", name: "lan" }, spec: { config: JSON.stringify({ cniVersion: "0.3.1", type, master: "eth0" }) } });
const attachedDeployment = (annotation: string) => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: "apps", name: "web" },
    spec: { template: { metadata: { annotations: { "k8s.v1.cni.cncf.io/networks": annotation } }, spec: podSpec() } },
});

describe("policy: host-level CNI attachments (issue 23, disallow-host-level-cni-attachments, stack)", () => {
    it("accepts a bridge NetworkAttachmentDefinition and a pod attached to it", async () => {
        const stack = [{ type: NAD, name: "lan", props: nad("bridge") }, { type: "kubernetes:apps/v1:Deployment", name: "web", props: attachedDeployment("lan") }];
        assert.deepStrictEqual(await runStack(disallowHostLevelCniAttachments, stack), { violations: [] });
    });

    it("rejects a macvlan NetworkAttachmentDefinition and the Deployment attached to it by name", async () => {
        const stack = [{ type: NAD, name: "lan", props: nad("macvlan") }, { type: "kubernetes:apps/v1:Deployment", name: "web", props: attachedDeployment("lan@eth1") }];
        assert.deepStrictEqual(messages(await runStack(disallowHostLevelCniAttachments, stack)), [
            "NetworkAttachmentDefinition 'apps/lan' attaches pods with the macvlan CNI plugin, which puts them on the host's network next to the cluster network, so every port they listen on is reachable there. " +
                "Fix: remove it and reach the workload over Ziti, or allow-list 'apps/lan'.",
            "Deployment 'apps/web' attaches its pods to apps/lan (spec.template.metadata.annotations[\"k8s.v1.cni.cncf.io/networks\"]), whose macvlan CNI plugin puts them on the host's network, so every port they listen on is reachable there. " +
                "Fix: remove the attachment and reach the workload over Ziti, or allow-list 'apps/web'.",
        ]);
    });

    it("rejects an ipvlan conflist and a Pod attached to it through the annotation's JSON form", async () => {
        const conflist = change(nad("bridge"), (n) => (n.spec.config = JSON.stringify({ cniVersion: "0.4.0", name: "lan", plugins: [{ type: "ipvlan" }, { type: "tuning" }] })));
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { namespace: "apps", name: "probe", annotations: { "k8s.v1.cni.cncf.io/networks": '[{"name":"lan","namespace":"apps"}]' } }, spec: podSpec() };
        const out = await runStack(disallowHostLevelCniAttachments, [{ type: NAD, name: "lan", props: conflist }, { type: "kubernetes:core/v1:Pod", name: "probe", props: pod }]);
        assert.deepStrictEqual(messages(out), [
            "NetworkAttachmentDefinition 'apps/lan' attaches pods with the ipvlan CNI plugin, which puts them on the host's network next to the cluster network, so every port they listen on is reachable there. " +
                "Fix: remove it and reach the workload over Ziti, or allow-list 'apps/lan'.",
            "Pod 'apps/probe' attaches its pods to apps/lan (metadata.annotations[\"k8s.v1.cni.cncf.io/networks\"]), whose ipvlan CNI plugin puts them on the host's network, so every port they listen on is reachable there. " +
                "Fix: remove the attachment and reach the workload over Ziti, or allow-list 'apps/probe'.",
        ]);
    });

    it("rejects a host-device NetworkAttachmentDefinition", async () => {
        assert.deepStrictEqual(messages(await runStack(disallowHostLevelCniAttachments, [{ type: NAD, name: "lan", props: nad("host-device") }])), [
            "NetworkAttachmentDefinition 'apps/lan' attaches pods with the host-device CNI plugin, which puts them on the host's network next to the cluster network, so every port they listen on is reachable there. " +
                "Fix: remove it and reach the workload over Ziti, or allow-list 'apps/lan'.",
        ]);
    });

    it("rejects a StatefulSet whose pods' default network is replaced by a macvlan one (v1.multus-cni.io/default-network, resolved in kube-system)", async () => {
        const lan = change(nad("bridge"), (n) => (n.metadata.namespace = "kube-system"));
        const sts = (annotation: string) => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { namespace: "apps", name: "db" },
            spec: { template: { metadata: { annotations: { "v1.multus-cni.io/default-network": annotation } }, spec: podSpec() } } });
        const stack = (nadProps: typeof lan, annotation: string) => [{ type: NAD, name: "lan", props: nadProps }, { type: "kubernetes:apps/v1:StatefulSet", name: "db", props: sts(annotation) }];
        assert.deepStrictEqual(await runStack(disallowHostLevelCniAttachments, stack(lan, "lan")), { violations: [] });
        const macvlan = change(lan, (n) => (n.spec.config = JSON.stringify({ cniVersion: "0.3.1", type: "macvlan", master: "eth0" })));
        assert.deepStrictEqual(messages(await runStack(disallowHostLevelCniAttachments, stack(macvlan, "lan"))), [
            "NetworkAttachmentDefinition 'kube-system/lan' attaches pods with the macvlan CNI plugin, which puts them on the host's network next to the cluster network, so every port they listen on is reachable there. " +
                "Fix: remove it and reach the workload over Ziti, or allow-list 'kube-system/lan'.",
            "StatefulSet 'apps/db' attaches its pods to kube-system/lan (spec.template.metadata.annotations[\"v1.multus-cni.io/default-network\"]), whose macvlan CNI plugin puts them on the host's network, so every port they listen on is reachable there. " +
                "Fix: remove the attachment and reach the workload over Ziti, or allow-list 'apps/db'.",
        ]);
    });

    it("says it could not be checked when a pod's network annotation is unknown and the stack has a host-level network", async () => {
        const stack = [{ type: NAD, name: "lan", props: nad("macvlan") }, { type: "kubernetes:apps/v1:Deployment", name: "web", props: attachedDeployment(UNKNOWN) }];
        const out = await runStack(disallowHostLevelCniAttachments, stack);
        assert.strictEqual(out.violations.length, 1, "the NAD itself is still reported");
        assert.match(out.couldNotBeChecked ?? "", /Deployment 'apps\/web' could not be checked by disallow-host-level-cni-attachments: spec\.template\.metadata\.annotations\["k8s\.v1\.cni\.cncf\.io\/networks"\] is not known during preview/);
    });
});

const NETWORK = "docker:index/network:Network";
const CONTAINER = "docker:index/container:Container";
const SWARM = "docker:index/service:Service";

describe("policy: Docker host-level networks (issue 23, disallow-host-level-docker-networks, stack)", () => {
    const stack = (driver: string) => [
        { type: NETWORK, name: "lan", props: { name: "lan", driver, options: { parent: "eth0" } } },
        { type: CONTAINER, name: "prom", props: { name: "prom", image: "prom/prometheus", networksAdvanced: [{ name: "lan" }] } },
    ];

    it("accepts a bridge network and a container on it", async () => {
        assert.deepStrictEqual(await runStack(disallowHostLevelDockerNetworks, stack("bridge")), { violations: [] });
    });

    it("rejects a macvlan network and the container attached to it", async () => {
        assert.deepStrictEqual(messages(await runStack(disallowHostLevelDockerNetworks, stack("macvlan"))), [
            "Docker network 'lan' uses the macvlan driver, which gives containers an address on the host's LAN: every port they listen on is reachable there, without `ports`. " +
                "Fix: use a bridge network without published ports and reach the containers over Ziti, or allow-list 'docker/lan'.",
            "Docker container 'prom' attaches to the macvlan network 'lan' (networksAdvanced[0].name), so it has an address on the host's LAN and every port it listens on is reachable there. " +
                "Fix: attach it to a bridge network without published ports and reach it over Ziti, or allow-list 'docker/prom'.",
        ]);
    });

    it("rejects an ipvlan network joined by networkMode, and a swarm service on it", async () => {
        const s = stack("ipvlan");
        s[1].props = { name: "prom", image: "prom/prometheus", networkMode: "lan" } as never;
        s.push({ type: SWARM, name: "agent", props: { name: "agent", taskSpec: { networksAdvanceds: [{ name: "lan" }] } } as never });
        assert.deepStrictEqual(messages(await runStack(disallowHostLevelDockerNetworks, s)), [
            "Docker network 'lan' uses the ipvlan driver, which gives containers an address on the host's LAN: every port they listen on is reachable there, without `ports`. " +
                "Fix: use a bridge network without published ports and reach the containers over Ziti, or allow-list 'docker/lan'.",
            "Docker container 'prom' attaches to the ipvlan network 'lan' (networkMode), so it has an address on the host's LAN and every port it listens on is reachable there. " +
                "Fix: attach it to a bridge network without published ports and reach it over Ziti, or allow-list 'docker/prom'.",
            "Docker service 'agent' attaches to the ipvlan network 'lan' (taskSpec.networksAdvanceds[0].name), so it has an address on the host's LAN and every port it listens on is reachable there. " +
                "Fix: attach it to a bridge network without published ports and reach it over Ziti, or allow-list 'docker/agent'.",
        ]);
    });
});
