// What a Ziti name or id may be, so that everything the provider writes can be found, addressed and resolved
// again. Checked before any request: a rejected name or id never reaches a URL, a filter or a write.
//
// Ids go into URL paths (`/edge/management/v1/<collection>/<id>`). `encodeURIComponent` leaves `.` and `..` as
// they are and `new URL()` then normalises them away (`identities/.` is the collection itself), so an id must
// look like one the controller makes: its id generator (openziti/ziti controller/idgen/id.go, v1.7.2) draws from
// `[0-9a-zA-Z.-]` and never starts with `.` or `-`; imported entities may carry UUIDs, which fit the same set.
//
// Names go into ZQL filters (`name="..."`). The controller's string literal (openziti/storage
// zitiql/ZitiQl.g4: `ESC: '\\' ["\\fnrt]`, `SAFECODEPOINT: ~ ["\\\u0000-\u001F]`) is unescaped by
// `ParseZqlString` (zitiql/util.go, v0.4.31) twice over for backslashes (`\\` -> `\` before and after the
// `\"`, `\n`, `\t`, `\r`, `\f` escapes), so no escaping makes a name holding `\n`, `\t`, `\\`... match itself:
// the same-name check and `@name` resolution would silently miss it. Such names, and control characters, are
// refused instead.

/** One reason an input is refused: the property and why. Declared here, below the client, so that ./roles (which
 * uses the client) and ./client (which uses ./names) form no import circle. */
export interface Failure {
    property: string;
    reason: string;
}

/** What the engine sends for a value not known yet (preview); mirrors ./crud's UNKNOWN without importing it. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * An id as the controller makes them: shortids over letters, digits, `.`, `-` and `_`, any of which may come first
 * (".4oQ7WOfO" and "-dzIBkK7Kl" both seen from ziti v1.7.2 in e2e runs), or a UUID. Only the whole-id path segments
 * `.` and `..`, which a URL normalises away, are refused besides; the 64-character bound is ours (shortids are
 * about 10 characters, UUIDs 36).
 */
const ZITI_ID = /^(?!\.{1,2}$)[0-9A-Za-z._-]{1,64}$/;

/** Characters the controller's filter cannot match back: backslash and control characters (C0, DEL). */
// eslint-disable-next-line no-control-regex
const UNFINDABLE = /[\\\u0000-\u001f\u007f]/;

/** A Ziti id given to the provider that cannot be one (`.`, `..`, slashes, empty...): refused before any request. */
export class ZitiInvalidIdError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ZitiInvalidIdError";
    }
}

export function isZitiId(id: unknown): id is string {
    return typeof id === "string" && ZITI_ID.test(id);
}

/** Describes a value for a message without echoing long or unprintable input. */
function shown(v: unknown): string {
    if (typeof v !== "string") return typeof v;
    const printable = JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
    return printable;
}

/** Throws unless `id` is a Ziti id; `what` names where it came from (e.g. `ziti:Identity read`). */
export function assertZitiId(id: unknown, what: string): string {
    if (!isZitiId(id)) {
        throw new ZitiInvalidIdError(
            `${what}: ${shown(id)} is not a Ziti id (letters, digits, ".", "-", "_", at most 64, and not "." or ".."): ` +
                `use the id the controller gave the entity (ziti edge list ... or the resource's id output)`,
        );
    }
    return id;
}

/** The Management API path of one entity, its id checked first. */
export function entityPath(collection: string, id: string): string {
    return `/edge/management/v1/${collection}/${assertZitiId(id, `${collection} id`)}`;
}

/** Why `name` cannot be a Ziti name the provider can find again, or undefined when it can. */
export function nameProblem(name: unknown): string | undefined {
    if (typeof name !== "string" || name.trim() === "") return "must be a non-empty string";
    if (name.trim() !== name) return `${shown(name)} has leading or trailing spaces`;
    if (UNFINDABLE.test(name)) {
        return `${shown(name)} contains a backslash or a control character, which the controller's name filter cannot match (it unescapes twice): the provider could not find it again`;
    }
    return undefined;
}

/** `name` must be a non-empty string without surrounding whitespace that the controller's filter can match. */
export function validateName(name: unknown): Failure[] {
    if (name === UNKNOWN) return [];
    const problem = nameProblem(name);
    return problem ? [{ property: "name", reason: problem }] : [];
}
