// The upstream flavor's central on Docker as plan data (flavors/upstream/docker.ts): the file holders, Prometheus and
// the tunneler sidecar, with the contract's hardening. Pure calls; tier docker runs the same plan on a real engine.
import * as assert from "assert";
import { upstreamCentralDocker } from "../../flavors/upstream/docker";
import type { CentralPlace } from "../../flavors/types";
import { PROMETHEUS3_CONFIG_FILE } from "../../flavors/upstream/workloads/prometheus";
import { ZITI_TUNNEL, ZITI_TUNNEL_IDENTITY_FILE, ZITI_TUNNEL_IMAGE } from "../../flavors/upstream/workloads/zitiTunnel";

const place: CentralPlace = {
    kind: "central", resourcePrefix: "central", name: "central", placement: "docker", images: {}, scrapeInterval: "15s",
    federationMatch: ['{job=~".+"}'], edgeRouterRoles: ["#all"], networkPolicy: { zitiPorts: [443], kubernetesApiPorts: [6443] },
};

describe("upstream flavor: central on Docker", () => {
    const plan = upstreamCentralDocker(place, "global: {}\n", "{}");
    const holders = plan.fileHolders ?? [];
    const prometheus = typeof plan.args === "function" ? plan.args(["cfg-holder", "id-holder"]) : plan.args;
    const tunneler = plan.sidecars![0].args("prom-id", ["cfg-holder", "id-holder"]);

    it("uploads prometheus.yml and the identity into two holders that never start and have no network", () => {
        assert.deepStrictEqual(holders.map(h => h.args.name), ["central-prometheus-files", "central-ziti-tunnel-files"]);
        assert.deepStrictEqual(holders.map(h => (h.args.uploads as any[])[0].file), [PROMETHEUS3_CONFIG_FILE, ZITI_TUNNEL_IDENTITY_FILE]);
        // The tunneler's image (no VOLUME): Prometheus' VOLUME /prometheus would come along read-only through volumesFrom.
        assert.deepStrictEqual(holders.map(h => h.args.image), [ZITI_TUNNEL_IMAGE, ZITI_TUNNEL_IMAGE], "an image already on the host, with no VOLUME");
        for (const h of holders) {
            assert.strictEqual(h.args.start, false);
            assert.strictEqual(h.args.mustRun, false);
            assert.strictEqual(h.args.networkMode, "none");
        }
    });

    it("runs Prometheus and the tunneler with read-only roots, no capability, no new privileges, no port", () => {
        for (const c of [prometheus, tunneler]) {
            assert.strictEqual(c.readOnly, true);
            assert.deepStrictEqual(c.capabilities, { drops: ["ALL"] });
            assert.deepStrictEqual(c.securityOpts, ["no-new-privileges"]);
            assert.strictEqual(c.ports, undefined);
            assert.strictEqual(c.uploads, undefined, "files come from the holders");
        }
        assert.strictEqual(prometheus.user, "65534:65534");
        assert.strictEqual(tunneler.user, `${ZITI_TUNNEL.runAs.user}:${ZITI_TUNNEL.runAs.group}`);
    });

    it("gives the tunneler the ziti binary as entrypoint (not the image's /entrypoint.sh) and Prometheus' network namespace", () => {
        assert.deepStrictEqual(tunneler.entrypoints, [ZITI_TUNNEL.binary]);
        assert.deepStrictEqual((tunneler.command as string[]).slice(0, 2), ["tunnel", "proxy"]);
        assert.deepStrictEqual(tunneler.envs, ["GOGC=25"]);
        assert.ok(Object.keys(tunneler.tmpfs as object).includes(ZITI_TUNNEL.tmpDir), "a tmpfs for the CLI agent's socket");
    });

    it("listens on loopback only (Prometheus' arguments)", () => {
        assert.ok((prometheus.command as string[]).includes("--web.listen-address=127.0.0.1:9090"));
    });
});
