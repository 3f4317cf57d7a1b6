// OpenZiti's own tunneler, `ziti tunnel` (the Go tunneler in the `ziti` binary this project builds), as a
// sidecar. One process both hosts and dials: for each service its identity may Bind it hosts (host.v1, an
// SDK listener on the overlay, no socket on any interface), and for each service it may Dial that has a
// proxy.v1 config it opens a TCP listener on the config's `binding`:`port`.
//
// Contract, from openziti/ziti at v1.7.2 (the version tools/go/ziti/go.mod pins; `ziti` v2 is not served):
// - dist/docker-images/ziti-tunnel/Dockerfile: `FROM openziti/ziti-cli`, `USER root`, `WORKDIR /netfoundry`,
//   `ENTRYPOINT [ "/entrypoint.sh" ]`, `CMD [ "run" ]`; its comment calls it "the legacy tunneler" and
//   prefers openziti/ziti-edge-tunnel (a C program: it cannot be built here from Go modules).
// - dist/docker-images/ziti-cli/Dockerfile: the binary at /usr/local/bin/ziti, user `ziggy` 2171:2171.
// - dist/docker-images/ziti-tunnel/entrypoint.sh: writes ZITI_IDENTITY_JSON / enrolls a token into
//   ZITI_IDENTITY_DIR (default /netfoundry) and runs `ziti tunnel <tproxy|proxy|host> --identity ...`.
//   The pod mounts an already enrolled identity, so it runs the binary directly (`command`), which
//   needs neither bash nor a writable identity directory.
// - ziti/tunnel/proxy.go: `proxy` builds proxy.New(..., net.IPv4zero, args): listeners bind 0.0.0.0
//   unless the service's proxy.v1 `binding` says otherwise (tunnel/intercept/proxy/proxy.go handleTCP:
//   transport.ResolveLocalBinding(service.Binding)); with no `service:port` arguments it proxies exactly
//   the dialable services that have a proxy.v1 config (tunnel/entities/service.go ProxyV1Config
//   {port, protocols, binding}). `proxy` turns service polling OFF unless --svcPollRate is given
//   ("Polling in proxy mode is disabled unless this value is explicitly set", ziti/tunnel/root.go), and
//   sets --resolver to "" (no DNS listener) unless given.
// - tunnel/intercept/svcpoll.go addService: Dial permission -> interceptor.Intercept (the proxy listener);
//   Bind permission -> host(): provider.HostService, an SDK listener; host.v1 listenOptions
//   bindUsingEdgeIdentity names the terminator after the identity (tunnel/entities/service.go).
// - ziti/tunnel/root.go flags: --identity/-i, --identity-dir, --svcPollRate (default 15, seconds),
//   --resolver, --cli-agent (default true), --cli-agent-addr; the agent (github.com/openziti/agent
//   agent.go Listen) opens a unix socket `gops-agent.<pid>.sock` in os.TempDir(), not a TCP port.

export const ZITI_TUNNEL = {
    image: "openziti/ziti-tunnel",
    /** The release of the `ziti` binary (tools/go/ziti/go.mod: github.com/openziti/ziti v1.7.2); image tags are the bare version. */
    tag: "1.7.2",
    /**
     * The image ends with `USER root` (needed only for tproxy's iptables). Proxy and host modes need no
     * privilege, so the sidecar runs as the ziti-cli image's own user `ziggy`, 2171:2171.
     */
    runAs: { user: 2171, group: 2171 },
    /** ziti-cli Dockerfile: COPY ... /usr/local/bin/ziti. */
    binary: "/usr/local/bin/ziti",
    /** Image facts for the local image builder. */
    entrypoint: ["/entrypoint.sh"],
    cmd: ["run"],
    workingDir: "/netfoundry",
    /** Where the pod mounts the enrolled identity (a Secret volume of its own). */
    identityDir: "/etc/ziti",
    identityFileName: "identity.json",
    /**
     * How often it re-reads its services and their configs (seconds). Set explicitly because proxy mode
     * would otherwise never poll: a Dial policy removed or a new target would only take effect on restart.
     */
    servicePollSeconds: 15,
    /** os.TempDir() for the CLI agent's unix socket; an emptyDir so the root filesystem stays read-only. */
    tmpDir: "/tmp",
    readOnlyRootFilesystem: true,
    /**
     * Liveness: `ziti agent goversion` asks the running tunneler over its agent socket (ziti/cmd/agentcli
     * agent.go); it fails when the process hangs. The tunneler has no HTTP endpoint of its own.
     * Tier `upstream` runs this command against a running sidecar (its own TMPDIR, as the emptyDir gives it).
     */
    livenessCommand: ["/usr/local/bin/ziti", "agent", "goversion"],
    /**
     * Measured by `npm run bench -- --data-path` (bench/RESULTS.md round 3, 2026-12-05, 3 runs at load 7-13: the real
     * `ziti tunnel proxy` with this command and env, Prometheus 3.16 scraping a 54 KB and a 5.2 MB page through it
     * every 3 s, a 15 MB /federate): steady RSS 75-78 MiB (23-26 MiB anonymous, ~52 MiB the ziti binary's own file
     * pages, which the cgroup charges too), steady CPU ~6 mCPU; peak RSS over the whole run 85 MiB; 290 mCPU while a
     * client pulled the uncompressed 5.2 MB page back to back. Requests cover the steady state, limits the peak with
     * room (memory ~2.3x; CPU above the burst, so a large page is not throttled). In pods, tier `flavor`
     * (test/flavor/pods.spec.ts prints it) measured RSS 73-77 MiB in every sidecar of the dev stack, in line.
     */
    resources: { requests: { cpu: "10m", memory: "96Mi" }, limits: { cpu: "500m", memory: "192Mi" } },
    /**
     * GOGC=25: the Go runtime collects when the heap grew 25 % (default 100 %): anonymous memory ~34 -> ~22 MiB at the
     * same CPU in the data-path bench (bench/RESULTS.md), for a sidecar whose live heap is small and steady.
     */
    env: { GOGC: "25" },
} as const;

export const ZITI_TUNNEL_IMAGE = `${ZITI_TUNNEL.image}:${ZITI_TUNNEL.tag}`;
export const ZITI_TUNNEL_IDENTITY_FILE = `${ZITI_TUNNEL.identityDir}/${ZITI_TUNNEL.identityFileName}`;

/** The sidecar's command: proxy mode (which also hosts every service the identity may Bind). */
export function zitiTunnelCommand(): string[] {
    return [
        ZITI_TUNNEL.binary, "tunnel", "proxy",
        "--identity", ZITI_TUNNEL_IDENTITY_FILE,
        "--svcPollRate", String(ZITI_TUNNEL.servicePollSeconds),
    ];
}
