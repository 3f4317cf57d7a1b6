// Every container of every place against its image's contract, with the expected values written here
// (read from the upstream sources named in flavors/article/*.ts, not imported from them): image and
// tag, user and group, identity path, env and flags, listeners. Then the rules every pod must keep: the
// `restricted` Pod Security Standard, no pod-IP listener in dark places, identity files readable by the
// container's own user, and service-account tokens only where Prometheus reads the Kubernetes API.
import * as assert from "assert";
import * as YAML from "yaml";
import { RecordingMocks, unsecret, useMocks } from "../helpers/mocks";
import { valueOf } from "../helpers/outputs";
import { ARTICLE_IMAGES } from "../../flavors/article";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const DOCKER_CONTAINER = "docker:index/container:Container";

type Pod = Record<string, any>;
type Container = Record<string, any>;

const targets = [
    { clusterName: "kubeA", federationTarget: "kubeA.prometheus.svc-", reflectzScrapeTarget: "kubeA.reflect.scrape.svc-kubeA.reflect.id" },
    { clusterName: "kubeB", federationTarget: "kubeB.prometheus.svc-kubeB.prometheus.id", reflectzScrapeTarget: "kubeB.reflect.scrape.svc-kubeB.reflect.id" },
];

/** The effective user/group of a container: its own securityContext over the pod's. */
function effective(pod: Pod, c: Container): { user?: number; group?: number; nonRoot?: boolean } {
    const p = pod.securityContext ?? {};
    const s = c.securityContext ?? {};
    return { user: s.runAsUser ?? p.runAsUser, group: s.runAsGroup ?? p.runAsGroup, nonRoot: s.runAsNonRoot ?? p.runAsNonRoot };
}

/**
 * The `restricted` profile as kubernetes/pod-security-admission policy/check_*.go checks it (baseline
 * checks included): returns what a pod violates, empty when it would be admitted.
 */
function restrictedViolations(pod: Pod): string[] {
    const v: string[] = [];
    const ps = pod.securityContext ?? {};
    const all = [...(pod.initContainers ?? []), ...pod.containers];
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) v.push("host namespaces");
    const allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
    for (const vol of pod.volumes ?? []) {
        const kinds = Object.keys(vol).filter(k => k !== "name");
        if (!kinds.every(k => allowedVolumes.includes(k))) v.push(`volume ${vol.name}: ${kinds.join(",")}`);
    }
    if (ps.sysctls?.length) v.push("sysctls");
    for (const c of all) {
        const s = c.securityContext ?? {};
        if (s.privileged) v.push(`${c.name}: privileged`);
        if (s.allowPrivilegeEscalation !== false) v.push(`${c.name}: allowPrivilegeEscalation not false`);
        if (!(s.capabilities?.drop ?? []).includes("ALL")) v.push(`${c.name}: capabilities not dropping ALL`);
        for (const cap of s.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") v.push(`${c.name}: adds ${cap}`);
        const e = effective(pod, c);
        if (e.nonRoot !== true) v.push(`${c.name}: runAsNonRoot not true`);
        if (e.user === 0) v.push(`${c.name}: runAsUser 0`);
        const seccomp = s.seccompProfile?.type ?? ps.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") v.push(`${c.name}: seccompProfile ${seccomp}`);
        for (const port of c.ports ?? []) if (port.hostPort) v.push(`${c.name}: hostPort`);
        if (s.procMount && s.procMount !== "Default") v.push(`${c.name}: procMount`);
    }
    return v;
}

/** Values of `--flag=value` arguments. */
function flag(c: Container, name: string): string[] {
    return (c.args ?? c.command ?? []).filter((a: string) => a.startsWith(`${name}=`)).map((a: string) => a.slice(name.length + 1));
}

function envOf(c: Container): Record<string, string> {
    return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
}

