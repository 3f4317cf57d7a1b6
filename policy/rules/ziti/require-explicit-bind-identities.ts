import { allowEntry } from "../../lib/rule";
import { ALL_ROLE, policyType, rolesOf, servicePolicyRule, servicesShown } from "./service-policy";

/** Rule 10 (Bind): a Bind ServicePolicy names its hosting identities (`@name`), not attributes. */
export const requireExplicitBindIdentities = servicePolicyRule({
    name: "require-explicit-bind-identities",
    description: "A Ziti Bind ServicePolicy should name the identities that host the service (@name) rather than select them by attribute.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "List the hosting identities as @<identity name> in identityRoles.",
    check: (ctx) => {
        const type = policyType(ctx.props, ctx.unknown);
        if (type !== "Bind") {
            return;
        }
        const roles = rolesOf(ctx.props, "identityRoles", ctx.unknown);
        // #all is refused on its own by disallow-bind-all-identities (mandatory); this rule is about attributes.
        const byAttribute = (roles ?? []).filter((r) => !r.startsWith("@") && r !== ALL_ROLE);
        if (byAttribute.length === 0) {
            return;
        }
        ctx.report(
            `${ctx.subject.label} lets identities selected by ${byAttribute.join(", ")} bind (host) ${servicesShown(ctx.props)}; ` +
                `any identity later given that attribute could host it. ` +
                `Fix: name the hosting identities explicitly (@<identity name>), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
