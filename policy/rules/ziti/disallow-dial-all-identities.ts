import { allowEntry } from "../../lib/rule";
import { allBesides, selectsAll, servicePolicyRule, servicesShown } from "./service-policy";

/**
 * Rule 10 (Dial): a Dial ServicePolicy whose identity roles contain `#all` lets every identity dial. The
 * controller applies `#all` whatever the semantic and whatever other roles sit next to it (see
 * `selectsAll`), so neither AllOf nor a duplicate `#all` narrows it.
 */
export const disallowDialAllIdentities = servicePolicyRule({
    name: "disallow-dial-all-identities",
    description: "A Ziti Dial ServicePolicy must not grant #all identities: grants are zero-trust, per client attribute or identity.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Grant the clients' attribute (e.g. #prometheus-clients) or name the identities (@name) instead of #all.",
    check: (ctx) => {
        const others = allBesides(ctx, "Dial", "identityRoles");
        if (!others) {
            return;
        }
        const note = others.length > 0
            ? ` (#all matches every identity whatever the semantic, so ${others.join(", ")} next to it narrow nothing; the controller refuses #all with other roles)`
            : "";
        ctx.report(
            `${ctx.subject.label} lets every identity (#all) dial ${servicesShown(ctx.props)}${note}. ` +
                `Fix: grant only the clients' attribute (e.g. #prometheus-clients) or name them (@identity), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
