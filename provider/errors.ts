// The provider's own error classes and the label that names a resource in every message (`ziti:Service "x"`).
import type { Failure } from "./roles";
import { UnresolvedRoleError } from "./roles";

/** Bad input, found before any write. Names the kind, the Ziti name and the field. */
export class ZitiValidationError extends Error {
    constructor(message: string, public readonly failures: Failure[]) {
        super(message);
        this.name = "ZitiValidationError";
    }
}

/** A same-name entity exists that this resource does not own, or may not take over as it is. */
export class ZitiConflictError extends Error {
    constructor(message: string, public readonly existingId: string) {
        super(message);
        this.name = "ZitiConflictError";
    }
}

/** `ziti:<Kind> "<name>"`. */
export function label(spec: { kind: string }, name: unknown): string {
    return `ziti:${spec.kind} "${typeof name === "string" ? name : "?"}"`;
}

/** Role names that resolve to nothing are bad input: report them like local validation, naming the resource. */
export function rethrowLabelled(spec: { kind: string }, name: unknown, e: unknown): never {
    if (e instanceof UnresolvedRoleError) {
        throw new ZitiValidationError(`${label(spec, name)}: ${e.message}`, [{ property: e.message.split(":")[0], reason: e.message }]);
    }
    throw e;
}
