import { at, resourceRule, Subject } from "../../lib/rule";
import { PlainObject, UNKNOWN, isUnknown } from "../../lib/unknown";

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Helm v3 Release by its release namespace and name (its props `namespace`, `name`), as its allow-list entry. */
export function helmReleaseSubject(args: { name: string; props: PlainObject; providerNamespace?: string }): Subject {
    const ns = args.props.namespace;
    const name = args.props.name;
    if (isUnknown(ns) || isUnknown(name)) {
        return { label: `Helm Release '${args.name}'`, id: UNKNOWN, idPath: isUnknown(name) ? "name" : "namespace" };
    }
    const id = `${typeof ns === "string" && ns ? ns : args.providerNamespace ?? "default"}/${typeof name === "string" && name ? name : args.name}`;
    return { label: `Helm Release '${id}'`, id };
}

/**
 * Rule 7 (the part with its own policy): a `helm.v3.Release` installs objects the engine never sees,
 * so rules 1-5 cannot run on them. The rest of rule 7 needs no policy of its own: Helm Chart v4 and
 * yaml ConfigGroup register every object they render as a resource (checked by rules 1-5, with the
 * chart named in the message), and `*Patch` types are checked by the same rules.
 */
export const disallowOpaqueHelmRelease = resourceRule({
    name: "disallow-opaque-helm-release",
    description: "A Helm v3 Release installs objects this policy pack cannot see, so the no-exposed-port rules cannot check them.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Use kubernetes.helm.v4.Chart, whose objects are registered as resources and checked, or review the chart and allow-list the release.",
    appliesTo: (type) => type === HELM_RELEASE,
    subject: helmReleaseSubject,
    check: (ctx) => {
        const chart = at(ctx.props, ["chart"]);
        const what = typeof chart === "string" && chart ? ` (chart ${chart})` : "";
        ctx.report(
            `${ctx.subject.label}${what} installs Kubernetes objects that this policy pack cannot see, so Services, Ingresses and pod templates in it were not checked. ` +
                `Fix: deploy the chart with kubernetes.helm.v4.Chart (its objects are checked), or review the chart and allow-list ${
                    typeof ctx.subject.id === "string" ? `'${ctx.subject.id}'` : "its namespace/name"
                }.`,
        );
    },
});
