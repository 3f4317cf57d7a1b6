// Pod specs found by shape, not by kind: any resource's inputs, at any depth. Rollout controllers (Argo
// Rollouts `spec.template`), workflow engines (Argo Workflows `spec.templates[*].container`, WorkflowSpec
// `hostNetwork`), job sets (JobSet `spec.replicatedJobs[*].template.spec.template.spec`), operators whose
// CRs carry pod fields (prometheus-operator `Prometheus.spec.hostNetwork`) and Helm values all embed the
// Kubernetes PodSpec's own field names, so the walk looks for those names wherever they are.
import { isObject, joinPath } from "./rule";
import { Plain, PlainObject, isUnknown } from "./unknown";

/** The PodSpec's container lists (k8s.io/api core/v1 types.go PodSpec). */
export const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"];

/** Keys whose unknown value may hide a pod spec or one of its host fields: the walk says so instead of passing. */
const POD_KEYS = new Set([...CONTAINER_LISTS, "template", "jobTemplate", "podTemplate", "hostNetwork", "ports", "hostPort", "container"]);

/** Deeper than any real manifest; stops a cyclic or absurd input from running away. */
const MAX_DEPTH = 64;

export interface HostNetworkAt {
    path: string;
}

export interface HostPortAt {
    path: string;
    hostPort: Plain;
    containerPort: Plain | undefined;
    /** The container's `name`, when the port sits in a named container. */
    container?: string;
}

export interface PodSpecAt {
    spec: PlainObject;
    path: string;
    /** The pod's metadata: the `metadata` next to the spec (a Pod, or a pod template). */
    metadata?: PlainObject;
    metadataPath?: string;
}

export interface Shapes {
    hostNetworks: HostNetworkAt[];
    hostPorts: HostPortAt[];
    podSpecs: PodSpecAt[];
}

/** Whether an object looks like a PodSpec: it has one of the container lists as a list (or unknown). */
function isPodSpec(obj: PlainObject): boolean {
    return CONTAINER_LISTS.some((k) => Array.isArray(obj[k]) || (k === "containers" && isUnknown(obj[k])));
}

/**
 * Every `hostNetwork: true`, every container port with a non-zero `hostPort` (an object with `hostPort`
 * and `containerPort`, the ContainerPort shape), and every PodSpec, anywhere under `root`. Unknown values
 * under the PodSpec's key names are recorded through `unknown`.
 */
export function findShapes(root: Plain, unknown: (path: string) => void): Shapes {
    const out: Shapes = { hostNetworks: [], hostPorts: [], podSpecs: [] };
    const walk = (value: Plain, path: string, depth: number, container: string | undefined): void => {
        if (depth > MAX_DEPTH || value === null || typeof value !== "object" || isUnknown(value)) {
            return;
        }
        if (Array.isArray(value)) {
            value.forEach((item, i) => {
                const p = joinPath(path, i);
                if (isUnknown(item)) {
                    if (POD_KEYS.has(lastKey(path))) unknown(p);
                    return;
                }
                const name = isObject(item) && CONTAINER_LISTS.includes(lastKey(path)) && typeof item.name === "string" ? item.name : container;
                walk(item, p, depth + 1, name);
            });
            return;
        }
        const obj = value as PlainObject;
        if (isPodSpec(obj)) {
            out.podSpecs.push({ spec: obj, path });
        }
        if ("hostPort" in obj && "containerPort" in obj) {
            const hostPort = obj.hostPort;
            if (isUnknown(hostPort)) {
                unknown(joinPath(path, "hostPort"));
            } else if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
                out.hostPorts.push({ path: joinPath(path, "hostPort"), hostPort, containerPort: obj.containerPort, ...(container ? { container } : {}) });
            }
        }
        for (const [key, v] of Object.entries(obj)) {
            const p = joinPath(path, key);
            if (isUnknown(v)) {
                if (POD_KEYS.has(key)) unknown(p);
                continue;
            }
            if (key === "hostNetwork") {
                if (v === true) out.hostNetworks.push({ path: p });
                continue;
            }
            const name = key === "container" && isObject(v) && typeof v.name === "string" ? v.name : container;
            walk(v, p, depth + 1, name);
        }
    };
    walk(root, "", 0, undefined);
    // A pod's metadata sits next to its spec: `{metadata, spec: <PodSpec>}` (a Pod, a pod template).
    for (const ps of out.podSpecs) {
        if (lastKey(ps.path) !== "spec") continue;
        const parentPath = ps.path.slice(0, Math.max(0, ps.path.length - "spec".length - 1));
        const parent = parentPath === "" ? root : valueAt(root, parentPath);
        if (isObject(parent) && isObject(parent.metadata)) {
            ps.metadata = parent.metadata;
            ps.metadataPath = joinPath(parentPath, "metadata");
        }
    }
    return out;
}

function lastKey(path: string): string {
    const m = /(?:^|\.)([^.[\]]+)(?:\[\d+\])*$/.exec(path);
    return m ? m[1] : "";
}

/** The value at a path written by joinPath (`a.b[0].c`). */
function valueAt(root: Plain, path: string): Plain | undefined {
    let cur: Plain | undefined = root;
    for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
        if (cur === null || cur === undefined || typeof cur !== "object" || isUnknown(cur)) return undefined;
        cur = part.startsWith("[") ? (Array.isArray(cur) ? cur[Number(part.slice(1, -1))] : undefined) : Array.isArray(cur) ? undefined : (cur as PlainObject)[part];
    }
    return cur;
}
