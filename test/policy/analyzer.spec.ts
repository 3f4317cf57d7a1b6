// The rules through @pulumi/policy's own analyzer handler (the function its gRPC server registers,
// called here without binding a port): what the engine would show for a violation and for an
// unknown value at preview.
import * as assert from "assert";
import { createRequire } from "module";
import * as path from "path";
import { CouldNotBeCheckedError, disallowLoadBalancerService, disallowServiceInDarkCluster, rules } from "../../policy/rules";
import { UNKNOWN } from "./helpers/engine";
import { service } from "./fixtures";

const policyRequire = createRequire(path.join(__dirname, "..", "..", "policy", "package.json"));
/* eslint-disable @typescript-eslint/no-explicit-any */
const server: any = policyRequire("@pulumi/policy/server");
const analyzerproto: any = policyRequire("@pulumi/pulumi/proto/analyzer_pb");
const structproto: any = policyRequire("google-protobuf/google/protobuf/struct_pb");
const policyLib: any = policyRequire("@pulumi/policy");

interface Diagnostic {
    policyName: string;
    message: string;
    enforcementLevel: number;
}

function analyze(policies: unknown[], type: string, name: string, props: unknown): Promise<Diagnostic[]> {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(`urn:pulumi:dev::scrape-anywhere::${type}::${name}`);
    req.setProperties(structproto.Struct.fromJavaScript(props));
    req.setOptions(new analyzerproto.AnalyzerResourceOptions());
    const handler = server.makeAnalyzeRpcFun("scrape-anywhere", "0.1.0", "advisory", policies);
    return new Promise((resolve, reject) =>
        handler({ request: req }, (err: Error | undefined, resp: any) =>
            err
                ? reject(err)
                : resolve(
                      resp.getDiagnosticsList().map((d: any) => ({
                          policyName: d.getPolicyname(),
                          message: d.getMessage(),
                          enforcementLevel: d.getEnforcementlevel(),
                      })),
                  ),
        ),
    );
}

describe("policy: through the @pulumi/policy analyzer handler", () => {
    it("runs every rule on a compliant Service without diagnostics", async () => {
        assert.deepStrictEqual(await analyze(rules, "kubernetes:core/v1:Service", "prometheus", service), []);
    });

    it("reports a LoadBalancer Service as a mandatory violation with the rule's message", async () => {
        const ds = await analyze([disallowLoadBalancerService], "kubernetes:core/v1:Service", "prometheus", {
            ...service,
            spec: { ...service.spec, type: "LoadBalancer" },
        });
        assert.deepStrictEqual(ds, [
            {
                policyName: "disallow-loadbalancer-service",
                message:
                    `${disallowLoadBalancerService.description}\n` +
                    "Service 'monitoring/prometheus' sets spec.type: LoadBalancer, which opens it to the network through a load balancer. " +
                    "Fix: use type ClusterIP and reach it over a Ziti service, or allow-list 'monitoring/prometheus'.",
                enforcementLevel: analyzerproto.EnforcementLevel.MANDATORY,
            },
        ]);
    });

    it("turns an unknown value at preview into an advisory could-not-be-checked note, not a crash or a pass", async () => {
        const ds = await analyze([disallowLoadBalancerService], "kubernetes:core/v1:Service", "prometheus", {
            ...service,
            spec: { ...service.spec, type: UNKNOWN },
        });
        assert.deepStrictEqual(ds, [
            {
                policyName: "disallow-loadbalancer-service",
                message:
                    "can't run policy 'disallow-loadbalancer-service' from policy pack 'scrape-anywhere@v0.1.0' during preview: " +
                    "Service 'monitoring/prometheus' could not be checked by disallow-loadbalancer-service: spec.type is not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
                enforcementLevel: analyzerproto.EnforcementLevel.ADVISORY,
            },
        ]);
    });

    it("CouldNotBeCheckedError is the library's UnknownValueError", () => {
        assert.ok(new CouldNotBeCheckedError("x", []) instanceof policyLib.UnknownValueError);
    });

    it("describes every policy and its config schema to the engine (GetAnalyzerInfo)", () => {
        const protoutil: any = policyRequire("@pulumi/policy/protoutil");
        const info = protoutil.makeAnalyzerInfo("scrape-anywhere", "0.1.0", "advisory", { policies: rules }, undefined).toObject();
        const described = info.policiesList.map((p: any) => [p.name, p.configschema.properties.fieldsMap.map((f: [string]) => f[0]).sort()]);
        assert.deepStrictEqual(
            described,
            rules.map((r) => [r.name, Object.keys(r.configSchema?.properties ?? {}).sort()]),
        );
    });

    it("keeps the stack rule a StackValidationPolicy", () => {
        assert.strictEqual(typeof disallowServiceInDarkCluster.validateStack, "function");
    });
});
