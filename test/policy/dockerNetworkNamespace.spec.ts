// Issue 21: disallow-foreign-container-network (stack). Baseline: the upstream flavor's Docker placement as it is
// after `pulumi up` (flavors/upstream/docker.ts): Prometheus on a bridge network and the tunneler in its network
// namespace by id. Then one field changed each time.
import * as assert from "assert";
import { disallowForeignContainerNetwork } from "../../policy/rules";
import { UNKNOWN, change, runStack, StackResourceInput } from "./helpers/engine";

const CONTAINER = "docker:index/container:Container";
const PROMETHEUS_ID = "5f0c2e9a1b7d";
const messages = (out: { violations: { message: string }[] }) => out.violations.map((v) => v.message);

const baseline: StackResourceInput[] = [
    { type: CONTAINER, name: "central-prometheus", props: { id: PROMETHEUS_ID, name: "central-prometheus", image: "prom/prometheus:v3.16.0", networkMode: "monitoring" } },
    { type: CONTAINER, name: "central-ziti-tunnel", props: { id: "77aa01", name: "central-ziti-tunnel", image: "openziti/ziti-tunnel:1.7.2", networkMode: `container:${PROMETHEUS_ID}` } },
];
const sidecar = (edit: (props: Record<string, unknown>) => void) => change(baseline, (b) => edit(b[1].props!));

describe("policy: a container in another container's network namespace (issue 21, disallow-foreign-container-network, stack)", () => {
    it("accepts the baseline: the sidecar joins a container of the same stack by id", async () => {
        assert.deepStrictEqual(await runStack(disallowForeignContainerNetwork, baseline), { violations: [] });
    });

    it("accepts joining a container of the same stack by its name", async () => {
        assert.deepStrictEqual(await runStack(disallowForeignContainerNetwork, sidecar((p) => (p.networkMode = "container:central-prometheus"))), { violations: [] });
    });

    it("rejects joining a container the stack does not define, naming the container and the fix", async () => {
        assert.deepStrictEqual(messages(await runStack(disallowForeignContainerNetwork, sidecar((p) => (p.networkMode = "container:edge-proxy")))), [
            "Docker container 'central-ziti-tunnel' sets networkMode: container:edge-proxy, the network namespace of a container this stack does not define, " +
                "so it is reachable wherever that container is (its published ports and networks included), and the pack cannot check it. " +
                "Fix: join a container of this stack (networkMode: container:<its id>), give it its own bridge network without published ports, or allow-list 'docker/central-ziti-tunnel'.",
        ]);
    });

    it("rejects an id that is not one of the stack's containers", async () => {
        const out = messages(await runStack(disallowForeignContainerNetwork, sidecar((p) => (p.networkMode = "container:0123456789ab"))));
        assert.strictEqual(out.length, 1);
        assert.match(out[0], /^Docker container 'central-ziti-tunnel' sets networkMode: container:0123456789ab, the network namespace of a container this stack does not define/);
    });

    it("accepts the foreign container when it is allow-listed", async () => {
        const out = await runStack(disallowForeignContainerNetwork, sidecar((p) => (p.networkMode = "container:edge-proxy")), { allowlist: ["docker/central-ziti-tunnel"] });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("says it could not check a mode that is unknown during preview (the id of a container not made yet)", async () => {
        assert.deepStrictEqual(await runStack(disallowForeignContainerNetwork, sidecar((p) => (p.networkMode = UNKNOWN))), {
            violations: [],
            couldNotBeChecked:
                "Docker container 'central-ziti-tunnel' could not be checked by disallow-foreign-container-network: networkMode is not known during preview; " +
                "it is checked again when the value is known (pulumi up).",
        });
    });
});
