// The seed's resource graph for the floor program (bench/floor/index.js), read from a stack's checkpoint: each
// resource but the stack and the default providers, in checkpoint order (the engine writes it in a dependency-safe
// order), with its URN, type, name, parent, dependencies and whether it is custom. Explicit providers (one
// Kubernetes provider per cluster) count as resources: the program registers them as such.
import * as fs from "fs";

export interface FloorResource { urn: string; type: string; name: string; custom: boolean; parent?: string; dependencies: string[] }
export interface FloorGraph { resources: FloorResource[]; custom: number; components: number; depth: number }

export function floorGraph(checkpointFile: string): FloorGraph {
    const doc = JSON.parse(fs.readFileSync(checkpointFile, "utf8"));
    const all: any[] = doc.checkpoint?.latest?.resources ?? [];
    const isDefaultProvider = (r: any) => String(r.type).startsWith("pulumi:providers:") && String(r.urn).split("::").pop()!.startsWith("default");
    const kept = all.filter(r => r.type !== "pulumi:pulumi:Stack" && !isDefaultProvider(r));
    const keep = new Set(kept.map(r => r.urn));
    const resources = kept.map(r => ({
        urn: r.urn as string, type: r.type as string, name: String(r.urn).split("::").pop()!, custom: !!r.custom,
        ...(r.parent && keep.has(r.parent) ? { parent: r.parent as string } : {}),
        dependencies: ((r.dependencies ?? []) as string[]).filter(d => keep.has(d)),
    }));
    // Dependency depth: the longest chain of custom resources (what the engine must do one after the other).
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const memo = new Map<string, number>();
    const depthOf = (urn: string): number => {
        if (memo.has(urn)) return memo.get(urn)!;
        const r = byUrn.get(urn)!;
        const d = (r.custom ? 1 : 0) + Math.max(0, ...r.dependencies.map(depthOf));
        memo.set(urn, d);
        return d;
    };
    return { resources, custom: resources.filter(r => r.custom).length, components: resources.filter(r => !r.custom).length, depth: Math.max(0, ...resources.map(r => depthOf(r.urn))) };
}
