import { BaseRuleConfig, CUSTOM_RESOURCE_TOKENS, allowEntry, resourceRule, withArticle } from "../../lib/rule";
import { kubeSubject, parseKubeType } from "../../lib/kubernetes";
import { isUnknown } from "../../lib/unknown";
import { DEFAULT_EXPOSURE_KINDS } from "../ingress/disallow-exposing-custom-resources";
import { DEFAULT_INSTALLER_KINDS } from "../installer/installer-kinds";
import { BUILT_IN_GROUPS, COMPONENT_MODULES, DEFAULT_SAFE_GROUPS } from "./known-groups";

interface Config extends BaseRuleConfig {
    /** The `strict` profile, meant for dark clusters: an unknown custom resource is refused (mandatory). */
    strict: boolean;
    safeGroups: string[];
    additionalSafeGroups: string[];
}

/** Kinds another rule of the pack judges by name (known exposing kinds, installers). */
const JUDGED_ELSEWHERE = new Set([...DEFAULT_EXPOSURE_KINDS, ...DEFAULT_INSTALLER_KINDS].map((k) => `${k.group}/${k.kind}`));

function unknownGroupOf(type: string, config: Config): { group: string; kind: string } | undefined {
    const kt = parseKubeType(type);
    if (!kt || BUILT_IN_GROUPS.has(kt.group) || COMPONENT_MODULES.has(kt.group)) return undefined;
    if (JUDGED_ELSEWHERE.has(`${kt.group}/${kt.kind}`)) return undefined;
    if ([...(config.safeGroups ?? []), ...(config.additionalSafeGroups ?? [])].includes(kt.group)) return undefined;
    return { group: kt.group, kind: kt.kind };
}

/**
 * Issue 23, unknown custom resources: a custom resource of a group the pack does not know cannot be proven
 * to expose nothing (its controller may open a listener, a tunnel or a load balancer). Known exposing kinds
 * are refused by disallow-exposing-custom-resources, installers flagged by disallow-opaque-installers,
 * groups known to expose nothing pass (`safeGroups`, rules/customresource/known-groups.ts); everything else
 * gets an advisory finding, or a mandatory one under the `strict` profile (`"strict": true`).
 */
export const disallowUnknownCustomResources = resourceRule<Config>({
    name: "disallow-unknown-custom-resources",
    description: "A custom resource of an API group the pack does not know cannot be proven to expose nothing (advisory; mandatory under the strict profile).",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Review the controller of the group; add the group to additionalSafeGroups if it exposes nothing, or its kind to additionalExposureKinds if it does.",
    configProperties: {
        strict: { type: "boolean", default: false, description: "The strict profile for dark clusters: refuse (mandatory) every custom resource the pack cannot prove safe." },
        safeGroups: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_SAFE_GROUPS.map((g) => g.group),
            description: "Custom resource API groups known to expose nothing; replaces the curated defaults when set.",
        },
        additionalSafeGroups: { type: "array", items: { type: "string" }, default: [], description: "More groups known to expose nothing, besides safeGroups." },
    },
    configDefaults: { strict: false, safeGroups: DEFAULT_SAFE_GROUPS.map((g) => g.group), additionalSafeGroups: [] },
    appliesTo: (type, config) => CUSTOM_RESOURCE_TOKENS.has(type) || unknownGroupOf(type, config) !== undefined,
    subject: kubeSubject,
    check: (ctx) => {
        if (CUSTOM_RESOURCE_TOKENS.has(ctx.type)) {
            for (const field of ["apiVersion", "kind"]) if (isUnknown(ctx.props[field])) ctx.unknown(field);
            return;
        }
        const { group, kind } = unknownGroupOf(ctx.type, ctx.config)!;
        const strict = ctx.config.strict === true;
        ctx.report(
            `${ctx.subject.label} is ${withArticle(group)} ${kind}, a custom resource of a group this policy pack does not know, so it cannot prove that its controller exposes nothing` +
                `${strict ? " (strict profile)" : ""}. Fix: review its controller, then add '${group}' to additionalSafeGroups if it exposes nothing, ` +
                `or add the kind to disallow-exposing-custom-resources' additionalExposureKinds if it does; or allow-list ${allowEntry(ctx.subject)}.`,
            strict ? "mandatory" : undefined,
        );
    },
});
