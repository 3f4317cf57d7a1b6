// The configuration files of one node, as text (pure functions of the node's plan; node.ts writes them).
// Each key is named as upstream spells it; the source of each choice is in the comment next to it.
import * as path from "path";
import * as YAML from "yaml";
import { CLUSTER_DOMAIN, KUBELET_PORT, NodePlan, SERVICE_CIDR } from "./plan";

/** Where a node keeps each thing, under its directory. */
export function nodePaths(p: NodePlan) {
    const d = p.dir;
    return {
        containerdRoot: path.join(d, "containerd", "root"),
        containerdState: path.join(d, "containerd", "state"),
        containerdSock: path.join(d, "containerd.sock"),
        containerdConfig: path.join(d, "containerd.toml"),
        runcRoot: path.join(d, "runc"),
        cniConfDir: path.join(d, "cni", "net.d"),
        cniDataDir: path.join(d, "cni", "ipam"),
        optDir: path.join(d, "opt"),
        kubeletRoot: path.join(d, "kubelet"),
        kubeletConfig: path.join(d, "kubelet.yaml"),
        kubeletKubeconfig: path.join(d, "kubelet.kubeconfig"),
        kubeProxyConfig: path.join(d, "kube-proxy.yaml"),
        kubeProxyKubeconfig: path.join(d, "kube-proxy.kubeconfig"),
        corefile: path.join(d, "Corefile"),
        /** Names CoreDNS answers outside the cluster zone (zitiReach.ts writes the Ziti network's name here). */
        hostsFile: path.join(d, "hosts"),
        /** Files bind-mounted over global /proc/sys entries inside the node's mount namespace (see sysctls.ts). */
        sysctlDir: path.join(d, "sysctl"),
        pidDir: path.join(d, "pids"),
        /**
         * The pods' logs (kubelet `podLogsDir`): not the host's /var/log/pods, where every kubelet removes the log dirs of
         * pods it does not know (kuberuntime_gc.go evictPodLogsDirectories), i.e. every other node's, run's or user's.
         */
        podLogsDir: path.join(d, "pod-logs"),
    };
}

const q = (s: string) => JSON.stringify(s);

/**
 * containerd v2.4.2 config (version 4, the layout `containerd config default` prints): every path in the node's
 * directory, no TCP/debug/metrics listener, NRI off (it would make /var/run/nri), host config imports off.
 * The CRI settings are those the feasibility run needed here (docs: real-nodes-notes): restrict_oom_score_adj
 * because root lacks CAP_SYS_RESOURCE, no AppArmor on this kernel, pod netns under the state dir.
 */
export function containerdToml(p: NodePlan, opts: { runc: string; sandboxImage: string }): string {
    const x = nodePaths(p);
    return `version = 4
root = ${q(x.containerdRoot)}
state = ${q(x.containerdState)}
imports = []
disabled_plugins = ['io.containerd.nri.v1.nri', 'io.containerd.snapshotter.v1.devmapper', 'io.containerd.snapshotter.v1.zfs',
  'io.containerd.snapshotter.v1.blockfile', 'io.containerd.snapshotter.v1.erofs', 'io.containerd.differ.v1.erofs',
  'io.containerd.snapshotter.v1.btrfs', 'io.containerd.tracing.processor.v1.otlp']

[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = ${q(opts.sandboxImage)}
  [plugins.'io.containerd.cri.v1.runtime']
    disable_apparmor = true
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    cdi_spec_dirs = []
    enable_criu = false
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = 'io.containerd.runc.v2'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = ${q(opts.runc)}
          Root = ${q(x.runcRoot)}
          SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ['/usr/lib/cni']
      conf_dir = ${q(x.cniConfDir)}
      max_conf_num = 1
      use_internal_loopback = true
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = '127.0.0.1'
    stream_server_port = '0'
  [plugins.'io.containerd.internal.v1.opt']
    path = ${q(x.optDir)}
  [plugins.'io.containerd.server.v1.debug']
    address = ''
  [plugins.'io.containerd.server.v1.grpc']
    address = ${q(x.containerdSock)}
  [plugins.'io.containerd.server.v1.grpc-tcp']
    address = ''
  [plugins.'io.containerd.server.v1.metrics']
    address = ''
  [plugins.'io.containerd.server.v1.ttrpc']
    address = ${q(x.containerdSock + ".ttrpc")}
`;
}

