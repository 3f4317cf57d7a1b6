// The REST layer's typed errors and how they are worded: the controller's code and message, never a secret or
// anything we sent (./client, ./transport, ./session).

/** An error answered by the controller: `{"error": {"code", "message", "cause"}}`. */
export class ZitiApiError extends Error {
    constructor(
        message: string,
        /** HTTP status. */
        public readonly status: number,
        /** Controller error code, e.g. `NOT_FOUND`, `COULD_NOT_VALIDATE`, `INVALID_AUTH`. */
        public readonly code: string,
        /** Controller message, without anything we sent. */
        public readonly controllerMessage: string,
        /** The field a validation refusal names (`cause.field`: `name` for a taken name), if any. */
        public readonly field?: string,
    ) {
        super(message);
        this.name = "ZitiApiError";
    }
}

/** The controller could not be reached (after retries): DNS, refused, TLS trust, timeout. */
export class ZitiConnectionError extends Error {
    constructor(
        message: string,
        public readonly reason: string,
        /**
         * The request may have reached the controller and been applied (a reset, a timeout or a 5xx after it was
         * sent). Only set for requests that are not safe to repeat (`idempotent: false`): the caller finds out.
         */
        public readonly outcomeUnknown = false,
    ) {
        super(message);
        this.name = "ZitiConnectionError";
    }
}

/** The innermost cause of a fetch failure, as `code: message` without any request data. */
export function connectionReason(e: unknown): { code: string; text: string } {
    let cur: any = e;
    for (let i = 0; i < 5 && cur?.cause; i++) cur = cur.cause;
    const code = typeof cur?.code === "string" ? cur.code : "";
    const text = typeof cur?.message === "string" ? cur.message : String(cur);
    return { code, text };
}

/** Removes any of `secrets` from `text` (defence in depth: messages are built not to contain them). */
export function redact(text: string, secrets: (string | undefined)[]): string {
    let out = text;
    for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
    return out;
}

function describeCause(cause: any): string {
    if (!cause || typeof cause !== "object") return "";
    // Validation causes name a field and a reason; never echo `value` (it is what we sent).
    const field = typeof cause.field === "string" && cause.field !== "(root)" ? cause.field : "";
    const reason = typeof cause.reason === "string" ? cause.reason : typeof cause.message === "string" ? cause.message : "";
    if (!field && !reason) return "";
    return ` (${[field, reason].filter((x) => x).join(": ")})`;
}

/** The ZitiApiError of a refused request, from the controller's error envelope. */
export function apiError(method: string, path: string, status: number, json: any, secrets: (string | undefined)[]): ZitiApiError {
    const err = json?.error ?? {};
    const code = typeof err.code === "string" ? err.code : `HTTP_${status}`;
    const message = typeof err.message === "string" ? err.message : "no error message from the controller";
    const text = redact(`Ziti controller refused ${method} ${path}: ${status} ${code}: ${message}${describeCause(err.cause)}`, secrets);
    const field = typeof err.cause?.field === "string" ? err.cause.field : undefined;
    return new ZitiApiError(text, status, code, redact(message, secrets), field);
}
