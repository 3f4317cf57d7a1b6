// npm start's client enrollment (scripts/enrollClients.ts): when a client's identity file is enrolled again, kept,
// or cannot be made, decided from the stack's one-time JWT and the identity id recorded beside the file.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { enrollmentNeeded, jwtSubject } from "../../scripts/enrollClients";

const jwt = (sub: string) => `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub, em: "ott" })).toString("base64url")}.c2ln`;

describe("npm start: the dev stack's client identities enrolled into .state/clients", () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-clients-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads the identity id (sub) of an enrollment JWT, and nothing from a malformed one", () => {
        assert.strictEqual(jwtSubject(jwt("abc123")), "abc123");
        assert.strictEqual(jwtSubject("not-a-jwt"), undefined);
    });

    it("enrolls a client with no file, keeps one enrolled for the same identity, enrolls again for another", () => {
        assert.deepStrictEqual(enrollmentNeeded(dir, "dev.client", jwt("id1")), { enroll: true, why: "not enrolled here yet" });
        fs.writeFileSync(path.join(dir, "dev.client.json"), "{}");
        fs.writeFileSync(path.join(dir, "dev.client.id"), "id1\n");
        assert.deepStrictEqual(enrollmentNeeded(dir, "dev.client", jwt("id1")), { enroll: false });
        const again = enrollmentNeeded(dir, "dev.client", jwt("id2"));
        assert.ok(again.enroll && /another identity than the one .*dev\.client\.json was enrolled for/.test(again.why));
    });

    it("leaves a file it did not write (no record beside it: enrolled by hand) as it is", () => {
        fs.writeFileSync(path.join(dir, "dev.client.json"), "{}");
        assert.deepStrictEqual(enrollmentNeeded(dir, "dev.client", jwt("id1")), { enroll: false });
    });

    it("without a token: keeps an existing file, and says so in one line when there is none", () => {
        const none = enrollmentNeeded(dir, "dev.client", undefined);
        assert.ok(!none.enroll && "why" in none && /no enrollment token for dev\.client/.test(none.why) && !none.why.includes("\n"));
        fs.writeFileSync(path.join(dir, "dev.client.json"), "{}");
        assert.deepStrictEqual(enrollmentNeeded(dir, "dev.client", undefined), { enroll: false });
    });
});
