// Central collection by remote write (issue 26), as plain data: the Ziti graph of the write path, the cluster
// Prometheus' `remote_write` block and mode, and the receiver's storage settings. Each cluster Prometheus
// pushes to a write service through its tunneler sidecar (proxy.v1 on 127.0.0.1, port from the service name,
// like every dialed service: proxyPorts.ts); the write service is hosted where the receiver is: by default
// the central Prometheus' own tunneler, host.v1 to its 127.0.0.1:9090 with the remote-write receiver on;
// or any remote-write endpoint (Thanos Receive, Mimir, VictoriaMetrics) next to a tunneler of its own.
//
// Prometheus facts, prometheus/prometheus v3.16.0 (module v0.316.0):
// - cmd/prometheus/main.go: `--web.enable-remote-write-receiver` ("Enable API endpoint accepting remote write
//   requests", default false); `--agent` ("Run Prometheus in 'Agent mode'"); `--storage.agent.path` is an
//   agent-only flag and `--storage.tsdb.path` a server-only one: either in the wrong mode stops Prometheus
//   ("can not be used in agent mode").
// - web/api/v1/api.go: the receiver is `POST /api/v1/write`.
// - config/config.go LoadFile: agent mode refuses `alerting`, `rule_files`, `remote_read`.
// - tsdb/agent/db.go walTruncationTime: the agent WAL keeps what remote write has not sent (LowestSentTimestamp),
//   at most `--storage.agent.retention.max-time` (DefaultMaxWALTime 4h; docs/prometheus_agent.md says a
//   two-hour buffer), so samples taken while the write path is cut are sent when it comes back.
// - tsdb/head_append.go appendableMinValidTime: a server's head accepts in-order samples no older than
//   max time - chunkRange/2 (1 h with the default 2 h blocks); older ones only within
//   `storage.tsdb.out_of_order_time_window` (config.go TSDBConfig). The receiver sets it to the agent's buffer.
import { assertDistinctPorts, proxyPort } from "./proxyPorts";
import { PROMETHEUS3 } from "./workloads/prometheus";
import { LOOPBACK, loopbackProxyV1 } from "./zitiEntities";
import { emptyEntitySet, ZitiEntitySet } from "./zitiGraph";
import type * as pulumi from "@pulumi/pulumi";
import type { Collection, RemoteWriteSpec } from "../types";

/** Prometheus' own receiver path (web/api/v1/api.go `r.Post("/write", ...)` under /api/v1). */
export const PROMETHEUS_WRITE_PATH = "/api/v1/write";
/** The agent WAL's default maximum age (tsdb/agent/db.go DefaultMaxWALTime): how far back a resend can reach. */
export const AGENT_WAL_MAX_TIME = "4h";

/**
 * Where clusters write: a Ziti service, the HTTP path of the endpoint behind it, and who hosts it where.
 * `binder` is the identity whose tunneler hosts the service (the central Prometheus' by default); `external`
 * when the program makes that identity for the user's own tunneler beside an external store.
 */
export interface WriteTarget {
    service: string;
    path: string;
    address: string;
    port: number;
    binder: string;
    external: boolean;
}

/** The embedded default: the central Prometheus' receiver on its loopback, hosted by its own tunneler. */
export function embeddedWriteTarget(centralName: string, service = `${centralName}.write.svc`): WriteTarget {
    return {
        service, path: PROMETHEUS_WRITE_PATH, address: LOOPBACK, port: PROMETHEUS3.port,
        binder: `${centralName}.prometheus.id`, external: false,
    };
}

/**
 * Any remote-write endpoint reachable as a Ziti service: host.v1 to `address:port` from wherever the user runs a
 * tunneler with the `binder` identity (the program makes it un-enrolled; its JWT is a stack output). E.g. Thanos
 * Receive `thanos-receive.monitoring.svc:19291` path `/api/v1/receive`, Mimir `/api/v1/push`, VictoriaMetrics
 * `/api/v1/write` (each project's documentation).
 */
export function externalWriteTarget(t: { service: string; path: string; address: string; port: number; binder?: string }): WriteTarget {
    return { service: t.service, path: t.path, address: t.address, port: t.port, binder: t.binder ?? `${writeBase(t.service)}.host.id`, external: true };
}

/** `central.write.svc` -> `central.write` (the policies' names). */
const writeBase = (service: string) => service.replace(/\.svc$/, "");
const at = (name: string) => `@${name}`;

/** The cluster Prometheus identities that write, by name (the write service's Dial policy names them). */
export const writerIdentity = (clusterName: string) => `${clusterName}.prometheus.id`;

