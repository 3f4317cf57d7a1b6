import * as assert from "assert";
import { disallowOpaqueHelmRelease } from "../../policy/rules";
import { runResource } from "./helpers/engine";
import { helmRelease } from "./fixtures";

describe("policy: opaque Helm releases (rule 7, disallow-opaque-helm-release)", () => {
    it("is advisory by default", () => {
        assert.strictEqual(disallowOpaqueHelmRelease.enforcementLevel, "advisory");
    });

    it("flags a helm.v3.Release, whose objects the pack cannot see", async () => {
        const out = await runResource(disallowOpaqueHelmRelease, { type: "kubernetes:helm.sh/v3:Release", name: "nginx", props: helmRelease });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Helm Release 'ingress/ingress-nginx' (chart ingress-nginx) installs Kubernetes objects that this policy pack cannot see, " +
                "so Services, Ingresses and pod templates in it were not checked. Fix: deploy the chart with kubernetes.helm.v4.Chart " +
                "(its objects are checked), or review the chart and allow-list 'ingress/ingress-nginx'.",
        ]);
    });

    it("does not flag a Helm Chart v4 (its objects are registered as resources and checked)", async () => {
        const out = await runResource(disallowOpaqueHelmRelease, { type: "kubernetes:helm.sh/v4:Chart", name: "nginx", props: { chart: "ingress-nginx" } });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("accepts a reviewed, allow-listed release", async () => {
        const out = await runResource(disallowOpaqueHelmRelease, {
            type: "kubernetes:helm.sh/v3:Release",
            name: "nginx",
            props: helmRelease,
            config: { allowlist: ["ingress/ingress-nginx"] },
        });
        assert.deepStrictEqual(out, { violations: [] });
    });
});
