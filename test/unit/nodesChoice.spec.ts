// Which nodes `npm start -- --clusters local` gives the clusters (scripts/lib/node/capability.ts chooseNodes): real
// unless the machine cannot run them or an image of the stack's flavor cannot be built here, then kwok with the reason.
import * as assert from "assert";
import { FLAVORS } from "../../flavors";
import { CATALOG } from "../../scripts/lib/images/catalog";
import { chooseNodes, unbuildableImages } from "../../scripts/lib/node/capability";

const stack = (extra: Record<string, unknown> = {}) => ({ config: { "scrape-anywhere:role": "dev", "scrape-anywhere:flavor": "article", ...extra } });
const buildable = CATALOG.find((i) => i.name === "ziti-cli")!.reference;
const machineOk = () => undefined;

describe("local clusters: real or kwok nodes", function () {
    it("names every image of the article flavor as not buildable here, so `auto` picks kwok and says why", function () {
        const article = stack({ "scrape-anywhere:flavor": "article" });
        const missing = unbuildableImages(article);
        assert.deepStrictEqual(new Set(missing), new Set(Object.values(FLAVORS.article.images)));
        const c = chooseNodes("auto", article, machineOk);
        assert.strictEqual(c.nodes, "kwok");
        assert.ok(c.why!.startsWith(`kwok nodes: ${missing.length} image(s) of the article flavor cannot be built here (${missing[0]}, `), c.why);
        assert.ok(!c.why!.includes("\n"), "one line");
    });

    it("picks real nodes when every image of the stack is built here and the machine can run them", function () {
        const images = Object.fromEntries(Object.keys(FLAVORS.article.images).map((k) => [k, buildable]));
        assert.deepStrictEqual(unbuildableImages(stack({ "scrape-anywhere:images": images })), []);
        assert.deepStrictEqual(chooseNodes("auto", stack({ "scrape-anywhere:images": images }), machineOk), { nodes: "real" });
    });

    it("falls back to kwok with the machine's reason in one line", function () {
        const images = Object.fromEntries(Object.keys(FLAVORS.article.images).map((k) => [k, buildable]));
        const c = chooseNodes("auto", stack({ "scrape-anywhere:images": images }), () => "real nodes need root (network namespaces, cgroups, mounts)");
        assert.deepStrictEqual(c, { nodes: "kwok", why: "kwok nodes: real nodes need root (network namespaces, cgroups, mounts)" });
    });

    it("does what it is told with --nodes real or kwok, without looking", function () {
        let looked = false;
        assert.deepStrictEqual(chooseNodes("real", stack(), () => ((looked = true), "no")), { nodes: "real" });
        assert.deepStrictEqual(chooseNodes("kwok", stack(), () => ((looked = true), undefined)), { nodes: "kwok" });
        assert.strictEqual(looked, false);
    });
});
