// Custom resources that make a controller inside the cluster install charts or manifests the engine never
// sees (the curated list of disallow-opaque-installers), each with its source.
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export interface InstallerKind {
    group: string;
    kind: string;
    /** The controller that installs what it names, for the message. */
    via: string;
    source?: string;
}

export const DEFAULT_INSTALLER_KINDS: InstallerKind[] = [
    { group: "helm.toolkit.fluxcd.io", kind: "HelmRelease", via: "Flux's helm-controller", source: "fluxcd/helm-controller api/v2/helmrelease_types.go" },
    { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization", via: "Flux's kustomize-controller", source: "fluxcd/kustomize-controller api/v1/kustomization_types.go" },
    { group: "argoproj.io", kind: "Application", via: "Argo CD", source: "argoproj/argo-cd pkg/apis/application/v1alpha1/types.go" },
    { group: "argoproj.io", kind: "ApplicationSet", via: "Argo CD's ApplicationSet controller", source: "argoproj/argo-cd pkg/apis/application/v1alpha1/applicationset_types.go" },
    { group: "helm.cattle.io", kind: "HelmChart", via: "the k3s/RKE2 helm-controller", source: "k3s-io/helm-controller pkg/apis/helm.cattle.io/v1/types.go" },
    { group: "fleet.cattle.io", kind: "GitRepo", via: "Rancher Fleet", source: "rancher/fleet pkg/apis/fleet.cattle.io/v1alpha1/gitrepo_types.go" },
    { group: "fleet.cattle.io", kind: "Bundle", via: "Rancher Fleet", source: "rancher/fleet pkg/apis/fleet.cattle.io/v1alpha1/bundle_types.go" },
    { group: "kappctrl.k14s.io", kind: "App", via: "Carvel kapp-controller", source: "carvel-dev/kapp-controller pkg/apis/kappctrl/v1alpha1/types.go" },
    { group: "packaging.carvel.dev", kind: "PackageInstall", via: "Carvel kapp-controller", source: "carvel-dev/kapp-controller pkg/apis/packaging/v1alpha1/package_install.go" },
];

export const installerKindSchema: PolicyConfigJSONSchema = {
    type: "object",
    required: ["group", "kind", "via"],
    additionalProperties: false,
    properties: { group: { type: "string" }, kind: { type: "string" }, via: { type: "string" }, source: { type: "string" } },
};
