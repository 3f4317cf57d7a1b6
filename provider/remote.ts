// What a Ziti resource stores as its provider (`__provider` in Pulumi state): a small loader, not the code.
//
// The SDK serializes a dynamic provider's closure into every resource's inputs and outputs. The full provider of
// a kind (./crud + ./client + ./settings + ./roles + the kind) is ~40 KB of text, so 39 Ziti resources carried
// 3.3 MB of a 4 MB checkpoint, and the file backend rewrites the whole checkpoint after every step: the engine's
// CPU grew with resources x checkpoint size (bench/RESULTS.md). The loader below is about a kilobyte per kind; in
// the provider process it finds the project's code, checks that it is the code it should run, and loads
// ./providers (the real providers, built by `makeProvider`) once through ./load.js (which registers ts-node,
// transpile only, as the program itself runs).
//
// Which code runs is deliberate, because `refresh`/`destroy` may run anywhere: the loader records, when the
// program serializes it, where this checkout is and what its provider code is (package version and a fingerprint
// of provider/). In the provider process it takes, in order, the folder SCRAPE_ANYWHERE_ZITI_CODE names,
// the folder the engine runs the provider in (the project folder), the recorded checkout; a folder qualifies only
// when its package.json is this project's at the recorded version (read as data: nothing there runs before it
// qualifies). None qualifying is an error that names each folder and what is wrong with it. Code of the same
// version whose fingerprint differs (the checkout was edited since) runs, with one note on stderr: the SDK lets a
// dynamic provider iterate, and every iteration must read the state of the earlier ones
// (@pulumi/pulumi cmd/dynamic-provider/index.js, diff).
import type * as pulumi from "@pulumi/pulumi";
import { ZITI_KINDS, ZitiKind } from "./kinds";

/** What a project folder holds, read as data: its package name and version and a fingerprint of its provider code. */
export function describeCode(root: string): { root: string; version?: string; fingerprint?: string; problem?: string } {
    const fs = require("fs");
    const path = require("path");
    const dir = path.join(root, "provider");
    let pkg: any;
    try {
        pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    } catch (e) {
        return { root, problem: `no readable package.json (${(e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message})` };
    }
    if (pkg?.name !== "scrape-anywhere") return { root, problem: `its package.json is not the scrape-anywhere project's` };
    if (!fs.existsSync(path.join(dir, "load.js"))) return { root, problem: "the Ziti provider code (provider/load.js) is missing" };
    const hash = require("crypto").createHash("sha256");
    for (const f of fs.readdirSync(dir).filter((f: string) => /\.(ts|js)$/.test(f)).sort()) hash.update(`${f}\0`).update(fs.readFileSync(path.join(dir, f))).update("\0");
    return { root, version: String(pkg.version), fingerprint: hash.digest("hex").slice(0, 16) };
}

/** This checkout's provider code, captured as plain data at serialization time. */
const RECORDED = describeCode(require("path").resolve(__dirname, ".."));

/** Picks the folder whose provider code runs (see the top of this file) and returns its ./load.js. */
export function locateProvider(recorded: { root: string; version?: string; fingerprint?: string }): (kind: string) => pulumi.dynamic.ResourceProvider {
    const env = process.env.SCRAPE_ANYWHERE_ZITI_CODE;
    const seen: string[] = [];
    let chosen: ReturnType<typeof describeCode> | undefined;
    for (const root of env ? [require("path").resolve(env)] : [process.cwd(), recorded.root]) {
        const d = describeCode(root);
        const problem = d.problem ?? (d.version !== recorded.version && !env ? `it is version ${d.version}, this resource was written by ${recorded.version}` : undefined);
        if (!problem) {
            chosen = d;
            break;
        }
        seen.push(`${root}: ${problem}`);
    }
    if (!chosen) {
        throw new Error(
            `the Ziti provider code for this resource (scrape-anywhere ${recorded.version}) was not found: ${seen.join("; ")}. ` +
                `Run pulumi from the scrape-anywhere project folder of that version, or set SCRAPE_ANYWHERE_ZITI_CODE to such a folder`,
        );
    }
    if (chosen.fingerprint !== recorded.fingerprint) {
        console.error(`note: the Ziti provider code in ${chosen.root} differs from the code that wrote this resource (${chosen.fingerprint}, was ${recorded.fingerprint}): running it`);
    }
    return require(require("path").join(chosen.root, "components", "ziti", "load.js"));
}

/** The real provider of `kind`, from the code `locateProvider` picks once per process. */
export function implementation(kind: string): pulumi.dynamic.ResourceProvider {
    const g = globalThis as any;
    const key = Symbol.for("scrape-anywhere.ziti.load");
    if (!g[key]) g[key] = locateProvider(RECORDED);
    return g[key](kind);
}

/** The provider object a Ziti resource class passes to `pulumi.dynamic.Resource`: each method delegates. */
export function remoteProvider(kind: string): pulumi.dynamic.ResourceProvider {
    return {
        configure: (req) => implementation(kind).configure!(req),
        check: (olds, news) => implementation(kind).check!(olds, news),
        diff: (id, olds, news) => implementation(kind).diff!(id, olds, news),
        create: (inputs) => implementation(kind).create(inputs),
        read: (id, props) => implementation(kind).read!(id, props),
        update: (id, olds, news) => implementation(kind).update!(id, olds, news),
        delete: (id, props) => implementation(kind).delete!(id, props),
    };
}

/** One loader object per kind, module-level: the SDK caches a provider's serialized form by object identity. */
export const remoteProviders = Object.fromEntries(ZITI_KINDS.map(({ kind }) => [kind, remoteProvider(kind)])) as Record<ZitiKind, pulumi.dynamic.ResourceProvider>;
