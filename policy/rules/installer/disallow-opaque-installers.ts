import { BaseRuleConfig, allowEntry, at, resourceRule, show, withArticle } from "../../lib/rule";
import { kubeSubject, parseKubeType } from "../../lib/kubernetes";
import { DEFAULT_INSTALLER_KINDS, InstallerKind, installerKindSchema } from "./installer-kinds";

interface Config extends BaseRuleConfig {
    installerKinds: InstallerKind[];
    additionalInstallerKinds: InstallerKind[];
}

function installerOf(type: string, config: Config): InstallerKind | undefined {
    const kt = parseKubeType(type);
    if (!kt || kt.patch) return undefined; // a patch changes an installer the pack judged when it was made
    return [...(config.installerKinds ?? []), ...(config.additionalInstallerKinds ?? [])].find((k) => k.group === kt.group && k.kind === kt.kind);
}

/** What the installer names, for the message: a chart, a repository path, a package. */
function whatItInstalls(props: Record<string, unknown>): string {
    const candidates: [string, (string | number)[]][] = [
        ["chart", ["spec", "chart", "spec", "chart"]],
        ["chart", ["spec", "chart"]],
        ["path", ["spec", "path"]],
        ["source", ["spec", "source", "repoURL"]],
        ["repo", ["spec", "repo"]],
        ["package", ["spec", "packageRef", "refName"]],
    ];
    for (const [label, path] of candidates) {
        const v = at(props as never, path);
        if (typeof v === "string" && v) return ` (${label} ${show(v)})`;
    }
    return "";
}

/**
 * Issue 23, in-cluster installers are opaque: a Flux HelmRelease or Kustomization, an Argo CD Application or
 * ApplicationSet, a k3s HelmChart, a Fleet GitRepo/Bundle, a kapp-controller App/PackageInstall makes a
 * controller inside the cluster install objects the engine never sees, exactly like `helm.v3.Release`
 * (disallow-opaque-helm-release): the same default level (advisory) and the same allow-list of reviewed
 * ones (`namespace/name`).
 */
export const disallowOpaqueInstallers = resourceRule<Config>({
    name: "disallow-opaque-installers",
    description: "A GitOps or Helm-controller resource (Flux, Argo CD, k3s HelmChart, Fleet, kapp-controller) installs objects this policy pack cannot see.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Deploy the objects from the program (kubernetes.helm.v4.Chart, yaml.v2.ConfigGroup), whose objects are checked, or review what it installs and allow-list it.",
    configProperties: {
        installerKinds: {
            type: "array",
            items: installerKindSchema,
            default: DEFAULT_INSTALLER_KINDS as unknown as object[],
            description: "Custom resource kinds whose controller installs charts or manifests (group, kind, via, source); replaces the defaults when set.",
        },
        additionalInstallerKinds: { type: "array", items: installerKindSchema, default: [], description: "More installer kinds, checked besides installerKinds." },
    },
    configDefaults: { installerKinds: DEFAULT_INSTALLER_KINDS, additionalInstallerKinds: [] },
    appliesTo: (type, config) => installerOf(type, config) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        const k = installerOf(ctx.type, ctx.config)!;
        ctx.report(
            `${ctx.subject.label} is ${withArticle(k.group)} ${k.kind}${whatItInstalls(ctx.props)}: ${k.via} installs Kubernetes objects that this policy pack cannot see, so Services, Ingresses and pod specs in them were not checked. ` +
                `Fix: deploy those objects from the program (kubernetes.helm.v4.Chart or yaml.v2.ConfigGroup register each one, and the pack checks it), or review what it installs and allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
