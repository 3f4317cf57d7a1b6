// Writes every Kubernetes object a flavor plans for the dev topology (kubeA hybrid, kubeB dark, central) as YAML,
// one file per flavor and place, without Pulumi: what the Kubernetes analyzer step (checkov) reads. The components
// make exactly these objects (components/workloads.ts createPlannedWorkloads); only the namespace objects, which the
// components add themselves, are written here from the same rule (`restricted` enforced).
//   npx ts-node scripts/renderFlavorManifests.ts <out dir> [flavor...]
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { networkPolicyDefault } from "../config";
import { FLAVORS } from "../flavors";
import type { CentralPlace, ClusterPlace, KubernetesObject } from "../flavors/types";

const API: Record<KubernetesObject["kind"], string> = {
    ConfigMap: "v1", Secret: "v1", Service: "v1", ServiceAccount: "v1", Deployment: "apps/v1",
    ClusterRole: "rbac.authorization.k8s.io/v1", ClusterRoleBinding: "rbac.authorization.k8s.io/v1", NetworkPolicy: "networking.k8s.io/v1",
};

/** Resolves the pulumi.Input values of an object (outputs, secrets) outside an engine run. */
function resolve(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) return new Promise(r => (v as pulumi.Output<unknown>).apply(x => { r(resolve(x)); return x; }));
    if (v instanceof Promise) return v.then(resolve);
    if (Array.isArray(v)) return Promise.all(v.map(resolve));
    if (v && typeof v === "object") return Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolve(x)] as const)).then(Object.fromEntries);
    return Promise.resolve(v);
}

async function main(): Promise<void> {
    const [out, ...names] = process.argv.slice(2);
    if (!out) throw new Error("usage: renderFlavorManifests.ts <out dir> [flavor...]");
    for (const flavor of (names.length ? names : Object.keys(FLAVORS)).map(n => FLAVORS[n])) {
        const cluster = (name: string, kind: "hybrid" | "dark"): ClusterPlace => ({
            kind, resourcePrefix: name, name, namespace: "monitoring", images: { ...flavor.images }, scrapeInterval: "15s", edgeRouterRoles: ["#all"],
            networkPolicy: networkPolicyDefault(),
            serviceNames: { reflect: `${name}.reflect.svc`, reflectScrape: `${name}.reflect.scrape.svc`, prometheus: `${name}.prometheus.svc` },
        });
        const central: CentralPlace = { kind: "central", resourcePrefix: "central", name: "central", placement: "kubernetes", namespace: "monitoring",
            images: { ...flavor.images }, scrapeInterval: "15s", federationMatch: ['{job=~".+"}'], edgeRouterRoles: ["#all"],
            networkPolicy: networkPolicyDefault() };
        const ids = new Proxy({}, { get: () => "{}" }) as Record<string, string>;
        const places: [string, KubernetesObject[]][] = [
            ["kubeA", flavor.clusterWorkloads(cluster("kubeA", "hybrid"), "{}", ids).flatMap(w => w.objects)],
            ["kubeB", flavor.clusterWorkloads(cluster("kubeB", "dark"), "{}", ids).flatMap(w => w.objects)],
            ["central", flavor.centralKubernetes(central, "{}", ids).flatMap(w => w.objects)],
        ];
        for (const [place, objects] of places) {
            const docs = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }];
            for (const o of objects) docs.push({ apiVersion: API[o.kind], kind: o.kind, ...(await resolve(o.args) as object) } as never);
            fs.mkdirSync(out, { recursive: true });
            fs.writeFileSync(path.join(out, `${flavor.name}-${place}.yaml`), docs.map(d => YAML.stringify(d)).join("---\n"));
        }
    }
}

main().catch(e => { console.error(e); process.exit(1); });
