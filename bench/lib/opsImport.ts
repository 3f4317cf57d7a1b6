// The input of `ziti ops import` (bench/baseline-import.sh) for a list of planned entities (test/helpers/planEntities.ts):
// the same names, attributes, configs and roles the program makes.
//
// The format is what `ziti ops export` writes and `ziti ops import` reads in OpenZiti v1.7.2
// (openziti/ziti ziti/cmd/ascode/importer/*.go and its ziti/cmd/ascode/test.yaml): top-level lists `configs`,
// `services`, `identities`, `serviceEdgeRouterPolicies`, `servicePolicies`, `edgeRouterPolicies` (imported in that
// order); references by name with one leading character stripped (`configType: "@intercept.v1"`, `configs:
// ["@<config>"]`, roles `@<name>`; `#` roles pass through); each identity needs `authPolicy` (`@Default`: the
// importer dereferences it unguarded) and gets the type `Default`. The exporter writes no `enrollment`; the
// importer passes the JSON through to the create request, so `enrollment: {ott: true}` gives each identity its
// one-time token, as `ziti edge create identity` does.
import { enrolled, PlainEntity } from "../../test/helpers/planEntities";

export interface ImportPlan {
    /** The `ziti ops import` document. */
    document: Record<string, unknown[]>;
    /** Identities the provider enrolls, enrolled with `ziti edge enroll` after the import, in plan order. */
    enroll: string[];
}

export function importPlan(es: PlainEntity[]): ImportPlan {
    const d = { configs: [] as unknown[], services: [] as unknown[], identities: [] as unknown[], serviceEdgeRouterPolicies: [] as unknown[],
        servicePolicies: [] as unknown[], edgeRouterPolicies: [] as unknown[] };
    for (const e of es) {
        switch (e.kind) {
            case "Identity":
                d.identities.push({ name: e.name, authPolicy: "@Default", isAdmin: false, roleAttributes: e.roleAttributes ?? [], enrollment: { ott: true }, tags: {} });
                break;
            case "Config":
                d.configs.push({ name: e.name, configType: `@${e.configType}`, data: e.data, tags: {} });
                break;
            case "Service":
                d.services.push({ name: e.name, configs: e.configs.map(c => `@${c}`), encryptionRequired: true, roleAttributes: [], tags: {} });
                break;
            case "ServicePolicy":
                d.servicePolicies.push({ name: e.name, type: e.type, semantic: e.semantic, serviceRoles: e.serviceRoles, identityRoles: e.identityRoles, postureCheckRoles: [], tags: {} });
                break;
            case "EdgeRouterPolicy":
                d.edgeRouterPolicies.push({ name: e.name, semantic: e.semantic, edgeRouterRoles: e.edgeRouterRoles, identityRoles: e.identityRoles, tags: {} });
                break;
            case "ServiceEdgeRouterPolicy":
                d.serviceEdgeRouterPolicies.push({ name: e.name, semantic: e.semantic, edgeRouterRoles: e.edgeRouterRoles, serviceRoles: e.serviceRoles, tags: {} });
                break;
        }
    }
    return { document: d, enroll: enrolled(es) };
}
