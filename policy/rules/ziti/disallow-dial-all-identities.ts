import { allowEntry } from "../../lib/rule";
import { isUnknown } from "../../lib/unknown";
import { policyType, rolesOf, servicePolicyRule, servicesShown } from "./service-policy";

/** Rule 10 (Dial): a Dial ServicePolicy whose identity roles are `#all` lets every identity dial. */
export const disallowDialAllIdentities = servicePolicyRule({
    name: "disallow-dial-all-identities",
    description: "A Ziti Dial ServicePolicy must not grant #all identities: grants are zero-trust, per client attribute or identity.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Grant the clients' attribute (e.g. #prometheus-clients) or name the identities (@name) instead of #all.",
    check: (ctx) => {
        const type = policyType(ctx.props, ctx.unknown);
        if (type !== "Dial") {
            return;
        }
        const roles = rolesOf(ctx.props, "identityRoles", ctx.unknown);
        if (!roles || !roles.includes("#all")) {
            return;
        }
        const semantic = ctx.props.semantic;
        if (isUnknown(semantic)) {
            ctx.unknown("semantic");
            return;
        }
        const raw = ctx.props.identityRoles;
        const narrowed = semantic === "AllOf" && Array.isArray(raw) && raw.length > 1; // #all AND #x == #x
        if (narrowed) {
            return;
        }
        ctx.report(
            `${ctx.subject.label} lets every identity (#all) dial ${servicesShown(ctx.props)}. ` +
                `Fix: grant only the clients' attribute (e.g. #prometheus-clients) or name them (@identity), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