/**
 * The write service's entities: host.v1 to the receiver, proxy.v1 on loopback at the service's derived port
 * (clusters' sidecars listen there), Bind for the binder, Dial for each writer by name (never an attribute: a
 * writer can fill the central store with anything, so only the named clusters may), its service edge router
 * policy, and for an external target the hosting identity with its edge router policy. No intercept.v1: the
 * terminators are not addressed by identity (several receivers behind one service share the writes).
 */
export function remoteWriteEntities(args: { target: WriteTarget; writers: string[]; edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]> }): ZitiEntitySet {
    const t = args.target;
    const base = writeBase(t.service);
    const set = emptyEntitySet();
    if (t.external) {
        set.identities.push({ name: t.binder, roleAttributes: [], enroll: false });
        set.edgeRouterPolicies.push({ name: `${base}.edge-router-policy`, identityRoles: [at(t.binder)], edgeRouterRoles: args.edgeRouterRoles });
    }
    set.configs.push(
        { name: `${t.service}.host.v1`, configType: "host.v1", data: { protocol: "tcp", address: t.address, port: t.port } },
        { name: `${t.service}.proxy.v1`, configType: "proxy.v1", data: loopbackProxyV1(proxyPort(t.service)) },
    );
    set.services.push({ name: t.service, configs: [`${t.service}.host.v1`, `${t.service}.proxy.v1`] });
    set.servicePolicies.push(
        { name: `${base}.bind`, type: "Bind", semantic: "AnyOf", identityRoles: [at(t.binder)], serviceRoles: [at(t.service)] },
        { name: `${base}.dial`, type: "Dial", semantic: "AnyOf", identityRoles: args.writers.map(at), serviceRoles: [at(t.service)] },
    );
    set.serviceEdgeRouterPolicies.push({ name: `${base}.service-edge-router-policy`, serviceRoles: [at(t.service)], edgeRouterRoles: args.edgeRouterRoles });
    return set;
}

/** The write target of a stack's `remoteWrite` spec (config/collection.ts): central's own receiver, or the external one. */
export function writeTarget(centralName: string, spec: RemoteWriteSpec): WriteTarget {
    return spec.external
        ? externalWriteTarget({ service: spec.service, path: spec.path, address: spec.external.address, port: spec.external.port, binder: spec.external.hostIdentity })
        : { ...embeddedWriteTarget(centralName, spec.service), path: spec.path };
}

/**
 * Central's write entities for the seam: the set with no writer yet and the name of its Dial policy, into which the
 * flavor puts the writers as they come (resource outputs or StackReferences: not known as text at plan time).
 */
export function centralWriteEntities(centralName: string, spec: RemoteWriteSpec, edgeRouterRoles: pulumi.Input<pulumi.Input<string>[]>): { set: ZitiEntitySet; dialPolicy: string } {
    const target = writeTarget(centralName, spec);
    return { set: remoteWriteEntities({ target, writers: [], edgeRouterRoles }), dialPolicy: `${writeBase(target.service)}.dial` };
}

/** What a cluster Prometheus needs to write: the service and the endpoint's path (stack outputs carry them). */
export interface WriteRoute { service: string; path: string }

/** The `remote_write` block: the sidecar's loopback port for the write service, the endpoint's path. */
export function remoteWriteBlock(route: WriteRoute, alsoDialed: readonly { service: string; port: number }[] = []): Record<string, unknown>[] {
    const port = proxyPort(route.service);
    // The cluster's tunneler dials its exporter too: two services on one port would collide in the sidecar.
    assertDistinctPorts("a cluster Prometheus", [...alsoDialed, { service: route.service, port }]);
    return [{ name: route.service, url: `http://${LOOPBACK}:${port}${route.path}` }];
}

/**
 * How a cluster Prometheus runs when it writes: dark clusters in agent mode (no local queries are asked of
 * them, and the agent WAL keeps what is unsent); the hybrid cluster stays a full server with `remote_write`,
 * because in-cluster users query it through its Service (docs/prometheus_agent.md: agent mode has no local
 * queries, rules or alerting). Both resend from their WAL after a cut.
 */
export function clusterMode(kind: "hybrid" | "dark", collection: Collection): "server" | "agent" {
    return collection === "remoteWrite" && kind === "dark" ? "agent" : "server";
}

/** The receiver's TSDB settings: accept resent samples as old as the agent's buffer. */
export function receiverStorage(): Record<string, unknown> {
    return { tsdb: { retention: { time: PROMETHEUS3.retention }, out_of_order_time_window: AGENT_WAL_MAX_TIME } };
}
