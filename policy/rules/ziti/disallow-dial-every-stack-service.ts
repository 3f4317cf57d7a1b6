import { BaseRuleConfig, allowEntry, stackRule } from "../../lib/rule";
import { ALL_ROLE, ZITI_SERVICE_POLICY, dialPoliciesOf, zitiConfigProperties } from "./service-policy";
import { ZITI_SERVICE, matchService, serviceSideOf, serviceTypesProperty, stackServices, unsureBecause } from "./stack-services";

interface Config extends BaseRuleConfig {
    resourceTypes: string[];
    serviceTypes: string[];
}

/**
 * Rule 10 (Dial, service side, stack): a Dial ServicePolicy whose service attribute roles select every
 * Ziti service of the stack is `#all` in all but name: a new service that gets the attribute is dialable
 * at once. Naming every service (`@name`) is explicit and accepted; `#all` itself is
 * disallow-dial-all-services' job. Stacks with fewer than two services are not judged.
 */
export const disallowDialEveryStackService = stackRule<Config>({
    name: "disallow-dial-every-stack-service",
    description:
        "A Ziti Dial ServicePolicy must not select every Ziti service of the stack through a service attribute: that is #all in all but name.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Name the services the clients need (@<service name>), or use an attribute that only those services carry.",
    configProperties: {
        ...zitiConfigProperties,
        serviceTypes: serviceTypesProperty,
    },
    configDefaults: { resourceTypes: [ZITI_SERVICE_POLICY], serviceTypes: [ZITI_SERVICE] },
    check: (ctx) => {
        const services = stackServices(ctx.resources, ctx.config.serviceTypes, ctx.propsOf);
        if (services.length < 2) {
            return;
        }
        for (const { resource: r, props, subject } of dialPoliciesOf(ctx)) {
            const side = serviceSideOf(props);
            const attrs = side.roles.filter((x) => x.startsWith("#"));
            if (side.roles.includes(ALL_ROLE) || (attrs.length === 0 && side.unknownRoles.length === 0)) {
                continue; // #all: the other rule; names only: explicit
            }
            const results = services.map((s) => ({ s, m: matchService(side, s) }));
            if (results.some((x) => x.m === "no")) {
                continue;
            }
            const unsure = results.filter((x) => x.m === "unknown");
            if (unsure.length > 0) {
                for (const p of new Set(unsure.flatMap((x) => unsureBecause(side, x.s)))) ctx.unknown(r, subject, p);
                continue;
            }
            const names = services.map((s) => (typeof s.name === "string" ? s.name : s.resource.name));
            ctx.report(
                r,
                subject,
                `${subject.label} selects every Ziti service of the stack (${names.join(", ")}) through ${attrs.join(", ")} (${String(side.semantic)}), ` +
                    `so its identities may dial them all, and any service that later gets the attribute. ` +
                    `Fix: name the services the clients need (@<service name>) or use an attribute only those carry, or allow-list ${allowEntry(subject)}.`,
            );
        }
    },
});
