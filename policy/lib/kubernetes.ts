// Kubernetes type tokens, object identity, and Service fields.
import { Subject, at, isObject, joinPath } from "./rule";
import { Plain, PlainObject, UNKNOWN, isUnknown } from "./unknown";

export interface KubeType {
    /** `core`, `apps`, `networking.k8s.io`, ... */
    group: string;
    version: string;
    /** The token's kind, e.g. `ServicePatch`. */
    token: string;
    /** The Kubernetes kind, without `Patch`/`List`: `Service`. */
    kind: string;
    patch: boolean;
    list: boolean;
}

/** `kubernetes:core/v1:ServicePatch` -> { group: core, version: v1, kind: Service, patch: true }. */
export function parseKubeType(type: string): KubeType | undefined {
    const parts = type.split(":");
    if (parts.length !== 3 || parts[0] !== "kubernetes") {
        return undefined;
    }
    let module = parts[1];
    if (!module.includes("/") && /^v\d+((alpha|beta)\d+)?$/.test(module)) {
        // `new CustomResource(n, {apiVersion: "v1", kind})` registers `kubernetes:v1:<kind>`: the core group.
        module = `core/${module}`;
    }
    const slash = module.lastIndexOf("/");
    if (slash < 0) {
        return undefined; // kubernetes:yaml:ConfigFile and other components
    }
    const token = parts[2];
    const patch = token.endsWith("Patch");
    const list = !patch && token.endsWith("List");
    const kind = patch ? token.slice(0, -"Patch".length) : list ? token.slice(0, -"List".length) : token;
    return { group: module.slice(0, slash), version: module.slice(slash + 1), token, kind, patch, list };
}

/** The objects a resource carries: itself, or the items of a `*List`. */
export function objectsOf(kt: KubeType, props: PlainObject, unknown: (path: string) => void): { obj: PlainObject; path: string }[] {
    if (!kt.list) {
        return [{ obj: props, path: "" }];
    }
    const items = props.items;
    if (isUnknown(items)) {
        unknown("items");
        return [];
    }
    if (!Array.isArray(items)) {
        return [];
    }
    const out: { obj: PlainObject; path: string }[] = [];
    items.forEach((item, i) => {
        if (isUnknown(item)) {
            unknown(`items[${i}]`);
        } else if (isObject(item)) {
            out.push({ obj: item, path: `items[${i}]` });
        }
    });
    return out;
}

/**
 * `namespace/name` of a Kubernetes object. The namespace defaults to the provider's namespace, then
 * `default`; the name defaults to the Pulumi resource name (the provider auto-names from it).
 */
export function kubeSubject(args: { type: string; name: string; props: PlainObject; providerNamespace?: string }): Subject {
    const kt = parseKubeType(args.type);
    const what = kt ? kt.token : args.type.split(":").pop() ?? args.type;
    const ns = at(args.props, ["metadata", "namespace"]);
    const name = at(args.props, ["metadata", "name"]);
    if (isUnknown(ns) || isUnknown(name) || isUnknown(args.props.metadata)) {
        return {
            label: `${what} '${args.name}'`,
            id: UNKNOWN,
            idPath: isUnknown(name) ? "metadata.name" : isUnknown(ns) ? "metadata.namespace" : "metadata",
        };
    }
    const id = `${typeof ns === "string" && ns ? ns : args.providerNamespace ?? "default"}/${typeof name === "string" && name ? name : args.name}`;
    return { label: `${what} '${id}'`, id };
}

// Pod specs are found by shape, not by kind: lib/shapes.ts.

// ---- Services ------------------------------------------------------------------------------------

export function isService(type: string): KubeType | undefined {
    const kt = parseKubeType(type);
    return kt && kt.group === "core" && kt.kind === "Service" ? kt : undefined;
}

/** `spec.<field>` of every Service object a resource carries (the Service, its patch, or a list's items). */
export function serviceField(
    type: string,
    props: PlainObject,
    field: string,
    unknown: (path: string) => void,
): { value: Plain | undefined; path: string }[] {
    const kt = isService(type);
    if (!kt) {
        return [];
    }
    const out: { value: Plain | undefined; path: string }[] = [];
    for (const { obj, path } of objectsOf(kt, props, unknown)) {
        const spec = obj.spec;
        const specPath = joinPath(path, "spec");
        if (isUnknown(spec)) {
            unknown(specPath);
            continue;
        }
        const value = at(obj, ["spec", field]);
        const fieldPath = joinPath(specPath, field);
        if (isUnknown(value)) {
            unknown(fieldPath);
            continue;
        }
        out.push({ value, path: fieldPath });
    }
    return out;
}
