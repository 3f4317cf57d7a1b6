import { allowEntry } from "../../lib/rule";
import { allBesides, rolesOf, selectsAll, servicePolicyRule } from "./service-policy";

function identitiesShown(roles: string[] | undefined): string {
    return roles && roles.length > 0 ? `[${roles.join(", ")}]` : "its identities";
}

/**
 * Rule 10 (Dial, service side): a Dial ServicePolicy whose service roles contain `#all` lets its identities
 * dial every service on the network, today's and every one created later (see `selectsAll` for how the
 * controller applies `#all`).
 */
export const disallowDialAllServices = servicePolicyRule({
    name: "disallow-dial-all-services",
    description: "A Ziti Dial ServicePolicy must not grant #all services: each grant names the services (@name) or a service attribute it is for.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "List the services the clients need (@<service name>) or a service attribute that only those carry, instead of #all.",
    check: (ctx) => {
        const others = allBesides(ctx, "Dial", "serviceRoles");
        if (!others) {
            return;
        }
        const note = others.length > 0 ? ` (${others.join(", ")} next to #all narrow nothing; the controller refuses #all with other roles)` : "";
        const identities = rolesOf(ctx.props, "identityRoles", () => undefined);
        ctx.report(
            `${ctx.subject.label} lets ${identitiesShown(identities)} dial every service (#all) on the network, including services created later${note}. ` +
                `Fix: list the services they need (@<service name>) or a service attribute only those carry, or allow-list ${allowEntry(ctx.subject)}.`,
        );
    },
});
