import * as assert from "assert";
import { disallowDockerPublishedPorts } from "../../policy/rules";
import { UNKNOWN, change, runResource } from "./helpers/engine";
import { container } from "./fixtures";

const CONTAINER = "docker:index/container:Container";

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
});