/** A file a container reads, as the kubelet lays it out: which volume, owner root, group fsGroup, mode (defaultMode|0440 with fsGroup). */
function fileAt(pod: Pod, c: Container, path: string): { volume: any; group?: number; mode: number } | undefined {
    for (const m of c.volumeMounts ?? []) {
        if (!path.startsWith(`${m.mountPath}/`)) continue;
        const rel = path.slice(m.mountPath.length + 1);
        const vol = pod.volumes.find((x: any) => x.name === m.name);
        const src = vol.secret ?? vol.projected;
        const names: string[] = vol.secret?.items ? vol.secret.items.map((i: any) => i.path) : vol.secret ? ["identity.json"] : [];
        if (vol.secret && !names.includes(rel)) return undefined;
        const fsGroup = pod.securityContext?.fsGroup;
        // kubernetes pkg/volume/volume_linux.go: with an fsGroup the kubelet chowns to it and ORs in 0440 (read-only volumes).
        const mode = fsGroup === undefined ? (src.defaultMode ?? 0o644) : (src.defaultMode ?? 0o644) | 0o440;
        return { volume: vol, group: fsGroup, mode };
    }
    return undefined;
}

/** Whether the container's effective user can read the file: group read through fsGroup, or other read. Owner is root. */
function canRead(pod: Pod, c: Container, path: string): boolean {
    const f = fileAt(pod, c, path);
    if (!f) return false;
    const e = effective(pod, c);
    if (e.group !== undefined && e.group === f.group && (f.mode & 0o040)) return true;
    return (f.mode & 0o004) !== 0;
}

