// Builds the arguments @pulumi/policy's analyzer server passes to a rule (see its server.js):
// props wrapped in the unknown-checking proxy, urn, name, opts, getConfig and a reportViolation
// collector; and a runner that returns what the engine would show.
import {
    CouldNotBeCheckedError,
    PolicyResource,
    ResourceValidationArgs,
    StackValidationArgs,
    UNKNOWN_STRING_SENTINEL,
    unknownCheckingProxy,
} from "../../../policy/rules";

/** What the engine sends for a value not known during preview. */
export const UNKNOWN = UNKNOWN_STRING_SENTINEL;

const proxy = unknownCheckingProxy as <T>(t: T) => T;

export interface ResourceInput {
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** Parent URN (opts.parent). */
    parent?: string;
    /** Policy config for the rule under test. */
    config?: Record<string, unknown>;
    provider?: { type: string; name: string; props: Record<string, unknown> };
}

export function urnOf(type: string, name: string, parentTypes: string[] = []): string {
    return `urn:pulumi:dev::scrape-anywhere::${[...parentTypes, type].join("$")}::${name}`;
}

/** The resource options the engine passes with defaults filled in, as a policy sees them. */
function resourceOptions(parent?: string) {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(parent !== undefined ? { parent } : {}),
    };
}

export function resourceArgs(input: ResourceInput): ResourceValidationArgs {
    const props = proxy(JSON.parse(JSON.stringify(input.props)));
    const parentType = input.parent ? input.parent.split("::")[2] : undefined;
    const args: ResourceValidationArgs = {
        type: input.type,
        props,
        urn: urnOf(input.type, input.name, parentType ? parentType.split("$") : []),
        name: input.name,
        opts: resourceOptions(input.parent || undefined),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (input.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason}`);
        },
    };
    if (input.provider) {
        args.provider = { ...input.provider, urn: urnOf(input.provider.type, input.provider.name), props: proxy(input.provider.props) };
    }
    return args;
}

/** What a run of a policy produced: violations, and the could-not-be-checked note if any. */
export interface Outcome {
    /** `level` only when the rule overrode the configured enforcement level (the object form of reportViolation). */
    violations: { message: string; urn?: string; level?: string }[];
    couldNotBeChecked?: string;
}

type Validate = (args: ResourceValidationArgs, report: (message: string, urn?: string) => void) => void | Promise<void>;

/**
 * A reportViolation that records what the analyzer would: the string form as is; the object form
 * (@pulumi/policy server.js makeReportViolationFun) with its message after the description line, and its level.
 */
function collector(violations: Outcome["violations"]) {
    return (message: string | { message: string; urn?: string; enforcementLevel?: string }, urn?: string) => {
        if (typeof message === "object") {
            const text = message.message.includes("\n") ? message.message.slice(message.message.indexOf("\n") + 1) : message.message;
            violations.push({ message: text, ...(message.urn ? { urn: message.urn } : {}), ...(message.enforcementLevel ? { level: message.enforcementLevel } : {}) });
        } else {
            violations.push(urn ? { message, urn } : { message });
        }
    };
}

/** Run one resource policy the way the analyzer does and collect its output. */
export async function runResource(policy: { validateResource?: unknown }, input: ResourceInput): Promise<Outcome> {
    const validate = policy.validateResource as Validate;
    const violations: Outcome["violations"] = [];
    try {
        await validate(resourceArgs(input), collector(violations) as never);
    } catch (e) {
        if (e instanceof CouldNotBeCheckedError) {
            return { violations, couldNotBeChecked: e.message };
        }
        throw e;
    }
    return { violations };
}

export interface StackResourceInput {
    type: string;
    name: string;
    props?: Record<string, unknown>;
    /** Index of the parent in the same list. */
    parent?: number;
    /** Index of the resource's provider (a `pulumi:providers:*` entry) in the same list. */
    provider?: number;
}

/** Stack resources as the server builds them: parent links resolved, opts.parent set. */
export function stackArgs(inputs: StackResourceInput[], config: Record<string, unknown> = {}): StackValidationArgs {
    const resources: PolicyResource[] = [];
    const urns: string[] = [];
    inputs.forEach((r, i) => {
        const parentTypes: string[] = [];
        for (let p = r.parent; p !== undefined; p = inputs[p].parent) {
            parentTypes.unshift(inputs[p].type);
        }
        urns[i] = urnOf(r.type, r.name, parentTypes);
    });
    inputs.forEach((r, i) => {
        resources.push({
            type: r.type,
            name: r.name,
            urn: urns[i],
            props: proxy(JSON.parse(JSON.stringify(r.props ?? {}))),
            opts: resourceOptions(r.parent !== undefined ? urns[r.parent] : undefined),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        });
    });
    inputs.forEach((r, i) => {
        if (r.parent !== undefined) {
            resources[i].parent = resources[r.parent];
        }
        if (r.provider !== undefined) {
            const p = inputs[r.provider];
            resources[i].provider = { type: p.type, name: p.name, urn: urns[r.provider], props: proxy(JSON.parse(JSON.stringify(p.props ?? {}))) };
        }
    });
    return {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`notApplicable: ${reason}`);
        },
    };
}

export async function runStack(
    policy: { validateStack?: unknown },
    inputs: StackResourceInput[],
    config: Record<string, unknown> = {},
): Promise<Outcome> {
    const validate = policy.validateStack as (args: StackValidationArgs, report: (m: string, urn?: string) => void) => void;
    const violations: Outcome["violations"] = [];
    try {
        await validate(stackArgs(inputs, config), collector(violations) as never);
    } catch (e) {
        if (e instanceof CouldNotBeCheckedError) {
            return { violations, couldNotBeChecked: e.message };
        }
        throw e;
    }
    return { violations };
}

/** Deep copy with `edit` applied: baseline fixture, one field changed. */
export function change<T>(baseline: T, edit: (copy: T) => void): T {
    const copy = JSON.parse(JSON.stringify(baseline)) as T;
    edit(copy);
    return copy;
}
