// Generated hostile names and ids for the property-based tests (fast-check): quotes, backslash escapes, unicode,
// dots, slashes, URL syntax, ZQL syntax, whitespace and control characters, and long strings, mixed with plain text.
import fc from "fast-check";

/** Pieces that have broken URL building or the controller's filter somewhere. */
const FRAGMENTS = [
    ".", "..", "/", "\\", "\\n", "\\t", "\\\\", "\\\"", "\"", "'", "`", "%", "%2e", "%2F", "?", "#", "&", "=", "+", "@", "#all",
    " ", "\t", "\n", "\r", "\u0000", "\u007f", "\u00a0", "é", "ß", "名前", "🙂", "\u202e", "\ufeff", "-", "_", "*", "[", "]",
    "\"]", " or ", " and name != \"", "contains", "a", "svc", "kubeA", "x",
];

/** One hostile string: fragments and arbitrary unicode, up to `maxLength` characters (default 120). */
export function hostileString(maxLength = 120): fc.Arbitrary<string> {
    const piece = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) },
        { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
        { weight: 2, arbitrary: fc.stringMatching(/^[0-9A-Za-z._-]{1,12}$/) },
    );
    return fc.oneof(
        { weight: 6, arbitrary: fc.array(piece, { maxLength: 8 }).map((p) => p.join("").slice(0, maxLength)) },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength }) },
        // Long strings, past what short inputs reach.
        { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-z.]{1,4}$/), fc.integer({ min: 64, max: 400 })).map(([s, n]) => s.repeat(n).slice(0, n)) },
    );
}