describe("workload contracts", function () {
    let mocks: RecordingMocks;
    const pods: Record<string, Pod> = {};
    let dockerContainer: Record<string, any>;
    const configs: Record<string, any> = {};

    before(async function () {
        mocks = await useMocks("unit");
        const c = await import("../../components");
        const k8s = await import("@pulumi/kubernetes");
        const provider = (n: string) => new k8s.Provider(`${n}-k8s`, { renderYamlToDirectory: `rendered/unit/${n}` });
        const kubeA = new c.HybridCluster("kubeA", { flavor: "article", provider: provider("kubeA") });
        const kubeB = new c.DarkCluster("kubeB", { flavor: "article", provider: provider("kubeB") });
        const hub = new c.CentralPrometheus("hub", { flavor: "article", clusters: targets, placement: { kind: "kubernetes", provider: provider("hub") } });
        const dock = new c.CentralPrometheus("dock", { flavor: "article", clusters: targets, placement: { kind: "docker" } });
        await Promise.all([kubeA, kubeB, hub, dock].map(x => valueOf(x.prometheusConfig)));
        await mocks.settled();
        for (const d of mocks.ofType(DEPLOYMENT)) pods[d.name] = unsecret(d.inputs.spec.template.spec);
        for (const m of mocks.ofType(CONFIGMAP)) configs[m.name] = YAML.parse(m.inputs.data["prometheus.yml"]);
        dockerContainer = unsecret(mocks.one(DOCKER_CONTAINER, "dock-prometheus").inputs);
    });

    const container = (pod: string, name: string): Container => {
        const c = pods[pod].containers.find((x: Container) => x.name === name);
        assert.ok(c, `${pod} has a container ${name}: ${pods[pod].containers.map((x: Container) => x.name).join(", ")}`);
        return c;
    };

    it("makes exactly the expected pods", function () {
        assert.deepStrictEqual(Object.keys(pods).sort(), [
            "hub-prometheus", "kubeA-prometheus", "kubeA-reflectz-deployment", "kubeA-ziti-host", "kubeB-prometheus", "kubeB-reflectz-deployment",
        ]);
    });

    describe("each container runs what its image expects", function () {
        it(`ClusterA Prometheus: ${ARTICLE_IMAGES.prometheus} as nobody, on the pod IP's 9090, config /etc/config, TSDB /prometheus`, function () {
            const p = container("kubeA-prometheus", "prometheus");
            assert.strictEqual(p.image, ARTICLE_IMAGES.prometheus);
            assert.deepStrictEqual(effective(pods["kubeA-prometheus"], p), { user: 65534, group: 65534, nonRoot: true });
            assert.deepStrictEqual(p.args, [
                "--config.file=/etc/config/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=15d",
                "--web.console.libraries=/etc/prometheus/console_libraries",
                "--web.console.templates=/etc/prometheus/consoles",
                "--web.enable-lifecycle",
                "--web.listen-address=0.0.0.0:9090",
            ]);
            assert.strictEqual(p.env, undefined, "no ZITI_LISTENER_*: the TCP listener stays");
            assert.deepStrictEqual(p.ports, [{ name: "web", containerPort: 9090 }]);
            assert.deepStrictEqual([p.readinessProbe.httpGet, p.livenessProbe.httpGet], [{ path: "/-/ready", port: 9090 }, { path: "/-/healthy", port: 9090 }]);
            assert.deepStrictEqual(p.volumeMounts.map((m: any) => [m.mountPath, m.readOnly ?? false]), [
                ["/etc/config", true], ["/etc/ziti", true], ["/prometheus", false], ["/var/run/secrets/kubernetes.io/serviceaccount", true],
            ]);
            assert.strictEqual(pods["kubeA-prometheus"].volumes.find((v: any) => v.name === "storage").emptyDir !== undefined, true);
        });

        it("ClusterA reload: jimmidyson/configmap-reload:v0.5.0 watching /etc/config, POSTing 127.0.0.1:9090, metrics on loopback", function () {
            const r = container("kubeA-prometheus", "configmap-reload");
            assert.strictEqual(r.image, ARTICLE_IMAGES.configmapReload);
            assert.deepStrictEqual(r.args, ["--volume-dir=/etc/config", "--webhook-url=http://127.0.0.1:9090/-/reload", "--web.listen-address=127.0.0.1:9533"]);
            assert.deepStrictEqual(effective(pods["kubeA-prometheus"], r), { user: 65534, group: 65534, nonRoot: true });
            assert.deepStrictEqual(r.volumeMounts, [{ name: "config", mountPath: "/etc/config", readOnly: true }], "no identity, no token");
            assert.strictEqual(r.ports, undefined);
        });

        it("ClusterB Prometheus: listens only on Ziti (ZITI_LISTENER_*), the TCP address on loopback, no port, no probe", function () {
            const p = container("kubeB-prometheus", "prometheus");
            assert.strictEqual(p.image, ARTICLE_IMAGES.prometheus);
            assert.deepStrictEqual(envOf(p), {
                ZITI_LISTENER_SERVICE_NAME: "kubeB.prometheus.svc",
                ZITI_LISTENER_IDENTITY_FILE: "/etc/ziti/identity.json",
                ZITI_LISTENER_IDENTITY_NAME: "kubeB.prometheus.id",
            });
            assert.deepStrictEqual(flag(p, "--web.listen-address"), ["127.0.0.1:9090"]);
            assert.deepStrictEqual(flag(p, "--config.file"), ["/etc/config/prometheus.yml"]);
            assert.strictEqual(p.ports, undefined);
            assert.strictEqual(p.readinessProbe, undefined);
            assert.strictEqual(p.livenessProbe, undefined);
        });

        it("ClusterB reload: openziti/configmap-reloadz:latest-amd64 dialling kubeB.prometheus.svc at kubeB.prometheus.id", function () {
            const r = container("kubeB-prometheus", "configmap-reload");
            assert.strictEqual(r.image, ARTICLE_IMAGES.zitiConfigmapReload);
            assert.deepStrictEqual(r.args, [
                "--volume-dir=/etc/config",
                "--webhook-url=http://127.0.0.1:9090/-/reload",
                "--web.listen-address=127.0.0.1:9533",
                "--ziti.identity.file=/etc/ziti/identity.json",
                "--ziti.service=kubeB.prometheus.svc",
                "--ziti.target.identity=kubeB.prometheus.id",
            ]);
            assert.deepStrictEqual(effective(pods["kubeB-prometheus"], r), { user: 65534, group: 65534, nonRoot: true });
        });

        it("central Prometheus on Kubernetes: dark like ClusterB, as hub.prometheus.svc / hub.prometheus.id", function () {
            const p = container("hub-prometheus", "prometheus");
            assert.deepStrictEqual(envOf(p), {
                ZITI_LISTENER_SERVICE_NAME: "hub.prometheus.svc",
                ZITI_LISTENER_IDENTITY_FILE: "/etc/ziti/identity.json",
                ZITI_LISTENER_IDENTITY_NAME: "hub.prometheus.id",
            });
            assert.deepStrictEqual(flag(p, "--web.listen-address"), ["127.0.0.1:9090"]);
            const r = container("hub-prometheus", "configmap-reload");
            assert.deepStrictEqual([flag(r, "--ziti.service"), flag(r, "--ziti.target.identity")], [["hub.prometheus.svc"], ["hub.prometheus.id"]]);
        });

        it("reflectz: nfnpieros/reflect:0.0.4 as uid/gid 1000, IDENTITY_FILE / SERVICE_NAME / PROMETHEUS_SERVICE_NAME, no port", function () {
            for (const c of ["kubeA", "kubeB"]) {
                const pod = pods[`${c}-reflectz-deployment`];
                const r = container(`${c}-reflectz-deployment`, "reflectz");
                assert.strictEqual(r.image, ARTICLE_IMAGES.reflectz);
                assert.deepStrictEqual(effective(pod, r), { user: 1000, group: 1000, nonRoot: true });
                assert.deepStrictEqual(envOf(r), {
                    IDENTITY_FILE: "/identity/reflect-server.json",
                    SERVICE_NAME: `${c}.reflect.svc`,
                    PROMETHEUS_SERVICE_NAME: `${c}.reflect.scrape.svc`,
                });
                assert.ok(!("ZITI_IDENTITY_FILE" in envOf(r)) && !("REFLECT_SERVICE_NAME" in envOf(r)));
                assert.strictEqual(r.ports, undefined);
                assert.strictEqual(r.args, undefined, "the image's CMD passes the env to ./reflect server");
            }
        });

        it("tunneler: openziti/ziti-host:1.12.0 run-host as nobody:ziti (65534:2171), identity at /ziti-edge-tunnel/ziti_id.json", function () {
            const pod = pods["kubeA-ziti-host"];
            const t = container("kubeA-ziti-host", "ziti-host");
            assert.strictEqual(t.image, ARTICLE_IMAGES.tunneler);
            assert.deepStrictEqual(t.args, ["run-host"]);
            assert.deepStrictEqual(envOf(t), { ZITI_IDENTITY_BASENAME: "ziti_id" });
            assert.deepStrictEqual(effective(pod, t), { user: 65534, group: 2171, nonRoot: true });
            assert.deepStrictEqual(t.volumeMounts.map((m: any) => m.mountPath), ["/ziti-edge-tunnel", "/tmp"]);
            assert.deepStrictEqual(pod.volumes.find((v: any) => v.name === "tmp"), { name: "tmp", emptyDir: {} }, "IPC sockets go to /tmp/.ziti");
            assert.strictEqual(t.ports, undefined);
        });

        it("central Prometheus on Docker: the dark pod's arguments, env, paths and user; no port, no host network", function () {
            const d = dockerContainer;
            assert.strictEqual(d.image, ARTICLE_IMAGES.prometheus);
            assert.strictEqual(d.user, "65534:65534");
            assert.deepStrictEqual(d.command, [
                "--config.file=/etc/config/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=15d",
                "--web.console.libraries=/etc/prometheus/console_libraries",
                "--web.console.templates=/etc/prometheus/consoles",
                "--web.enable-lifecycle",
                "--web.listen-address=127.0.0.1:9090",
            ]);
            assert.deepStrictEqual(d.command, container("hub-prometheus", "prometheus").args, "the same arguments as the dark pod");
            assert.deepStrictEqual(d.envs, [
                "ZITI_LISTENER_SERVICE_NAME=dock.prometheus.svc",
                "ZITI_LISTENER_IDENTITY_FILE=/etc/ziti/identity.json",
                "ZITI_LISTENER_IDENTITY_NAME=dock.prometheus.id",
            ]);
            assert.deepStrictEqual(d.uploads.map((u: any) => [u.file, u.permissions]), [["/etc/config/prometheus.yml", "0444"], ["/etc/ziti/identity.json", "0444"]]);
            assert.deepStrictEqual(d.capabilities, { drops: ["ALL"] });
            assert.deepStrictEqual(d.securityOpts, ["no-new-privileges"]);
            assert.strictEqual(d.ports, undefined);
            assert.ok(d.networkMode === undefined || d.networkMode !== "host");
        });
    });

    describe("restricted Pod Security", function () {
        it("labels every namespace pod-security.kubernetes.io/enforce: restricted", function () {
            const namespaces = mocks.ofType(NAMESPACE);
            assert.deepStrictEqual(namespaces.map(n => n.name).sort(), ["hub-ns", "kubeA-ns", "kubeB-ns"]);
            for (const n of namespaces) assert.strictEqual(n.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted", n.name);
        });

        it("every pod meets the restricted profile", function () {
            for (const [name, pod] of Object.entries(pods)) assert.deepStrictEqual(restrictedViolations(pod), [], name);
        });

        it("the check refuses a pod that misses any one rule (so it can fail)", function () {
            const base = pods["kubeB-reflectz-deployment"];
            const broken = [
                (p: Pod) => { p.containers[0].securityContext.allowPrivilegeEscalation = true; },
                (p: Pod) => { p.containers[0].securityContext.capabilities = { drop: ["NET_RAW"] }; },
                (p: Pod) => { delete p.securityContext.seccompProfile; },
                (p: Pod) => { p.securityContext.runAsNonRoot = false; p.containers[0].securityContext.runAsNonRoot = false; },
                (p: Pod) => { p.securityContext.runAsUser = 0; },
                (p: Pod) => { p.volumes.push({ name: "host", hostPath: { path: "/" } }); },
                (p: Pod) => { p.hostNetwork = true; },
            ];
            for (const [i, breakIt] of broken.entries()) {
                const p = JSON.parse(JSON.stringify(base));
                breakIt(p);
                assert.notDeepStrictEqual(restrictedViolations(p), [], `mutation ${i}`);
            }
        });

        it("keeps the root filesystem read-only in every container, with /prometheus and /tmp as emptyDirs where they write", function () {
            for (const [name, pod] of Object.entries(pods)) {
                for (const c of pod.containers) assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true, `${name}/${c.name}`);
            }
        });

        it("mounts a service-account token only into the cluster Prometheus containers, which read the Kubernetes API", function () {
            const tokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";
            for (const [name, pod] of Object.entries(pods)) {
                assert.strictEqual(pod.automountServiceAccountToken, false, `${name}: no pod-wide token`);
                for (const c of pod.containers) {
                    const reads = !!fileAt(pod, c, tokenPath);
                    const should = (name === "kubeA-prometheus" || name === "kubeB-prometheus") && c.name === "prometheus";
                    assert.strictEqual(reads, should, `${name}/${c.name} token`);
                    if (should) assert.ok(canRead(pod, c, tokenPath), `${name}/${c.name} can read its token`);
                }
            }
            assert.strictEqual(pods["kubeA-prometheus"].serviceAccountName, "prometheus");
            assert.strictEqual(pods["hub-prometheus"].serviceAccountName, undefined);
            // The Kubernetes jobs read the projected files.
            const api = configs["kubeA-prometheus-config"].scrape_configs.find((j: any) => j.job_name === "kubernetes-apiservers");
            assert.deepStrictEqual([api.authorization.credentials_file, api.tls_config.ca_file],
                [tokenPath, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"]);
        });
    });

    describe("dark in fact", function () {
        const darkPods = ["kubeB-prometheus", "kubeB-reflectz-deployment", "hub-prometheus"];

        it("no container in a dark place declares a port or a pod-IP listen address, and none uses the host network", function () {
            for (const name of darkPods) {
                const pod = pods[name];
                assert.ok(!pod.hostNetwork, name);
                for (const c of pod.containers) {
                    assert.strictEqual(c.ports, undefined, `${name}/${c.name} ports`);
                    for (const addr of flag(c, "--web.listen-address")) assert.match(addr, /^127\.0\.0\.1:/, `${name}/${c.name} listens on ${addr}`);
                    assert.strictEqual(c.readinessProbe ?? c.livenessProbe ?? c.startupProbe, undefined, `${name}/${c.name} probe`);
                }
            }
            assert.deepStrictEqual(flag(dockerContainer, "--web.listen-address"), ["127.0.0.1:9090"]);
        });

        it("every reload sidecar binds its metrics listener (default :9533) to loopback", function () {
            for (const name of ["kubeA-prometheus", "kubeB-prometheus", "hub-prometheus"]) {
                assert.deepStrictEqual(flag(container(name, "configmap-reload"), "--web.listen-address"), ["127.0.0.1:9533"], name);
            }
        });

        it("ClusterA keeps exactly one listener on the pod IP: Prometheus' 9090", function () {
            const listeners: string[] = [];
            for (const name of ["kubeA-prometheus", "kubeA-reflectz-deployment", "kubeA-ziti-host"]) {
                for (const c of pods[name].containers) {
                    for (const p of c.ports ?? []) listeners.push(`${name}/${c.name}:${p.containerPort}`);
                    for (const a of flag(c, "--web.listen-address")) if (!a.startsWith("127.0.0.1:")) listeners.push(`${name}/${c.name}@${a}`);
                }
            }
            assert.deepStrictEqual(listeners.sort(), ["kubeA-prometheus/prometheus:9090", "kubeA-prometheus/prometheus@0.0.0.0:9090"]);
        });
    });

    describe("identity files", function () {
        /** Each container that uses an identity, and the file it reads (from its env or flags). */
        const readers: [string, string, (c: Container) => string][] = [
            ["kubeA-prometheus", "prometheus", () => "/etc/ziti/identity.json"],
            ["kubeB-prometheus", "prometheus", c => envOf(c).ZITI_LISTENER_IDENTITY_FILE],
            ["kubeB-prometheus", "configmap-reload", c => flag(c, "--ziti.identity.file")[0]],
            ["hub-prometheus", "prometheus", c => envOf(c).ZITI_LISTENER_IDENTITY_FILE],
            ["hub-prometheus", "configmap-reload", c => flag(c, "--ziti.identity.file")[0]],
            ["kubeA-reflectz-deployment", "reflectz", c => envOf(c).IDENTITY_FILE],
            ["kubeB-reflectz-deployment", "reflectz", c => envOf(c).IDENTITY_FILE],
            // docker-entrypoint.sh: ${ZITI_IDENTITY_DIR:-/ziti-edge-tunnel}/${ZITI_IDENTITY_BASENAME}.json
            ["kubeA-ziti-host", "ziti-host", c => `/ziti-edge-tunnel/${envOf(c).ZITI_IDENTITY_BASENAME}.json`],
        ];

        it("each is where the container reads it, mode 0440, group = the pod's fsGroup = the container's group", function () {
            for (const [pod, name, pathOf] of readers) {
                const c = container(pod, name);
                const path = pathOf(c);
                const f = fileAt(pods[pod], c, path);
                assert.ok(f, `${pod}/${name} mounts ${path}`);
                assert.ok(f!.volume.secret, `${pod}/${name}: ${path} comes from a Secret`);
                assert.strictEqual(f!.volume.secret.defaultMode, 0o440, `${pod}/${name} defaultMode`);
                assert.strictEqual(f!.mode & 0o007, 0, `${pod}/${name}: others cannot read ${path}`);
                assert.strictEqual(f!.group, effective(pods[pod], c).group, `${pod}/${name}: fsGroup is the container's group`);
                assert.ok(canRead(pods[pod], c, path), `${pod}/${name} can read ${path}`);
            }
        });

        it("the expected files: Prometheus /etc/ziti/identity.json, reflectz /identity/reflect-server.json, ziti-host /ziti-edge-tunnel/ziti_id.json", function () {
            const files = readers.map(([pod, name, pathOf]) => `${pod}/${name} ${pathOf(container(pod, name))}`);
            assert.deepStrictEqual(files, [
                "kubeA-prometheus/prometheus /etc/ziti/identity.json",
                "kubeB-prometheus/prometheus /etc/ziti/identity.json",
                "kubeB-prometheus/configmap-reload /etc/ziti/identity.json",
                "hub-prometheus/prometheus /etc/ziti/identity.json",
                "hub-prometheus/configmap-reload /etc/ziti/identity.json",
                "kubeA-reflectz-deployment/reflectz /identity/reflect-server.json",
                "kubeB-reflectz-deployment/reflectz /identity/reflect-server.json",
                "kubeA-ziti-host/ziti-host /ziti-edge-tunnel/ziti_id.json",
            ]);
        });

        it("no container mounts an identity it does not read (the ClusterA reload has none)", function () {
            for (const [name, pod] of Object.entries(pods)) {
                const identityVolumes = pod.volumes.filter((v: any) => v.secret).map((v: any) => v.name);
                for (const c of pod.containers) {
                    const mounted = (c.volumeMounts ?? []).some((m: any) => identityVolumes.includes(m.name));
                    const reads = readers.some(([p, n]) => p === name && n === c.name);
                    assert.strictEqual(mounted, reads, `${name}/${c.name}`);
                }
            }
        });

        it("a pod without fsGroup, or with another group, could not read them (the check can fail)", function () {
            const pod = JSON.parse(JSON.stringify(pods["kubeA-reflectz-deployment"]));
            const c = pod.containers[0];
            delete pod.securityContext.fsGroup;
            assert.ok(!canRead(pod, c, "/identity/reflect-server.json"), "root-owned 0440 without fsGroup");
            pod.securityContext.fsGroup = 2000;
            assert.ok(!canRead(pod, c, "/identity/reflect-server.json"), "group 2000, user in group 1000");
        });

        it("the scrape jobs name the same file Prometheus mounts: params.ziti-config /etc/ziti/identity.json", function () {
            for (const [name, cfg] of Object.entries(configs)) {
                for (const job of cfg.scrape_configs.filter((j: any) => j.scheme === "ziti")) {
                    assert.deepStrictEqual(job.params["ziti-config"], ["/etc/ziti/identity.json"], `${name} ${job.job_name}`);
                }
            }
            const uploaded = Object.fromEntries(dockerContainer.uploads.map((u: any) => [u.file, u.content]));
            const dockCfg = YAML.parse(uploaded["/etc/config/prometheus.yml"]);
            assert.ok(dockCfg.scrape_configs.every((j: any) => j.params["ziti-config"][0] === "/etc/ziti/identity.json"));
            assert.ok(JSON.parse(uploaded["/etc/ziti/identity.json"]).id.key, "the identity is uploaded where the env says");
        });
    });

    describe("image overrides", function () {
        it("`images` replaces each pinned image in its container", async function () {
            mocks = await useMocks("unit");
            const c = await import("../../components");
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("kubeO-k8s", { renderYamlToDirectory: "rendered/unit/kubeO" });
            const images = {
                prometheus: "registry.example/prometheuz@sha256:1", configmapReload: "registry.example/reload:1",
                zitiConfigmapReload: "registry.example/reloadz:1", reflectz: "registry.example/reflect:1", tunneler: "registry.example/ziti-host:1",
            };
            const o = new c.HybridCluster("kubeO", { flavor: "article", provider, images });
            const p = new c.DarkCluster("kubeP", { flavor: "article", provider, images, namespace: "monitoring2" });
            await Promise.all([valueOf(o.prometheusConfig), valueOf(p.prometheusConfig)]);
            await mocks.settled();
            const img = (d: string, n: string) => unsecret(mocks.one(DEPLOYMENT, d).inputs.spec.template.spec).containers.find((x: any) => x.name === n).image;
            assert.deepStrictEqual(
                [img("kubeO-prometheus", "prometheus"), img("kubeO-prometheus", "configmap-reload"), img("kubeP-prometheus", "configmap-reload"),
                    img("kubeO-reflectz-deployment", "reflectz"), img("kubeO-ziti-host", "ziti-host")],
                [images.prometheus, images.configmapReload, images.zitiConfigmapReload, images.reflectz, images.tunneler]);
        });
    });
});
