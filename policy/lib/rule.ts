// The one place that turns a rule's check into a @pulumi/policy policy: reads props through
// `snapshot` (unknowns become UNKNOWN), applies the allow-list from policy config, reports
// violations, and ends with a CouldNotBeCheckedError when something the rule needed was unknown.
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { CouldNotBeCheckedError, Plain, PlainObject, UNKNOWN, Unknown, isUnknown, snapshot } from "./unknown";

/** Config every rule accepts (besides the standard `enforcementLevel`). */
export interface BaseRuleConfig {
    /** `namespace/name` entries (a `*` segment matches anything) that this rule accepts. */
    allowlist?: string[];
}

export const allowlistSchema: PolicyConfigJSONSchema = {
    type: "array",
    items: { type: "string", pattern: "^[^/]+/[^/]+$" },
    default: [],
    description:
        "Exceptions a team has decided to accept, as `namespace/name` (Kubernetes objects), " +
        "`docker/<container name>` or `ziti/<policy name>`; a `*` segment matches anything.",
};

/** What a violation is about: a label for messages and the id the allow-list is matched against. */
export interface Subject {
    /** e.g. `Service 'monitoring/prometheus'`. */
    label: string;
    /** `namespace/name`, or UNKNOWN when the name or namespace is not known yet. */
    id: string | Unknown;
    /** Where the id came from, for the could-not-be-checked message (e.g. `metadata.name`). */
    idPath?: string;
}

/** What a check sees and how it reports. */
export interface CheckContext<C extends BaseRuleConfig> {
    type: string;
    name: string;
    urn: string;
    props: PlainObject;
    config: C;
    subject: Subject;
    /** The resource that rendered this one (a Helm Chart or ConfigGroup), from the parent URN. */
    renderedBy?: { type: string; name: string };
    /**
     * Report a violation; the message should name the resource and the fix. `level` overrides the policy's
     * configured enforcement level for this one violation (the `strict` profile of
     * disallow-unknown-custom-resources raises its findings to mandatory this way).
     */
    report(message: string, level?: "advisory" | "mandatory"): void;
    /** Record that `path` was needed but unknown. */
    unknown(path: string): void;
}

/** What every rule declares besides its check: name, docs, default level, and its config keys. */
export interface RuleMetadata<C extends BaseRuleConfig> {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    remediationSteps: string;
    /** Config keys besides `allowlist`. */
    configProperties?: { [key: string]: PolicyConfigJSONSchema };
    /** Defaults for config keys, applied when the policy config does not set them. */
    configDefaults?: Omit<C, "allowlist">;
}

export interface ResourceRuleSpec<C extends BaseRuleConfig> extends RuleMetadata<C> {
    /** Whether the rule judges this resource: by its type token and, for rules that recognise shapes, by its props. */
    appliesTo(type: string, config: C, props: PlainObject): boolean;
    subject(args: { type: string; name: string; props: PlainObject; providerNamespace?: string }): Subject;
    check(ctx: CheckContext<C>): void;
}

/** Match an id against allow-list entries; `*` as a whole segment matches any value. */
export function isAllowListed(id: string, allowlist: readonly string[]): boolean {
    const [ns, name] = splitId(id);
    return allowlist.some((entry) => {
        const [ens, ename] = splitId(entry);
        return (ens === "*" || ens === ns) && (ename === "*" || ename === name);
    });
}

function splitId(id: string): [string, string] {
    const i = id.indexOf("/");
    return i < 0 ? ["", id] : [id.slice(0, i), id.slice(i + 1)];
}

function configOf<C extends BaseRuleConfig>(getConfig: () => object, defaults: object | undefined): C {
    const given = (getConfig() ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...(defaults ?? {}), allowlist: [] };
    for (const [k, v] of Object.entries(given)) {
        if (v !== undefined && v !== null && k !== "enforcementLevel") {
            merged[k] = v;
        }
    }
    return merged as C;
}

/** `urn:pulumi:stack::project::parent$type::name` -> own type and name. */
export function parseUrn(urn: string | undefined): { type: string; name: string; qualifiedType: string } | undefined {
    if (!urn) {
        return undefined;
    }
    const parts = urn.split("::");
    if (parts.length < 4) {
        return undefined;
    }
    const qualifiedType = parts[2];
    const name = parts.slice(3).join("::");
    const types = qualifiedType.split("$");
    return { type: types[types.length - 1], name, qualifiedType };
}

