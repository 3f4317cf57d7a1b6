// What a Ziti resource stores as its provider (`__provider` in Pulumi state): a small loader, not the code.
//
// The SDK serializes a dynamic provider's closure into every resource's inputs and outputs. The full provider of
// a kind (./crud + ./client + ./settings + ./roles + the kind) is ~40 KB of text, so 39 Ziti resources carried
// 3.3 MB of a 4 MB checkpoint, and the file backend rewrites the whole checkpoint after every step: the engine's
// CPU grew with resources x checkpoint size (bench/RESULTS.md). The loader below is a few hundred bytes per kind;
// in the provider process it loads ./providers (the real providers, built by `makeProvider`) once, from the
// project directory the engine runs the provider in, else from where this checkout was at serialization time,
// through ./load.js (which loads the .ts files through ../transpileCache.js unless the process compiles TypeScript).
import type * as pulumi from "@pulumi/pulumi";

/** ./load.js of this checkout, captured as a plain string at serialization time (fallback location). */
const CHECKOUT_LOADER: string = require("path").join(__dirname, "load.js");

/**
 * The real provider of `kind`: ./load.js of the project directory the engine runs the provider process in, else of
 * this checkout. Kept short on purpose: its text is in every Ziti resource's state, twice.
 */
export function implementation(kind: string): pulumi.dynamic.ResourceProvider {
    const g = globalThis as any;
    const key = Symbol.for("scrape-anywhere.ziti.load");
    if (!g[key]) {
        const local = require("path").resolve("components/ziti/load.js");
        g[key] = require(require("fs").existsSync(local) ? local : CHECKOUT_LOADER);
    }
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
export const remoteProviders = {
    Identity: remoteProvider("Identity"),
    Config: remoteProvider("Config"),
    Service: remoteProvider("Service"),
    ServicePolicy: remoteProvider("ServicePolicy"),
    EdgeRouterPolicy: remoteProvider("EdgeRouterPolicy"),
    ServiceEdgeRouterPolicy: remoteProvider("ServiceEdgeRouterPolicy"),
};
