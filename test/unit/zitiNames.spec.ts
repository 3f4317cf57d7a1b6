// Ziti names and ids, property-based (fast-check): whatever string comes in, an accepted id addresses exactly its
// own entity path (no URL normalisation), an accepted name holds nothing the controller's filter unescapes, and an
// accepted `@x` role is a usable name or id. The same generators run against the real controller in
// test/provider/names.spec.ts.
import * as assert from "assert";
import fc from "fast-check";
import { assertZitiId, entityPath, isZitiId, validateName, ZitiInvalidIdError } from "../../provider/names";
import { validateRoles } from "../../provider/roles";
import { hostileString } from "../helpers/hostile";

const BASE = "https://127.0.0.1:1280";

describe("ziti names and ids (property-based)", function () {
    it("an id is accepted only when the URL built from it addresses exactly that entity", function () {
        fc.assert(
            fc.property(hostileString(), (id) => {
                if (!isZitiId(id)) {
                    assert.throws(() => entityPath("identities", id), ZitiInvalidIdError);
                    return;
                }
                const url = new URL(entityPath("identities", id), BASE);
                assert.strictEqual(url.pathname, `/edge/management/v1/identities/${id}`);
                assert.strictEqual(url.search + url.hash, "");
            }),
            { numRuns: 500 },
        );
    });

    it("refuses the ids a URL normalises or re-reads: . .. empty slashes percent query", function () {
        for (const id of [".", "..", "", "a/b", "../identities", "%2e", "%2e%2e", "a?b", "a#b", " x", "x".repeat(65)]) {
            assert.throws(() => assertZitiId(id, "test"), ZitiInvalidIdError, JSON.stringify(id));
        }
        // "-dzIBkK7Kl" and ".4oQ7WOfO" are shortids as ziti v1.7.2 hands them out (seen in e2e runs).
        for (const id of ["R0QKx-SeP", "g7cIWbcGg", "-dzIBkK7Kl", ".4oQ7WOfO", "_x2kQ9aB1", "...", "3b1f1e52-2c9e-4a5e-9a43-0c7d3f0f7e11", "a.b"]) assert.strictEqual(assertZitiId(id, "test"), id);
    });

    it("a name is accepted only without surrounding space, backslash or control character", function () {
        fc.assert(
            fc.property(hostileString(), (name) => {
                const ok = validateName(name).length === 0;
                const expected = name.trim() === name && name !== "" && !/[\\\u0000-\u001f\u007f]/.test(name);
                assert.strictEqual(ok, expected, JSON.stringify(name));
            }),
            { numRuns: 500 },
        );
        assert.match(validateName("back\\nslash.svc")[0].reason, /backslash/);
    });

    it("an @x role is accepted only when x is a findable name or an id", function () {
        fc.assert(
            fc.property(hostileString(), (x) => {
                const ok = validateRoles("serviceRoles", [`@${x}`], true).length === 0;
                const usable = /^\S/.test(x) && `@${x}`.trim() === `@${x}` && (validateName(x).length === 0 || isZitiId(x));
                assert.strictEqual(ok, usable, JSON.stringify(x));
            }),
            { numRuns: 500 },
        );
        assert.strictEqual(validateRoles("serviceRoles", ["@back\\nslash.svc"], true).length, 1);
    });
});