/** CNI: the bridge plugin (gateway on the bridge, masquerade off: pods' traffic is routed) with host-local IPAM in the node dir. */
export function cniConflist(p: NodePlan): string {
    return JSON.stringify({
        cniVersion: "1.0.0", name: "scrape-anywhere",
        plugins: [{
            type: "bridge", bridge: "cni0", isGateway: true, ipMasq: false, hairpinMode: true,
            ipam: { type: "host-local", dataDir: nodePaths(p).cniDataDir, ranges: [[{ subnet: p.podCIDR, gateway: p.bridgeIP }]], routes: [{ dst: "0.0.0.0/0" }] },
        }],
    }, null, 2);
}

/**
 * KubeletConfiguration (k8s.io/kubelet config/v1beta1 types.go, v0.37.2). This machine's facts (real-nodes-notes):
 * cgroup v1 without systemd (failCgroupV1 false, cgroupfs, a cgroupRoot of the run's own), a hard open-files limit
 * of 20000 (maxOpenFiles below it), no swap. Images are imported, never pulled or collected (GC at 100%).
 */
export function kubeletYaml(p: NodePlan, opts: { caFile: string; containerdSock: string }): string {
    return YAML.stringify({
        apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration",
        failCgroupV1: false, cgroupDriver: "cgroupfs", cgroupRoot: p.cgroupRoot, cgroupsPerQOS: true,
        address: p.nodeIP, port: KUBELET_PORT, readOnlyPort: 0, healthzBindAddress: "127.0.0.1", healthzPort: 10248,
        authentication: { anonymous: { enabled: false }, webhook: { enabled: true, cacheTTL: "30s" }, x509: { clientCAFile: opts.caFile } },
        authorization: { mode: "Webhook", webhook: { cacheAuthorizedTTL: "30s", cacheUnauthorizedTTL: "10s" } },
        containerRuntimeEndpoint: `unix://${opts.containerdSock}`,
        clusterDNS: [p.nodeIP], clusterDomain: CLUSTER_DOMAIN, resolvConf: "",
        maxOpenFiles: 10000, failSwapOn: false, rotateCertificates: false, serverTLSBootstrap: false,
        imageGCHighThresholdPercent: 100, imageGCLowThresholdPercent: 99,
        evictionHard: { "memory.available": "10Mi", "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%" },
        // The kubelet's global kernel tunables are already what it wants inside its mount namespace (sysctls.ts): "modify" changes nothing.
        protectKernelDefaults: false,
        registerNode: true, podCIDR: p.podCIDR, maxPods: 50, podLogsDir: nodePaths(p).podLogsDir,
        serializeImagePulls: false, nodeStatusReportFrequency: "10s", nodeStatusUpdateFrequency: "5s",
        syncFrequency: "10s", fileCheckFrequency: "20s", shutdownGracePeriod: "0s",
        localStorageCapacityIsolation: true,
    });
}

/**
 * KubeProxyConfiguration (k8s.io/kube-proxy config/v1alpha1, v0.37.2), iptables mode in the node namespace.
 * conntrack maxPerCore 0 / timeouts 0: leave nf_conntrack's settings alone (nf_conntrack_max is global).
 */
export function kubeProxyYaml(p: NodePlan, kubeconfig: string): string {
    return YAML.stringify({
        apiVersion: "kubeproxy.config.k8s.io/v1alpha1", kind: "KubeProxyConfiguration",
        clientConnection: { kubeconfig }, hostnameOverride: p.nodeName, mode: "iptables",
        bindAddress: p.nodeIP, healthzBindAddress: "", metricsBindAddress: "127.0.0.1:10249",
        clusterCIDR: p.podCIDR, nodePortAddresses: [`${p.nodeIP}/32`],
        conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    });
}

/**
 * CoreDNS (plugins as coredns/coredns plugin/kubernetes and plugin/hosts READMEs): the cluster zone from the API; every
 * other name only from the node's hosts file (re-read every 2 s: the Ziti network's name, once zitiReach.ts wrote it),
 * nothing forwarded out.
 */
export function corefile(p: NodePlan, kubeconfig: string): string {
    return `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 {
    bind ${p.nodeIP}
    errors
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa {
        kubeconfig ${kubeconfig} ${p.cluster}
        pods insecure
    }
    cache 5
}
.:53 {
    bind ${p.nodeIP}
    errors
    hosts ${nodePaths(p).hostsFile} {
        reload 2s
        no_reverse
    }
}
`;
}

export { SERVICE_CIDR };
