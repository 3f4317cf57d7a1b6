import * as assert from "assert";
import { disallowDockerPublishedPorts } from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { container } from "./fixtures";

const CONTAINER = "docker:index/container:Container";
const SERVICE = "docker:index/service:Service";

/** A swarm service with no published port, on an overlay network. */
const swarmService = {
    name: "central-prometheus",
    taskSpec: { containerSpec: { image: "openziti/prometheuz:latest" }, networksAdvanceds: [{ name: "monitoring-overlay" }] as { name: string }[] },
    endpointSpec: { mode: "vip" } as Record<string, unknown>,
};

describe("policy: Docker containers (rule 6, disallow-docker-published-ports)", () => {
    it("accepts a container on a bridge network without published ports", async () => {
        const out = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props: container });
        assert.deepStrictEqual(out, { violations: [] });
    });

    it("rejects published ports", async () => {
        const out = await runResource(disallowDockerPublishedPorts, {
            type: CONTAINER,
            name: "central",
            props: change(container, (c) => Object.assign(c, { ports: [{ internal: 9090, external: 9090 }, { internal: 9091, ip: "0.0.0.0" }] })),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Docker container 'central-prometheus' publishes ports (9090->9090, 0.0.0.0:<random>->9091) on the Docker host. " +
                "Fix: remove `ports` and reach the container over Ziti, or allow-list 'docker/central-prometheus'.",
        ]);
    });

    it("rejects a port published on the Docker host's loopback too (judgment call: policy/README.md)", async () => {
        const out = await runResource(disallowDockerPublishedPorts, {
            type: CONTAINER,
            name: "central",
            props: change(container, (c) => Object.assign(c, { ports: [{ internal: 9090, external: 9090, ip: "127.0.0.1" }] })),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Docker container 'central-prometheus' publishes ports (127.0.0.1:9090->9090) on the Docker host. " +
                "Fix: remove `ports` and reach the container over Ziti, or allow-list 'docker/central-prometheus'.",
        ]);
    });

    it("rejects networkMode host", async () => {
        const out = await runResource(disallowDockerPublishedPorts, {
            type: CONTAINER,
            name: "central",
            props: change(container, (c) => (c.networkMode = "host")),
        });
        assert.deepStrictEqual(out.violations.map((v) => v.message), [
            "Docker container 'central-prometheus' sets networkMode: host, so it listens on the Docker host's network. " +
                "Fix: use a bridge network without published ports and reach it over Ziti, or allow-list 'docker/central-prometheus'.",
        ]);
    });

    it("uses the Pulumi name when the container name is not set, and accepts an allow-listed exception", async () => {
        const props = change(container, (c) => {
            delete (c as { name?: string }).name;
            c.networkMode = "host";
        });
        const out = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props });
        assert.match(out.violations[0].message, /^Docker container 'central' sets networkMode: host/);
        const allowed = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props, config: { allowlist: ["docker/central"] } });
        assert.deepStrictEqual(allowed, { violations: [] });
    });

    it("says it could not be checked when networkMode is unknown at preview", async () => {
        const out = await runResource(disallowDockerPublishedPorts, {
            type: CONTAINER,
            name: "central",
            props: change(container, (c) => (c.networkMode = UNKNOWN)),
        });
        assert.deepStrictEqual(out, {
            violations: [],
            couldNotBeChecked:
                "Docker container 'central-prometheus' could not be checked by disallow-docker-published-ports: networkMode is not known during preview; " +
                "it is checked again when the value is known (pulumi up).",
        });
    });

    describe("other ways to publish or share a network (issue 15)", () => {
        it("rejects publishAllPorts: true", async () => {
            const out = await runResource(disallowDockerPublishedPorts, {
                type: CONTAINER,
                name: "central",
                props: change(container, (c) => Object.assign(c, { publishAllPorts: true })),
            });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Docker container 'central-prometheus' sets publishAllPorts: true, so every port its image exposes is published on a random port of the Docker host. " +
                    "Fix: remove publishAllPorts and reach the container over Ziti, or allow-list 'docker/central-prometheus'.",
            ]);
            const off = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "c", props: change(container, (c) => Object.assign(c, { publishAllPorts: false })) });
            assert.deepStrictEqual(off, { violations: [] });
        });

        it("leaves networkMode container:<x> to disallow-foreign-container-network (only the stack knows whose <x> is)", async () => {
            const out = await runResource(disallowDockerPublishedPorts, {
                type: CONTAINER,
                name: "central",
                props: change(container, (c) => (c.networkMode = "container:edge-proxy")),
            });
            assert.deepStrictEqual(out, { violations: [] });
        });

        it("rejects the host network asked for in networksAdvanced, and accepts a user network", async () => {
            const host = change(container, (c) => Object.assign(c, { networksAdvanced: [{ name: "monitoring" }, { name: "host" }] }));
            const out = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props: host });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Docker container 'central-prometheus' attaches to the Docker host network (networksAdvanced[1].name: host), so it listens on the Docker host's network. " +
                    "Fix: attach it to a bridge network without published ports and reach it over Ziti, or allow-list 'docker/central-prometheus'.",
            ]);
            const user = change(container, (c) => Object.assign(c, { networksAdvanced: [{ name: "monitoring" }] }));
            assert.deepStrictEqual(await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props: user }), { violations: [] });
        });

        it("reports every way at once, and an allow-listed container passes", async () => {
            const props = change(container, (c) => Object.assign(c, { networkMode: "host", publishAllPorts: true, ports: [{ internal: 9090 }] }));
            const out = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props });
            assert.strictEqual(out.violations.length, 3);
            const allowed = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props, config: { allowlist: ["docker/central-prometheus"] } });
            assert.deepStrictEqual(allowed, { violations: [] });
        });

        it("says it could not be checked when publishAllPorts or a network name is unknown at preview", async () => {
            const props = change(container, (c) => Object.assign(c, { publishAllPorts: UNKNOWN, networksAdvanced: [{ name: UNKNOWN }] }));
            const out = await runResource(disallowDockerPublishedPorts, { type: CONTAINER, name: "central", props });
            assert.deepStrictEqual(out, {
                violations: [],
                couldNotBeChecked:
                    "Docker container 'central-prometheus' could not be checked by disallow-docker-published-ports: publishAllPorts, networksAdvanced[0].name are not known during preview; " +
                    "it is checked again when the value is known (pulumi up).",
            });
        });

        it("accepts a swarm service without published ports", async () => {
            assert.deepStrictEqual(await runResource(disallowDockerPublishedPorts, { type: SERVICE, name: "central", props: swarmService }), { violations: [] });
        });

        it("rejects a swarm service that publishes ports on the swarm nodes", async () => {
            const props = change(swarmService, (s) => (s.endpointSpec.ports = [{ targetPort: 9090, publishedPort: 9090 }, { targetPort: 9091, publishMode: "host" }]));
            const out = await runResource(disallowDockerPublishedPorts, { type: SERVICE, name: "central", props });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Docker service 'central-prometheus' publishes ports (9090->9090 (ingress), <random>->9091 (host)) on the swarm nodes. " +
                    "Fix: remove endpointSpec.ports and reach the service over Ziti, or allow-list 'docker/central-prometheus'.",
            ]);
        });

        it("rejects a swarm service whose tasks run on the host network", async () => {
            const props = change(swarmService, (s) => (s.taskSpec.networksAdvanceds = [{ name: "host" }]));
            const out = await runResource(disallowDockerPublishedPorts, { type: SERVICE, name: "central", props });
            assert.deepStrictEqual(out.violations.map((v) => v.message), [
                "Docker service 'central-prometheus' attaches its tasks to the host network (taskSpec.networksAdvanceds[0].name: host), so they listen on the swarm nodes' network. " +
                    "Fix: attach it to an overlay network without published ports and reach it over Ziti, or allow-list 'docker/central-prometheus'.",
            ]);
        });

        it("says it could not be checked when a swarm service's endpointSpec is unknown", async () => {
            const props = change(swarmService, (s) => ((s as Record<string, unknown>).endpointSpec = UNKNOWN));
            const out = await runResource(disallowDockerPublishedPorts, { type: SERVICE, name: "central", props });
            assert.match(out.couldNotBeChecked ?? "", /^Docker service 'central-prometheus' could not be checked by disallow-docker-published-ports: endpointSpec is not known/);
        });
    });
});
