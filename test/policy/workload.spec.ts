import * as assert from "assert";
import { disallowHostNetworkAndPorts } from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { cronJob, deployment, pod } from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const messages = (out: { violations: { message: string }[] }) => out.violations.map((v) => v.message);

describe("policy: pod templates (rule 5, disallow-host-network-and-ports)", () => {
    it("accepts the baseline Deployment, CronJob and Pod", async () => {
        for (const [type, props] of [
            [DEPLOYMENT, deployment],
            [CRONJOB, cronJob],
            ["kubernetes:core/v1:Pod", pod],
        ] as const) {
            assert.deepStrictEqual(await runResource(disallowHostNetworkAndPorts, { type, name: "w", props }), { violations: [] });
        }
    });

    it("rejects hostNetwork in a Deployment's pod template", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) => Object.assign(d.spec.template.spec, { hostNetwork: true })),
        });
        assert.deepStrictEqual(messages(out), [
            "Deployment 'monitoring/prometheus' sets spec.template.spec.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("accepts hostNetwork: false", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) => Object.assign(d.spec.template.spec, { hostNetwork: false })),
        });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("rejects a hostPort in a container", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) => Object.assign(d.spec.template.spec.containers[0].ports[0], { hostPort: 9090 })),
        });
        assert.deepStrictEqual(messages(out), [
            "Deployment 'monitoring/prometheus' container 'prometheus' sets spec.template.spec.containers[0].ports[0].hostPort: 9090 " +
                "(containerPort 9090), which opens that port on the node. Fix: remove hostPort and reach the container over Ziti, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("rejects a hostPort bound to the node's loopback too (judgment call: policy/README.md)", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) => Object.assign(d.spec.template.spec.containers[0].ports[0], { hostPort: 9090, hostIP: "127.0.0.1" })),
        });
        assert.deepStrictEqual(messages(out), [
            "Deployment 'monitoring/prometheus' container 'prometheus' sets spec.template.spec.containers[0].ports[0].hostPort: 9090 " +
                "(containerPort 9090), which opens that port on the node. Fix: remove hostPort and reach the container over Ziti, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("rejects a hostPort in an initContainer", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) =>
                Object.assign(d.spec.template.spec.initContainers[0], { ports: [{ containerPort: 8080, hostPort: 18080 }] }),
            ),
        });
        assert.deepStrictEqual(messages(out), [
            "Deployment 'monitoring/prometheus' container 'init' sets spec.template.spec.initContainers[0].ports[0].hostPort: 18080 " +
                "(containerPort 8080), which opens that port on the node. Fix: remove hostPort and reach the container over Ziti, or allow-list 'monitoring/prometheus'.",
        ]);
    });

    it("walks a CronJob's nested jobTemplate pod template", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: CRONJOB,
            name: "probe",
            props: change(cronJob, (c) => Object.assign(c.spec.jobTemplate.spec.template.spec, { hostNetwork: true })),
        });
        assert.deepStrictEqual(messages(out), [
            "CronJob 'monitoring/probe' sets spec.jobTemplate.spec.template.spec.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'monitoring/probe'.",
        ]);
    });

    it("checks a Pod's own spec", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: "kubernetes:core/v1:Pod",
            name: "debug",
            props: change(pod, (p) => Object.assign(p.spec, { hostNetwork: true })),
        });
        assert.deepStrictEqual(messages(out), [
            "Pod 'monitoring/debug' sets spec.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'monitoring/debug'.",
        ]);
    });

    it("checks StatefulSet, DaemonSet, ReplicaSet and Job templates", async () => {
        for (const type of [
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:apps/v1:ReplicaSet",
            "kubernetes:batch/v1:Job",
        ]) {
            const out = await runResource(disallowHostNetworkAndPorts, {
                type,
                name: "w",
                props: change(deployment, (d) => Object.assign(d.spec.template.spec, { hostNetwork: true })),
            });
            assert.strictEqual(out.violations.length, 1, type);
        }
    });

    it("checks a DeploymentPatch that would set hostNetwork (rule 7: patches)", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: "kubernetes:apps/v1:DeploymentPatch",
            name: "coredns",
            props: { metadata: { namespace: "kube-system", name: "coredns" }, spec: { template: { spec: { hostNetwork: true } } } },
        });
        assert.deepStrictEqual(messages(out), [
            "DeploymentPatch 'kube-system/coredns' sets spec.template.spec.hostNetwork: true, so its pods listen on the node's network. " +
                "Fix: remove hostNetwork and reach the workload over Ziti, or allow-list 'kube-system/coredns'.",
        ]);
    });

    it("names the yaml ConfigGroup that rendered the workload (rule 7: expanded objects)", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: "kubernetes:apps/v1:DaemonSet",
            name: "exporters:monitoring/node-exporter",
            props: change(deployment, (d) => {
                d.metadata.name = "node-exporter";
                Object.assign(d.spec.template.spec.containers[0].ports[0], { hostPort: 9100 });
            }),
            parent: "urn:pulumi:dev::scrape-anywhere::kubernetes:yaml/v2:ConfigGroup::exporters",
        });
        assert.deepStrictEqual(messages(out), [
            "DaemonSet 'monitoring/node-exporter' (rendered by kubernetes:yaml/v2:ConfigGroup 'exporters') container 'prometheus' sets " +
                "spec.template.spec.containers[0].ports[0].hostPort: 9100 (containerPort 9090), which opens that port on the node. " +
                "Fix: remove hostPort and reach the container over Ziti, or allow-list 'monitoring/node-exporter'.",
        ]);
    });

    it("accepts an allow-listed exception", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) => Object.assign(d.spec.template.spec, { hostNetwork: true })),
            config: { allowlist: ["monitoring/prometheus"] },
        });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("reports known violations and says what could not be checked when parts are unknown at preview", async () => {
        const out = await runResource(disallowHostNetworkAndPorts, {
            type: DEPLOYMENT,
            name: "prometheus",
            props: change(deployment, (d) => {
                Object.assign(d.spec.template.spec, { hostNetwork: true });
                (d.spec.template.spec.initContainers as unknown) = UNKNOWN;
            }),
        });
        assert.strictEqual(out.violations.length, 1);
        assert.strictEqual(
            out.couldNotBeChecked,
            "Deployment 'monitoring/prometheus' could not be checked by disallow-host-network-and-ports: spec.template.spec.initContainers " +
                "is not known during preview; it is checked again when the value is known (pulumi up).",
        );
    });
});