/**
 * The schema's tokens for `kubernetes.apiextensions.CustomResource` and `CustomResourcePatch`: overlays in
 * pulumi/pulumi-kubernetes (provider/pkg/gen/overlays.go). The SDKs never register a resource under them:
 * `new CustomResource(name, {apiVersion, kind})` registers `kubernetes:<apiVersion>:<kind>` (sdk/nodejs
 * apiextensions/customResource.ts, sdk/go .../apiextensions/customResource.go), and the provider's Check
 * refuses a token whose module is not `<group>/<version>` (provider/pkg/provider/provider.go gvkFromURN).
 * A resource that carries one anyway is judged by its `apiVersion`/`kind` props.
 */
export const CUSTOM_RESOURCE_TOKENS = new Set([
    "kubernetes:apiextensions.k8s.io:CustomResource",
    "kubernetes:apiextensions.k8s.io:CustomResourcePatch",
]);

/**
 * The type a rule judges: the resource's own token, except for the CustomResource overlay tokens, which
 * become `kubernetes:<group>/<version>:<kind>[Patch]` from the props (a core `apiVersion: v1` becomes
 * `core/v1`); they stay as they are while apiVersion or kind is unknown.
 */
export function effectiveType(type: string, props: PlainObject): string {
    if (!CUSTOM_RESOURCE_TOKENS.has(type)) {
        return type;
    }
    const apiVersion = props.apiVersion;
    const kind = props.kind;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || isUnknown(apiVersion) || isUnknown(kind) || !apiVersion || !kind) {
        return type;
    }
    const module = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return `kubernetes:${module}:${kind}${type.endsWith("Patch") ? "Patch" : ""}`;
}

/** Types whose children are objects they rendered (their own props hide them, their children do not). */
export const RENDERING_TYPES = new Set([
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:helm.sh/v3:Chart",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml:ConfigGroup",
    "kubernetes:yaml:ConfigFile",
    "kubernetes:kustomize/v2:Directory",
    "kubernetes:kustomize:Directory",
]);

interface Finding {
    message: string;
    level?: "advisory" | "mandatory";
}

class Collector {
    readonly messages: Finding[] = [];
    readonly unknowns: string[] = [];
    report = (message: string, level?: "advisory" | "mandatory") => {
        this.messages.push(level ? { message, level } : { message });
    };
    unknown = (path: string) => {
        if (!this.unknowns.includes(path)) {
            this.unknowns.push(path);
        }
    };
}

/**
 * Apply the allow-list, report what is left, and throw CouldNotBeCheckedError for unknowns.
 * Shared by resource and stack rules.
 */
function settle(
    rule: { name: string; description: string },
    subject: Subject,
    allowlist: readonly string[],
    found: Collector,
    reportViolation: ReportViolation,
    urn?: string,
): CouldNotBeCheckedError | undefined {
    if (typeof subject.id === "string" && isAllowListed(subject.id, allowlist)) {
        return undefined; // an exception the team accepted
    }
    if (isUnknown(subject.id) && allowlist.length > 0 && found.messages.length > 0) {
        // The violation may be an accepted exception; we cannot tell until the name is known.
        found.unknown(subject.idPath ?? "metadata.name");
        found.messages.length = 0;
    }
    for (const { message, level } of found.messages) {
        if (level !== undefined) {
            // @pulumi/policy 1.21.0 server.js makeReportViolationFun takes an object whose enforcementLevel
            // replaces the configured one (its typings list only the string form); the message is built the
            // way the string form builds it: description, newline, message.
            const violation = { message: `${rule.description}\n${message}`, enforcementLevel: level, ...(urn !== undefined ? { urn } : {}) };
            (reportViolation as unknown as (v: object) => void)(violation);
        } else if (urn === undefined) {
            reportViolation(message);
        } else {
            reportViolation(message, urn);
        }
    }
    if (found.unknowns.length > 0) {
        return new CouldNotBeCheckedError(
            `${subject.label} could not be checked by ${rule.name}: ${found.unknowns.join(", ")} ` +
                `${found.unknowns.length === 1 ? "is" : "are"} not known during preview; ` +
                `it is checked again when the value is known (pulumi up).`,
            found.unknowns,
        );
    }
    return undefined;
}

export type ResourceRule = ResourceValidationPolicy & { validateResource: (args: ResourceValidationArgs, report: ReportViolation) => void };
export type StackRule = StackValidationPolicy;

