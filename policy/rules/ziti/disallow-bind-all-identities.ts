import { allowEntry } from "../../lib/rule";
import { allBesides, rolesOf, servicePolicyRule, servicesShown } from "./service-policy";

/**
 * Issue 23: a Bind ServicePolicy for `#all` identities is as dangerous as a Dial for them: any identity
 * may host the service, so any identity can receive the traffic its clients send (the controller links
 * `#all` to every identity whatever the semantic, see `selectsAll`).
 */
export const disallowBindAllIdentities = servicePolicyRule({
    name: "disallow-bind-all-identities",
    description: "A Ziti Bind ServicePolicy must not grant #all identities: any identity could host the service and receive its clients' traffic.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Name the identities that host the service (@<identity name>) instead of #all.",
    check: (ctx) => {
        const others = allBesides(ctx, "Bind", "identityRoles");
        if (!others) {
            return;
        }
        const note = others.length > 0 ? ` (${others.join(", ")} next to #all narrow nothing; the controller refuses #all with other roles)` : "";
        ctx.report(
            `${ctx.subject.label} lets every identity (#all) bind (host) ${servicesShown(ctx.props)}, so any identity could receive the traffic its clients send${note}. ` +
                `Fix: name the hosting identities (@<identity name>), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
