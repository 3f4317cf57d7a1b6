import { allowEntry } from "../../lib/rule";
import { allBesides, rolesOf, servicePolicyRule } from "./service-policy";

/**
 * Issue 23: a Bind ServicePolicy for `#all` services lets its identities host every service on the
 * network, including services created later, whatever identity that is: they can take over any service's
 * traffic.
 */
export const disallowBindAllServices = servicePolicyRule({
    name: "disallow-bind-all-services",
    description: "A Ziti Bind ServicePolicy must not grant #all services: its identities could host every service on the network and receive its traffic.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "List the services the identity hosts (@<service name>) instead of #all.",
    check: (ctx) => {
        const others = allBesides(ctx, "Bind", "serviceRoles");
        if (!others) {
            return;
        }
        const identities = rolesOf(ctx.props, "identityRoles", () => undefined) ?? [];
        const note = others.length > 0 ? ` (${others.join(", ")} next to #all narrow nothing; the controller refuses #all with other roles)` : "";
        ctx.report(
            `${ctx.subject.label} lets [${identities.join(", ")}] bind (host) every service (#all) on the network, including services created later${note}. ` +
                `Fix: list the services they host (@<service name>), or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
