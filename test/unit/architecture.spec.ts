// The shape of the program (issue 25), checked on its source with the TypeScript compiler's own parser (no extra
// dependency; madge would read the same graph): no import circle, no file over 350 lines, no function over 80.
// Type-only imports count as edges: a circle of types is still a circle a reader has to untangle.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const root = path.resolve(__dirname, "..", "..");
/** The program's folders (tests, harnesses, bench and the policy pack are their own rooms and may import it). */
const PROGRAM = ["index.ts", "main.js", "boot", "config", "plan", "flavors", "components", "provider"];
const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 80;
/**
 * Files and functions over the limits that a change could not yet shrink. The test fails when an entry is no longer
 * needed, so these lists only shrink (both empty since the REST client and the CRUD skeleton were split, issue 25).
 */
const KNOWN_LONG_FILES = new Set<string>([]);
const KNOWN_LONG_FUNCTIONS = new Set<string>([]);

function programFiles(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        const abs = path.join(root, rel);
        if (!fs.existsSync(abs)) return;
        if (fs.statSync(abs).isDirectory()) {
            for (const f of fs.readdirSync(abs).sort()) walk(path.join(rel, f));
        } else if (/\.(ts|js)$/.test(rel) && !rel.endsWith(".d.ts")) {
            out.push(rel.split(path.sep).join("/"));
        }
    };
    PROGRAM.forEach(walk);
    return out;
}

/** The program files `file` imports (import, export ... from, import type, require, import()). */
function importsOf(file: string, known: Set<string>): string[] {
    const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), "utf8"), true, true);
    const out: string[] = [];
    for (const { fileName } of info.importedFiles) {
        if (!fileName.startsWith(".")) continue;
        const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
        const hit = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`].find(c => known.has(c));
        if (hit) out.push(hit);
    }
    return out;
}

/** Every elementary circle's first occurrence, as `a -> b -> a`, by depth-first search over the graph. */
export function findCircles(graph: Map<string, string[]>): string[] {
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (n: string) => {
        state.set(n, "open");
        stack.push(n);
        for (const m of graph.get(n) ?? []) {
            if (state.get(m) === "open") circles.push([...stack.slice(stack.indexOf(m)), m].join(" -> "));
            else if (!state.has(m)) visit(m);
        }
        stack.pop();
        state.set(n, "done");
    };
    [...graph.keys()].sort().forEach(n => state.has(n) || visit(n));
    return circles;
}

/** Functions (declarations, methods, arrows, expressions) longer than `max` lines, as `file:name (n lines)`. */
function longFunctions(file: string, max: number): string[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS);
    const out: string[] = [];
    const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
            const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
            const name = (node as ts.FunctionLikeDeclaration).name?.getText(sf)
                ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : `<anonymous at line ${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}>`);
            if (lines > max) out.push(`${file}:${name} (${lines} lines)`);
        }
        ts.forEachChild(node, visit);
    };
    visit(sf);
    return out;
}

describe("architecture (issue 25): the program's shape", () => {
    const files = programFiles();
    const known = new Set(files);
    const graph = new Map(files.map(f => [f, importsOf(f, known)]));

    it("reads the whole program: the entry, the components and the Ziti provider", () => {
        for (const f of ["main.js", "index.ts", "provider/index.ts", "components/index.ts"]) assert.ok(known.has(f), `${f} is not in the graph`);
        assert.ok((graph.get("index.ts") ?? []).length > 0, "index.ts imports nothing the graph knows: the resolver is broken");
    });

    it("finds a circle when there is one (the checker itself works)", () => {
        assert.deepStrictEqual(findCircles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])), ["a -> b -> c -> a"]);
        assert.deepStrictEqual(findCircles(new Map([["a", ["b"]], ["b", []]])), []);
    });

    it("has no import circle anywhere in the program", () => {
        const circles = findCircles(graph);
        assert.deepStrictEqual(circles, [], `import circles:\n  ${circles.join("\n  ")}`);
    });

    it(`has no file over ${MAX_FILE_LINES} lines`, () => {
        const long = files.map(f => [f, fs.readFileSync(path.join(root, f), "utf8").split("\n").length - 1] as const).filter(([, n]) => n > MAX_FILE_LINES);
        const unexpected = long.filter(([f]) => !KNOWN_LONG_FILES.has(f)).map(([f, n]) => `${f} (${n} lines)`);
        assert.deepStrictEqual(unexpected, [], `files over ${MAX_FILE_LINES} lines: split them by job`);
        const fixed = [...KNOWN_LONG_FILES].filter(f => !long.some(([g]) => g === f));
        assert.deepStrictEqual(fixed, [], "no longer over the limit: remove from KNOWN_LONG_FILES");
    });

    it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
        const long = files.flatMap(f => longFunctions(f, MAX_FUNCTION_LINES));
        const unexpected = long.filter(l => !KNOWN_LONG_FUNCTIONS.has(l.replace(/ \(\d+ lines\)$/, "")));
        assert.deepStrictEqual(unexpected, [], `functions over ${MAX_FUNCTION_LINES} lines: split them`);
        const fixed = [...KNOWN_LONG_FUNCTIONS].filter(k => !long.some(l => l.startsWith(`${k} (`)));
        assert.deepStrictEqual(fixed, [], "no longer over the limit: remove from KNOWN_LONG_FUNCTIONS");
    });
});
