// Which nodes the local clusters of `npm start -- --clusters local` get: real ones (kubelet, containerd: this folder)
// wherever they can run and the stack's pods could start on them, kwok's simulated ones otherwise, with the reason in
// one line. Real nodes need Linux, root, network namespaces, cgroup v1 hierarchies (the kubelet's cgroupfs driver
// under a cgroupRoot of the run's, cgroups.ts), the Debian tools of scripts/ensure-node-deps.sh and the node binaries
// of `scripts/tools.sh node`. Pods can start only when every image of the stack's flavor is built here
// (images/catalog.ts); otherwise Pulumi's Deployment awaits would wait for images that never come and fail.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FLAVORS, DEFAULT_FLAVOR } from "../../../flavors";
import { catalogImage } from "../images/catalog";
import { v1Hierarchies } from "./cgroups";

export type NodesChoice = "real" | "kwok";

function onPath(cmd: string): boolean {
    return (process.env.PATH ?? "").split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** Why this machine cannot run real nodes, in one line (what is missing and how to get it); undefined when it can. */
export function whyNoRealNodes(nodeBinaries: () => unknown): string | undefined {
    if (process.platform !== "linux") return `real nodes need Linux (this is ${process.platform})`;
    if (process.getuid?.() !== 0) return "real nodes need root (network namespaces, cgroups, mounts)";
    for (const cmd of ["ip", "unshare", "nsenter", "socat", "runc", "iptables"]) {
        if (!onPath(cmd)) return `\`${cmd}\` is missing (bash scripts/ensure-node-deps.sh installs it)`;
    }
    for (const f of ["/usr/lib/cni/bridge", "/usr/lib/cni/host-local", "/usr/lib/cni/loopback", "/usr/bin/catatonit"]) {
        if (!fs.existsSync(f)) return `${f} is missing (bash scripts/ensure-node-deps.sh installs it)`;
    }
    if (!v1Hierarchies().length) return "no cgroup v1 hierarchy is mounted (the nodes run under cgroup v1 with the cgroupfs driver)";
    const probe = `saprobe${process.pid}`;
    const add = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
    if (add.status !== 0) return `\`ip netns add\` fails here: ${(add.stderr || "").trim().split("\n")[0]}`;
    spawnSync("ip", ["netns", "del", probe]);
    try {
        nodeBinaries();
    } catch (e) {
        return `the node binaries are missing and could not be built: ${(e as Error).message.split("\n")[0]}`;
    }
    return undefined;
}

/** The stack's images (its flavor's defaults, then `scrape-anywhere:images`) that the catalog cannot build. */
export function unbuildableImages(stackConfig: any): string[] {
    const c = stackConfig?.config ?? {};
    const flavor = String(c["scrape-anywhere:flavor"] ?? DEFAULT_FLAVOR);
    const defaults = FLAVORS[flavor]?.images ?? {};
    const images = { ...defaults, ...(c["scrape-anywhere:images"] ?? {}) } as Record<string, string>;
    const refs = [...new Set(Object.values(images))];
    return refs.filter((r) => {
        const img = catalogImage(r);
        return !img || !!img.unavailable;
    });
}

/**
 * The nodes for `requested` (`auto`: real when the machine can run them and every image of the stack is built here).
 * `why` says in one line why kwok was chosen over real nodes.
 */
export function chooseNodes(requested: NodesChoice | "auto", stackConfig: any, machine: () => string | undefined): { nodes: NodesChoice; why?: string } {
    if (requested !== "auto") return { nodes: requested };
    const missing = unbuildableImages(stackConfig);
    if (missing.length) {
        const flavor = String(stackConfig?.config?.["scrape-anywhere:flavor"] ?? DEFAULT_FLAVOR);
        return { nodes: "kwok", why: `kwok nodes: ${missing.length} image(s) of the ${flavor} flavor cannot be built here (${missing.join(", ")}: scripts/lib/images/catalog.ts), so its pods could never start on a real node; \`--nodes real\` runs them anyway` };
    }
    const no = machine();
    return no ? { nodes: "kwok", why: `kwok nodes: ${no}` } : { nodes: "real" };
}