export function resourceRule<C extends BaseRuleConfig>(spec: ResourceRuleSpec<C>): ResourceRule {
    const configSchema: PolicyConfigSchema = {
        properties: { allowlist: allowlistSchema, ...(spec.configProperties ?? {}) },
    };
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel,
        severity: spec.severity,
        remediationSteps: spec.remediationSteps,
        configSchema,
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
            const config = configOf<C>(() => args.getConfig<object>(), spec.configDefaults);
            const snap = snapshot(args.props);
            const props: PlainObject = snap !== null && typeof snap === "object" && !Array.isArray(snap) ? (snap as PlainObject) : {};
            const type = effectiveType(args.type, props);
            if (!spec.appliesTo(type, config, props)) {
                return;
            }
            const providerNamespace = providerNamespaceOf(args);
            const subject = spec.subject({ type, name: args.name, props, providerNamespace });
            const parent = parseUrn(args.opts?.parent);
            const renderedBy = parent && RENDERING_TYPES.has(parent.type) ? { type: parent.type, name: parent.name } : undefined;
            if (renderedBy) {
                subject.label += ` (rendered by ${renderedBy.type} '${renderedBy.name}')`;
            }
            const found = new Collector();
            spec.check({
                type,
                name: args.name,
                urn: args.urn,
                props,
                config,
                subject,
                renderedBy,
                report: found.report,
                unknown: found.unknown,
            });
            const couldNot = settle(spec, subject, config.allowlist ?? [], found, reportViolation);
            if (couldNot) {
                throw couldNot;
            }
        },
    };
}

function providerNamespaceOf(args: ResourceValidationArgs): string | undefined {
    try {
        const ns = args.provider?.props?.namespace;
        return typeof ns === "string" && !isUnknown(ns) ? ns : undefined;
    } catch {
        return undefined; // unknown provider namespace: fall back to "default"
    }
}

export interface StackCheckContext<C extends BaseRuleConfig> {
    resources: PolicyResource[];
    config: C;
    /** Plain props of a resource (unknowns as UNKNOWN). */
    propsOf(resource: PolicyResource): PlainObject;
    /** Report a violation about `resource`; allow-list and unknown handling are applied per subject. */
    report(resource: PolicyResource, subject: Subject, message: string, level?: "advisory" | "mandatory"): void;
    unknown(resource: PolicyResource, subject: Subject, path: string): void;
}

export interface StackRuleSpec<C extends BaseRuleConfig> extends RuleMetadata<C> {
    check(ctx: StackCheckContext<C>): void;
}

export function stackRule<C extends BaseRuleConfig>(spec: StackRuleSpec<C>): StackRule {
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel,
        severity: spec.severity,
        remediationSteps: spec.remediationSteps,
        configSchema: { properties: { allowlist: allowlistSchema, ...(spec.configProperties ?? {}) } },
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation): void => {
            const config = configOf<C>(() => args.getConfig<object>(), spec.configDefaults);
            const bySubject = new Map<string, { resource: PolicyResource; subject: Subject; found: Collector }>();
            const entry = (resource: PolicyResource, subject: Subject) => {
                let e = bySubject.get(resource.urn);
                if (!e) {
                    e = { resource, subject, found: new Collector() };
                    bySubject.set(resource.urn, e);
                }
                return e;
            };
            const snapshots = new Map<string, PlainObject>();
            spec.check({
                resources: args.resources,
                config,
                propsOf: (resource) => {
                    let p = snapshots.get(resource.urn);
                    if (!p) {
                        const s = snapshot(resource.props);
                        p = s !== null && typeof s === "object" && !Array.isArray(s) ? (s as PlainObject) : {};
                        snapshots.set(resource.urn, p);
                    }
                    return p;
                },
                report: (resource, subject, message, level) => entry(resource, subject).found.report(message, level),
                unknown: (resource, subject, path) => entry(resource, subject).found.unknown(path),
            });
            const couldNot: CouldNotBeCheckedError[] = [];
            for (const { resource, subject, found } of bySubject.values()) {
                const e = settle(spec, subject, config.allowlist ?? [], found, reportViolation, resource.urn);
                if (e) {
                    couldNot.push(e);
                }
            }
            if (couldNot.length > 0) {
                throw new CouldNotBeCheckedError(couldNot.map((e) => e.message).join("\n"), couldNot.flatMap((e) => e.paths));
            }
        },
    };
}

export { at, isObject, joinPath, show, allowEntry, withArticle } from "./read";
