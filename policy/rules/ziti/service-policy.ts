// Shared reading of a Ziti ServicePolicy for the rule-10 policies.
import { PolicyResource } from "@pulumi/policy";
import { BaseRuleConfig, CheckContext, ResourceRule, ResourceRuleSpec, StackCheckContext, Subject, resourceRule } from "../../lib/rule";
import { Plain, PlainObject, UNKNOWN, isUnknown } from "../../lib/unknown";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const ZITI_SERVICE_POLICY = "pulumi-nodejs:dynamic/ziti:ServicePolicy";

export interface ZitiConfig extends BaseRuleConfig {
    /** Resource types that are Ziti service policies with `type`, `semantic`, `identityRoles`, `serviceRoles` inputs. */
    resourceTypes: string[];
}

export const zitiConfigProperties: { [key: string]: PolicyConfigJSONSchema } = {
    resourceTypes: {
        type: "array",
        items: { type: "string" },
        default: [ZITI_SERVICE_POLICY],
        description:
            "Resource type tokens of Ziti service policies (inputs name, type, semantic, serviceRoles, identityRoles); resources of any other token with that shape are recognised too.",
    },
};

export const zitiConfigDefaults = { resourceTypes: [ZITI_SERVICE_POLICY] };

/**
 * Whether props have the shape of a Ziti service policy, whatever the token: `type` Dial or Bind (or not
 * known yet) next to `serviceRoles` and `identityRoles` lists: the fields a service policy has in the
 * Management API and in this project's provider (provider/servicePolicy.ts: name, type, semantic,
 * serviceRoles, identityRoles, postureCheckRoles). This catches a policy registered as the SDK's
 * default `pulumi-nodejs:dynamic:Resource` (a dynamic.Resource subclass without a module), a published
 * provider's own token (e.g. `openziti:*`), or a renamed class of this project's provider.
 */
export function looksLikeServicePolicy(props: PlainObject): boolean {
    const t = props.type;
    const typeOk = t === "Dial" || t === "Bind" || isUnknown(t);
    const list = (v: Plain | undefined) => Array.isArray(v) || isUnknown(v);
    return typeOk && list(props.serviceRoles) && list(props.identityRoles);
}

/** Whether a resource is a Ziti service policy: by a configured token, or by shape. */
export function isServicePolicy(type: string, props: PlainObject, resourceTypes: readonly string[]): boolean {
    return resourceTypes.includes(type) || (!type.startsWith("kubernetes:") && looksLikeServicePolicy(props));
}

/** `ziti/<policy name>` (the `name` input, else the Pulumi resource name). */
export function zitiSubject(args: { name: string; props: PlainObject }): Subject {
    const name = args.props.name;
    if (isUnknown(name)) {
        return { label: `Ziti ServicePolicy '${args.name}'`, id: UNKNOWN, idPath: "name" };
    }
    const policyName = typeof name === "string" && name ? name : args.name;
    return { label: `Ziti ServicePolicy '${policyName}'`, id: `ziti/${policyName}` };
}

/** The role that selects every entity of a kind. */
export const ALL_ROLE = "#all";

/**
 * The known string roles of `field` as the controller will hold them: de-duplicated, as the provider
 * sends them (provider/crud.ts policySpec normalize -> roles.ts asSet). Unknown items are
 * recorded; undefined when the whole list is unknown.
 */
export function rolesOf(props: PlainObject, field: string, unknown: (path: string) => void): string[] | undefined {
    const value: Plain | undefined = props[field];
    if (isUnknown(value)) {
        unknown(field);
        return undefined;
    }
    if (!Array.isArray(value)) {
        return [];
    }
    const out: string[] = [];
    value.forEach((r, i) => {
        if (isUnknown(r)) {
            unknown(`${field}[${i}]`);
        } else if (typeof r === "string" && !out.includes(r)) {
            out.push(r);
        }
    });
    return out;
}

/**
 * Whether a role list selects every entity, judged as the OpenZiti controller applies it: `#all` anywhere
 * in the list matches every entity whatever the semantic and the other roles (openziti/ziti v1.7.2
 * controller/db/policy_common.go evaluatePolicyAgainstEntity: `stringz.Contains(roles, "all") || ...`),
 * and a list that is `#all` once de-duplicated is accepted as such. (`#all` next to other roles is
 * refused on write, controller/db/util.go validateRolesAndIds, so such a policy never narrows it.)
 */
export function selectsAll(roles: readonly string[]): boolean {
    return roles.includes(ALL_ROLE);
}

/**
 * When a policy of `type` selects `#all` in `field`: the other roles listed next to it (which narrow nothing);
 * undefined when it is another type or does not select all (unknowns recorded). The four `#all` rules share it.
 */
export function allBesides(ctx: CheckContext<ZitiConfig>, type: "Dial" | "Bind", field: "identityRoles" | "serviceRoles"): string[] | undefined {
    if (policyType(ctx.props, ctx.unknown) !== type) return undefined;
    const roles = rolesOf(ctx.props, field, ctx.unknown);
    if (!roles || !selectsAll(roles)) return undefined;
    return roles.filter((r) => r !== ALL_ROLE);
}

/** `AllOf`/`AnyOf` as the controller applies it (AllOf when left out: crud.ts policySpec fallback), or undefined after recording it is unknown. */
export function semanticOf(props: PlainObject, unknown: (path: string) => void): "AllOf" | "AnyOf" | undefined {
    const s = props.semantic;
    if (isUnknown(s)) {
        unknown("semantic");
        return undefined;
    }
    return s === "AnyOf" ? "AnyOf" : "AllOf";
}

/** `Dial`/`Bind`, or undefined after recording that it is unknown. */
export function policyType(props: PlainObject, unknown: (path: string) => void): string | undefined {
    const t = props.type;
    if (isUnknown(t)) {
        unknown("type");
        return undefined;
    }
    return typeof t === "string" ? t : undefined;
}

export function servicesShown(props: PlainObject): string {
    const s = props.serviceRoles;
    if (!Array.isArray(s)) {
        return "its services";
    }
    return `[${s.map((r) => (typeof r === "string" ? r : "<unknown>")).join(", ")}]`;
}

/** A rule over Ziti service policies: the types it applies to, its config keys and its subject are the same for each. */
export function servicePolicyRule(
    spec: Omit<ResourceRuleSpec<ZitiConfig>, "configProperties" | "configDefaults" | "appliesTo" | "subject">,
): ResourceRule {
    return resourceRule<ZitiConfig>({
        ...spec,
        configProperties: zitiConfigProperties,
        configDefaults: zitiConfigDefaults,
        appliesTo: (type, config, props) => isServicePolicy(type, props, config.resourceTypes),
        subject: zitiSubject,
    });
}

/**
 * The Dial service policies of a stack (types from config.resourceTypes), each with its props and subject, for
 * the stack rules; a policy whose type is unknown is recorded as unknown (path `type`) and skipped. Lazy, so
 * that the rule's own reports and unknowns interleave in resource order.
 */
export function* dialPoliciesOf<C extends ZitiConfig>(
    ctx: StackCheckContext<C>,
): Generator<{ resource: PolicyResource; props: PlainObject; subject: Subject }> {
    for (const resource of ctx.resources) {
        const props = ctx.propsOf(resource);
        if (!isServicePolicy(resource.type, props, ctx.config.resourceTypes)) {
            continue;
        }
        const subject = zitiSubject({ name: resource.name, props });
        if (isUnknown(props.type)) {
            ctx.unknown(resource, subject, "type");
            continue;
        }
        if (props.type !== "Dial") {
            continue;
        }
        yield { resource, props, subject };
    }
}
