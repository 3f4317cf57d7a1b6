// What a Ziti resource stores as its provider (`__provider` in Pulumi state): a small loader, not the code.
//
// The SDK serializes a dynamic provider's closure into every resource's inputs and outputs. The full provider of
// a kind (./crud + ./client + ./settings + ./roles + the kind) is ~40 KB of text, so 39 Ziti resources carried
// 3.3 MB of a 4 MB checkpoint, and the file backend rewrites the whole checkpoint after every step: the engine's
// CPU grew with resources x checkpoint size (bench/RESULTS.md). The loader below is a few hundred bytes per kind;
// in the provider process it loads ./providers (the real providers, built by `makeProvider`) once, from the
// project directory the engine runs the provider in, else from where this checkout was at serialization time.
// Without a compiled `.js`, it registers ts-node (transpile only), as the program itself runs.
import type * as pulumi from "@pulumi/pulumi";

/** ./providers of this checkout, captured as a plain string at serialization time (fallback location). */
const CHECKOUT_PROVIDERS: string = require("path").join(__dirname, "providers");

/** The real provider of `kind`, loaded once per process. */
export function implementation(kind: string): pulumi.dynamic.ResourceProvider {
    const key = Symbol.for("scrape-anywhere.ziti.providers");
    const g = globalThis as any;
    if (!g[key]) {
        const path = require("path") as typeof import("path");
        const fs = require("fs") as typeof import("fs");
        const candidates = [path.join(process.cwd(), "components", "ziti", "providers"), CHECKOUT_PROVIDERS];
        const file = candidates.find((p) => fs.existsSync(`${p}.js`) || fs.existsSync(`${p}.ts`));
        if (!file) {
            throw new Error(`the Ziti provider code (components/ziti/providers.ts) is neither under ${process.cwd()} nor at ${CHECKOUT_PROVIDERS}: ` +
                "run pulumi in the scrape-anywhere project directory");
        }
        if (!fs.existsSync(`${file}.js`) && !require.extensions[".ts"]) {
            const root = path.resolve(path.dirname(file), "..", "..");
            const tsNode = require(require.resolve("ts-node", { paths: [root, process.cwd()] }));
            tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
        }
        g[key] = require(file).implementations;
    }
    const provider = g[key][kind];
    if (!provider) throw new Error(`no Ziti provider for kind ${kind}`);
    return provider;
}

/** The provider object a Ziti resource class passes to `pulumi.dynamic.Resource`: each method delegates. */
export function remoteProvider(kind: string): pulumi.dynamic.ResourceProvider {
    return {
        async configure(req) {
            return implementation(kind).configure!(req);
        },
        async check(olds, news) {
            return implementation(kind).check!(olds, news);
        },
        async diff(id, olds, news) {
            return implementation(kind).diff!(id, olds, news);
        },
        async create(inputs) {
            return implementation(kind).create(inputs);
        },
        async read(id, props) {
            return implementation(kind).read!(id, props);
        },
        async update(id, olds, news) {
            return implementation(kind).update!(id, olds, news);
        },
        async delete(id, props) {
            return implementation(kind).delete!(id, props);
        },
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
