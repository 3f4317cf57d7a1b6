// End-to-end (issue 15): the policy pack on the exposure shapes people actually write, through the real
// engine: `pulumi preview --policy-pack policy` of two fixture programs on a temporary file:// backend.
//   exposures         apiextensions.CustomResource (Gateway API Gateway, OpenShift Route), a yaml/v2 ConfigGroup
//                     rendering Knative / Istio / Contour objects, a value unknown at preview, and a Ziti Dial
//                     policy for #all services; Kubernetes objects are only rendered.
//   docker-exposures  Docker containers that publish or share a network by other means than `ports`, a macvlan network
//                     and a container on it, a TSDProxy-labelled container (issue 23); needs the
//                     Docker resource plugin (`bash scripts/tools.sh path docker`): the engine calls its Check at
//                     preview. The provider connects to the Docker daemon lazily, so no daemon is needed.
//   judged            issue 23's shapes where the engine's view matters: Services made with a DarkCluster's provider
//                     outside it (the engine's provider reference: explicit, inherited from a component's
//                     `providers`, or passed into the DarkCluster from outside), Ziti Binds for #all under the SDK's default
//                     token `pulumi-nodejs:dynamic:Resource`, a CustomResource Rollout with hostNetwork, a macvlan
//                     NetworkAttachmentDefinition (a CustomResource) and a Deployment attached to it, a
//                     Tailscale-annotated Service, a Flux HelmRelease, and the strict profile raising an unknown
//                     custom resource to mandatory through the engine.
// Each fixture has a private or allow-listed counterpart of its violations, which must not be reported.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { disallowBindAllServices, disallowServiceInDarkCluster } from "../../policy/rules";
import { adminRest, Rest, zitiController } from "../helpers/zitiController";
import { E2E, progress, repoRoot, tail } from "./harness";

const POLICY_PACK = path.join(repoRoot, "policy");
const FIXTURES = path.join(repoRoot, "test", "e2e", "fixtures");

/** The policy-violation blocks of a preview's `Policies:` section, by resource name: `rule (type: name)` + message. */
function violations(output: string): { rule: string; level: string; resource: string; text: string }[] {
    const out: { rule: string; level: string; resource: string; text: string }[] = [];
    const re = /- \[(mandatory|advisory)\] \[severity: \w+\]\s+(\S+)\s+\(([^)]*)\)\n((?:\s{10,}.*\n?)+)/g;
    for (const m of output.matchAll(re)) {
        out.push({ level: m[1], rule: m[2], resource: m[3].split(": ").pop() ?? m[3], text: m[4].replace(/\s+/g, " ").trim() });
    }
    return out;
}

