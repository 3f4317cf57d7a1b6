import { BaseRuleConfig, allowEntry, stackRule } from "../../lib/rule";
import { isUnknown } from "../../lib/unknown";
import { ALL_ROLE, ZITI_SERVICE_POLICY, dialPoliciesOf, rolesOf, zitiConfigProperties } from "./service-policy";
import { ZITI_SERVICE, matchService, serviceSideOf, serviceTypesProperty, stackServices, unsureBecause } from "./stack-services";

interface Config extends BaseRuleConfig {
    sensitiveServices: string[];
    resourceTypes: string[];
    serviceTypes: string[];
}

/**
 * The Kubernetes API services of DESIGN 4c (`<cluster>.k8s.svc`, dialable only by named admin identities), and the
 * remote-write services (`<central>.write.svc`, issue 26: whoever may dial one may write any series into the
 * central store, so only the named cluster Prometheus identities). A team lists its own sensitive services in config.
 */
const DEFAULT_SENSITIVE = ["*.k8s.svc", "*.write.svc"];

/** `*` matches any run of characters (dots included); everything else is literal. */
function globMatches(glob: string, name: string): boolean {
    const re = new RegExp(`^${glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(name);
}

/**
 * Zero-trust for the services that matter most: a Dial ServicePolicy that reaches a sensitive service
 * (named in config by glob on the service name, or `#attribute` on the service) must name each identity
 * (`@name`): no `#attribute`, no `#all`. A service is reached by `@name`, by an attribute role it carries,
 * or by `#all` (matched as the controller does, see stack-services.ts); a `@name` role that matches a glob
 * counts even when that service lives in another stack.
 */
export const requireNamedDialersForSensitiveServices = stackRule<Config>({
    name: "require-named-dialers-for-sensitive-services",
    description:
        "A Ziti Dial ServicePolicy that reaches a sensitive service (by default the Kubernetes API services, *.k8s.svc, and the remote-write services, *.write.svc) must name each identity (@name), never an attribute or #all.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "List the identities that may dial the sensitive service by name (@<identity name>) in a Dial policy of its own.",
    configProperties: {
        sensitiveServices: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_SENSITIVE,
            description: "Sensitive Ziti services: name globs (`*` matches any characters, e.g. *.k8s.svc) or #attribute roles the services carry.",
        },
        ...zitiConfigProperties,
        serviceTypes: serviceTypesProperty,
    },
    configDefaults: { sensitiveServices: DEFAULT_SENSITIVE, resourceTypes: [ZITI_SERVICE_POLICY], serviceTypes: [ZITI_SERVICE] },
    check: (ctx) => {
        const globs = ctx.config.sensitiveServices.filter((s) => !s.startsWith("#"));
        const attrs = ctx.config.sensitiveServices.filter((s) => s.startsWith("#")).map((s) => s.slice(1));
        const services = stackServices(ctx.resources, ctx.config.serviceTypes, ctx.propsOf);
        const sensitive = services.filter(
            (s) =>
                (typeof s.name === "string" && globs.some((g) => globMatches(g, s.name as string))) ||
                (!isUnknown(s.attributes) && s.attributes.some((a) => attrs.includes(a))),
        );
        for (const { resource: r, props, subject } of dialPoliciesOf(ctx)) {
            const unknownIdentities: string[] = [];
            const identities = rolesOf(props, "identityRoles", (p) => unknownIdentities.push(p)) ?? [];
            const byAttribute = identities.filter((x) => !x.startsWith("@"));
            if (byAttribute.length === 0 && unknownIdentities.length === 0) {
                continue; // every identity named: what this rule asks
            }
            const side = serviceSideOf(props);
            const reached = new Set<string>();
            const unsure: string[] = [];
            for (const role of side.roles) {
                if (role.startsWith("@") && globs.some((g) => globMatches(g, role.slice(1)))) reached.add(role.slice(1));
            }
            for (const s of sensitive) {
                const m = matchService(side, s);
                if (m === "yes") reached.add(s.name as string);
                else if (m === "unknown") unsure.push(...unsureBecause(side, s));
            }
            if (reached.size === 0) {
                for (const p of new Set(unsure)) ctx.unknown(r, subject, p);
                continue;
            }
            if (byAttribute.length === 0) {
                for (const p of unknownIdentities) ctx.unknown(r, subject, p);
                continue;
            }
            const all = byAttribute.includes(ALL_ROLE);
            const how = all ? "every identity (#all)" : `identities selected by ${byAttribute.join(", ")}`;
            ctx.report(
                r,
                subject,
                `${subject.label} lets ${how} dial the sensitive service${reached.size === 1 ? "" : "s"} ${[...reached].join(", ")}` +
                    `${all ? "" : "; any identity later given that attribute could reach it"}. ` +
                    `Fix: name each identity that may dial it (@<identity name>) in a Dial policy of its own, or allow-list ${allowEntry(subject)}.`,
            );
        }
    },
});