describe("e2e: the policy pack on issue 15's exposure shapes, through the real engine", function () {
    let e2e: E2E;
    let rest: Rest;
    let failed = false;

    before(async function () {
        this.timeout(300_000);
        const ctl = await zitiController();
        e2e = new E2E(ctl);
        rest = await adminRest(ctl);
        e2e.workspace("exposures", path.join(FIXTURES, "exposures"), ["exposures"]);
        e2e.workspace("docker-exposures", path.join(FIXTURES, "docker-exposures"), ["docker-exposures"]);
        e2e.workspace("judged", path.join(FIXTURES, "judged"), ["judged"]);
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") failed = true;
    });

    after(async function () {
        await rest?.close();
        if (failed) progress(`engine output of this run: ${e2e?.logFile}`);
        e2e?.dispose(failed);
    });

    it("fails a CustomResource Gateway and Route, a ConfigGroup's public Knative Service and a Dial for #all services, and passes their private and allow-listed counterparts", async function () {
        const ws = "exposures";
        await e2e.configureZiti(ws, ws);
        await e2e.pulumi(ws, ["config", "set", "--stack", ws, "renderDir", path.join(e2e.ws(ws), "rendered")]);
        const res = await e2e.pulumi(ws, ["preview", "--stack", ws, "--policy-pack", POLICY_PACK,
            "--policy-pack-config", path.join(FIXTURES, "exposures", "policy-config.json")], { allowFailure: true });
        assert.notStrictEqual(res.code, 0, `the preview must fail:\n${tail(res.output, 60)}`);
        const found = violations(res.output);
        const by = (resource: string) => found.filter((v) => v.resource === resource);
        const context = `\n${tail(res.output, 80)}`;

        // A Gateway made with apiextensions.CustomResource: token kubernetes:gateway.networking.k8s.io/v1:Gateway.
        assert.match(res.output, /disallow-ingress-and-gateway\s+\(kubernetes:gateway\.networking\.k8s\.io\/v1:Gateway: gateway\)/, context);
        assert.deepStrictEqual(by("gateway").map((v) => [v.level, v.rule]), [["mandatory", "disallow-ingress-and-gateway"]], context);
        assert.match(by("gateway")[0].text, /Gateway 'edge\/public' publishes workloads to the network through a Gateway API gateway\. Fix: remove it/);

        assert.deepStrictEqual(by("route").map((v) => v.rule), ["disallow-exposing-custom-resources"], context);
        assert.match(by("route")[0].text, /Route 'edge\/prometheus' is a route\.openshift\.io Route, which publishes workloads to the network through the OpenShift router\. Fix:/);

        // The ConfigGroup registers each object as its own resource named `<group>:<namespace>/<name>` (its
        // resourcePrefix defaults to its name: pulumi-kubernetes provider/pkg/provider/yaml/v2/configgroup.go).
        const ksvc = by("edge:edge/public-reflect");
        assert.deepStrictEqual(ksvc.map((v) => v.rule), ["disallow-exposing-custom-resources"], context);
        assert.match(ksvc[0].text, /Service 'edge\/public-reflect' \(rendered by kubernetes:yaml\/v2:ConfigGroup 'edge'\) is a serving\.knative\.dev Service, which publishes workloads to the network through the Knative ingress\. .*keep it private \(set metadata\.labels\["networking\.knative\.dev\/visibility"\]: cluster-local\)/);

        assert.deepStrictEqual(by("dial-all-svcs").map((v) => v.rule), ["disallow-dial-all-services"], context);
        assert.match(by("dial-all-svcs")[0].text, /Ziti ServicePolicy 'exposures\.dial\.all\.services' lets \[#exposures-clients\] dial every service \(#all\) on the network/);

        // Private and allow-listed counterparts pass; nothing else is reported.
        for (const ok of ["edge:edge/private-reflect", "edge:edge/mesh-only", "edge:edge/allowed-proxy"]) {
            assert.deepStrictEqual(by(ok), [], `${ok} must pass${context}`);
        }

        // A label that is another resource's output: "could not be checked" (an advisory the engine prints as
        // "can't run policy ... during preview"), neither a pass nor a failure.
        assert.deepStrictEqual(by("maybe-public").map((v) => [v.level, v.rule]), [["advisory", "disallow-exposing-custom-resources"]], context);
        assert.match(by("maybe-public")[0].text, /^can't run policy 'disallow-exposing-custom-resources' .* during preview: Service 'edge\/maybe-public' could not be checked by disallow-exposing-custom-resources: metadata\.labels\["networking\.knative\.dev\/visibility"\] is not known during preview/);
        assert.strictEqual(found.filter((v) => v.level === "mandatory").length, 4, `exactly the four violations${context}`);
        assert.strictEqual(found.length, 5, `and the one could-not-be-checked${context}`);
        const adds = (await rest.named("service-policies", "exposures.dial.all.services")).filter((p: any) => p.name === "exposures.dial.all.services");
        assert.deepStrictEqual(adds, [], "a preview writes nothing to the controller");
    });

    it("fails Docker containers that publish all ports, share a foreign container's network (not one of the stack's own) or join the host network, a macvlan network and its container, a TSDProxy label, and passes the allow-listed and the dark one", async function () {
        // The Docker resource plugin, installed into the tools' PULUMI_HOME (built once from the Terraform provider).
        let plugin: string;
        try {
            plugin = execFileSync("bash", [path.join(repoRoot, "scripts", "tools.sh"), "path", "docker"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
        } catch (e) {
            const err = e as { stderr?: string; message: string };
            throw new Error(`the Docker shapes need the Docker resource plugin: \`bash scripts/tools.sh path docker\` failed:\n${tail(err.stderr ?? err.message, 15)}`);
        }
        progress(`Docker plugin ${plugin}`);
        const ws = "docker-exposures";
        await e2e.pulumi(ws, ["stack", "init", ws]);
        // Never contacted by a preview (the provider dials the daemon when it creates or reads a container).
        await e2e.pulumi(ws, ["config", "set", "--stack", ws, "dockerHost", `unix://${path.join(e2e.dir, "no-docker.sock")}`]);
        const res = await e2e.pulumi(ws, ["preview", "--stack", ws, "--policy-pack", POLICY_PACK,
            "--policy-pack-config", path.join(FIXTURES, "docker-exposures", "policy-config.json")], { allowFailure: true });
        assert.notStrictEqual(res.code, 0, `the preview must fail:\n${tail(res.output, 60)}`);
        const context = `\n${tail(res.output, 80)}`;
        const found = violations(res.output);
        assert.deepStrictEqual(found.map((v) => [v.level, v.rule, v.resource]).sort(), [
            ["mandatory", "disallow-docker-published-ports", "host-net"],
            ["mandatory", "disallow-docker-published-ports", "publish-all"],
            ["mandatory", "disallow-exposing-annotations-and-labels", "tsd"],
            ["mandatory", "disallow-foreign-container-network", "foreign"],
            ["mandatory", "disallow-host-level-docker-networks", "lan"],
            ["mandatory", "disallow-host-level-docker-networks", "on-lan"],
        ], context);
        const text = (r: string) => found.find((v) => v.resource === r)!.text;
        assert.match(text("publish-all"), /Docker container 'publish-all' sets publishAllPorts: true, so every port its image exposes is published on a random port of the Docker host\. Fix: remove publishAllPorts/);
        assert.match(text("foreign"), /Docker container 'foreign' sets networkMode: container:not-in-this-stack, the network namespace of a container this stack does not define/);
        assert.match(text("host-net"), /Docker container 'host-net' attaches to the Docker host network \(networksAdvanced\[0\]\.name: host\)/);
        assert.match(res.output, /docker:index\/container:Container/, "the pack saw the containers under their type token");
        // Issue 23: the network and the labels as the Docker provider's Check hands them to the pack.
        const rule = (r: string, name: string) => found.find((v) => v.rule === r && v.resource === name)!.text;
        assert.match(rule("disallow-host-level-docker-networks", "lan"), /Docker network 'lan' uses the macvlan driver, which gives containers an address on the host's LAN/);
        assert.match(rule("disallow-host-level-docker-networks", "on-lan"), /Docker container 'on-lan' attaches to the macvlan network 'lan' \(networksAdvanced\[0\]\.name\)/);
        assert.match(rule("disallow-exposing-annotations-and-labels", "tsd"), /Docker container 'tsd' carries the label labels\[0\] tsdproxy\.enable: true, so TSDProxy/);
    });

    it("judges issue 23's shapes through the engine: the dark provider, a Bind for #all under the default dynamic token, pod specs in a CRD, an exposing annotation, a macvlan attachment, an installer, and the strict profile", async function () {
        const ws = "judged";
        await e2e.pulumi(ws, ["stack", "init", ws]);
        await e2e.pulumi(ws, ["config", "set", "--stack", ws, "renderDir", path.join(e2e.ws(ws), "rendered")]);
        const res = await e2e.pulumi(ws, ["preview", "--stack", ws, "--policy-pack", POLICY_PACK,
            "--policy-pack-config", path.join(FIXTURES, "judged", "policy-config.json")], { allowFailure: true });
        assert.notStrictEqual(res.code, 0, `the preview must fail:\n${tail(res.output, 60)}`);
        const context = `\n${tail(res.output, 80)}`;
        const found = violations(res.output);
        assert.deepStrictEqual(found.map((v) => [v.level, v.rule, v.resource]).sort(), [
            ["advisory", "disallow-opaque-installers", "flux-release"],
            ["mandatory", "disallow-bind-all-identities", "bind-all"],
            ["mandatory", "disallow-bind-all-services", "bind-all-svcs"],
            ["mandatory", "disallow-exposing-annotations-and-labels", "tailnet-svc"],
            ["mandatory", "disallow-host-level-cni-attachments", "lan-nad"],
            ["mandatory", "disallow-host-level-cni-attachments", "lan-web"],
            ["mandatory", "disallow-host-network-and-ports", "rollout"],
            ["mandatory", "disallow-service-in-dark-cluster", "inherited-svc"],
            ["mandatory", "disallow-service-in-dark-cluster", "passed-svc"],
            ["mandatory", "disallow-service-in-dark-cluster", "stray-svc"],
            ["mandatory", "disallow-unknown-custom-resources", "rollout"],
            ["mandatory", "disallow-unknown-custom-resources", "widget"],
        ], context);
        const text = (rule: string, r: string) => found.find((v) => v.rule === rule && v.resource === r)!.text;
        assert.match(res.output, /disallow-bind-all-identities\s+\(pulumi-nodejs:dynamic:Resource: bind-all\)/, "the engine registered the policy under the default dynamic token");
        // The dark cluster followed by the provider reference the engine recorded: given explicitly, inherited from a
        // component's `providers`, or a provider made outside that a resource inside the DarkCluster uses.
        // The engine prints the policy's description, then the message.
        const lands = (svc: string, cluster: string, provider: string) =>
            `${disallowServiceInDarkCluster.description} Service 'apps/${svc}' is created outside DarkCluster '${cluster}' but with its Kubernetes provider '${provider}', so it lands in that dark cluster all the same; ` +
            `a dark cluster has no Kubernetes Service, Ingress or Gateway at all. Fix: remove it and let the workload listen on the Ziti overlay, or allow-list 'apps/${svc}'.`;
        assert.strictEqual(text("disallow-service-in-dark-cluster", "stray-svc"), lands("stray", "kubeB", "kubeB-k8s"));
        assert.strictEqual(text("disallow-service-in-dark-cluster", "inherited-svc"), lands("inherited", "kubeB", "kubeB-k8s"));
        assert.strictEqual(text("disallow-service-in-dark-cluster", "passed-svc"), lands("passed", "kubeC", "kubeC-k8s"));
        assert.strictEqual(text("disallow-bind-all-services", "bind-all-svcs"), `${disallowBindAllServices.description} ` +
            "Ziti ServicePolicy 'judged.bind.all.services' lets [@judged.host] bind (host) every service (#all) on the network, including services created later. " +
            "Fix: list the services they host (@<service name>), or allow-list 'ziti/judged.bind.all.services'.");
        assert.match(text("disallow-host-network-and-ports", "rollout"), /Rollout 'apps\/web' sets spec\.template\.spec\.hostNetwork: true/);
        assert.match(text("disallow-unknown-custom-resources", "widget"), /Widget 'apps\/thing' is a widgets\.example\.com Widget, .* \(strict profile\)\. Fix:/);
        assert.match(text("disallow-exposing-annotations-and-labels", "tailnet-svc"), /tailscale\.com\/expose/);
        assert.match(text("disallow-host-level-cni-attachments", "lan-web"), /Deployment 'apps\/lan-web' attaches its pods to apps\/lan \(spec\.template\.metadata\.annotations\["k8s\.v1\.cni\.cncf\.io\/networks"\]\), whose macvlan CNI plugin/);
        // The Deployment inside the DarkCluster and the mesh-only HTTPRoute pass.
        assert.deepStrictEqual(found.filter((v) => ["kubeB-prometheus", "kubeC-prometheus", "mesh-route"].includes(v.resource)), [], context);
    });
});
