// The input of `ziti ops import` (bench/baseline-import.sh) for the entity set `pulumi up` makes: the same names,
// attributes, configs and roles as bench/baseline-cli.sh makes one CLI call at a time (the bench checks that all
// three leave the same entities on the controller).
//
// The format is what `ziti ops export` writes and `ziti ops import` reads in OpenZiti v1.7.2
// (openziti/ziti ziti/cmd/ascode/importer/*.go and its ziti/cmd/ascode/test.yaml): top-level lists `configs`,
// `services`, `identities`, `serviceEdgeRouterPolicies`, `servicePolicies`, `edgeRouterPolicies` (imported in that
// order); references by name with one leading character stripped (`configType: "@intercept.v1"`, `configs:
// ["@<config>"]`, roles `@<name>`; `#` roles pass through); each identity needs `authPolicy` (`@Default`: the
// importer dereferences it unguarded) and gets the type `Default`. The exporter writes no `enrollment`; the
// importer passes the JSON through to the create request, so `enrollment: {ott: true}` gives each identity its
// one-time token, as `ziti edge create identity` does.

export interface ImportPlan {
    /** The `ziti ops import` document. */
    document: Record<string, unknown[]>;
    /** Identities the walkthrough enrolls (with `ziti edge enroll`), in order. */
    enroll: string[];
    /** Identities left un-enrolled (human clients: they get the JWT). */
    unenrolled: string[];
}

const REFLECTZ_CLIENTS = "reflectz-clients";
const PROMETHEUS_CLIENTS = "prometheus-clients";

/**
 * The plan for the seed topology's settings (the `scrape-anywhere:*` keys: `clusters` [{name, kind}], `central`
 * {name}, `clientIdentities`), as bench/baseline-cli.sh reads them from its arguments.
 */
export function importPlan(seed: Record<string, any>, namespace = "monitoring"): ImportPlan {
    const configs: any[] = [];
    const services: any[] = [];
    const identities: any[] = [];
    const servicePolicies: any[] = [];
    const edgeRouterPolicies: any[] = [];
    const serviceEdgeRouterPolicies: any[] = [];
    const enroll: string[] = [];
    const unenrolled: string[] = [];

    const identity = (name: string, attrs: string[], enrolled = true) => {
        identities.push({ name, authPolicy: "@Default", isAdmin: false, roleAttributes: attrs, enrollment: { ott: true }, tags: {} });
        (enrolled ? enroll : unenrolled).push(name);
    };
    const intercept = (svc: string, dial?: string) => configs.push({
        name: `${svc}.intercept.v1`, configType: "@intercept.v1", tags: {},
        data: { protocols: ["tcp"], addresses: [`${svc}.ziti`], portRanges: [{ low: 80, high: 80 }], ...(dial ? { dialOptions: { identity: dial } } : {}) },
    });
    const service = (name: string, cfgs: string[]) => services.push({ name, configs: cfgs.map((c) => `@${c}`), encryptionRequired: true, roleAttributes: [], tags: {} });
    const policy = (name: string, type: "Bind" | "Dial", svcs: string[], ids: string[]) =>
        servicePolicies.push({ name, type, semantic: "AnyOf", serviceRoles: svcs, identityRoles: ids, postureCheckRoles: [], tags: {} });
    const erp = (name: string, ids: string[]) => edgeRouterPolicies.push({ name, semantic: "AnyOf", edgeRouterRoles: ["#all"], identityRoles: ids, tags: {} });
    const serp = (name: string, svcs: string[]) => serviceEdgeRouterPolicies.push({ name, semantic: "AnyOf", edgeRouterRoles: ["#all"], serviceRoles: svcs, tags: {} });

    for (const cl of seed.clusters ?? []) {
        const c: string = cl.name;
        const hybrid = (cl.kind ?? "hybrid") === "hybrid";
        identity(`${c}.reflect.id`, []);
        identity(`${c}.prometheus.id`, [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS]);
        if (hybrid) identity(`${c}.ziti.id`, []);
        intercept(`${c}.reflect.svc`);
        intercept(`${c}.reflect.scrape.svc`, `${c}.reflect.id`);
        const promConfigs = [`${c}.prometheus.svc.intercept.v1`];
        if (hybrid) {
            intercept(`${c}.prometheus.svc`);
            configs.push({ name: `${c}.prometheus.svc.host.v1`, configType: "@host.v1", tags: {}, data: { protocol: "tcp", address: `prometheus.${cl.namespace ?? namespace}.svc`, port: 80 } });
            promConfigs.push(`${c}.prometheus.svc.host.v1`);
        } else {
            intercept(`${c}.prometheus.svc`, `${c}.prometheus.id`);
        }
        service(`${c}.reflect.svc`, [`${c}.reflect.svc.intercept.v1`]);
        service(`${c}.reflect.scrape.svc`, [`${c}.reflect.scrape.svc.intercept.v1`]);
        service(`${c}.prometheus.svc`, promConfigs);
        const reflect = [`@${c}.reflect.svc`, `@${c}.reflect.scrape.svc`];
        policy(`${c}.reflect.bind`, "Bind", reflect, [`@${c}.reflect.id`]);
        policy(`${c}.reflect.dial`, "Dial", reflect, [`#${REFLECTZ_CLIENTS}`]);
        policy(`${c}.prometheus.bind`, "Bind", [`@${c}.prometheus.svc`], [hybrid ? `@${c}.ziti.id` : `@${c}.prometheus.id`]);
        policy(`${c}.prometheus.dial`, "Dial", [`@${c}.prometheus.svc`], [`#${PROMETHEUS_CLIENTS}`]);
        erp(`${c}.edge-router-policy`, [`@${c}.reflect.id`, `@${c}.prometheus.id`, ...(hybrid ? [`@${c}.ziti.id`] : [])]);
        serp(`${c}.service-edge-router-policy`, [...reflect, `@${c}.prometheus.svc`]);
    }
    if (seed.central) {
        const n: string = seed.central.name ?? "central";
        identity(`${n}.prometheus.id`, [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS]);
        intercept(`${n}.prometheus.svc`, `${n}.prometheus.id`);
        service(`${n}.prometheus.svc`, [`${n}.prometheus.svc.intercept.v1`]);
        policy(`${n}.prometheus.bind`, "Bind", [`@${n}.prometheus.svc`], [`@${n}.prometheus.id`]);
        policy(`${n}.prometheus.dial`, "Dial", [`@${n}.prometheus.svc`], [`#${PROMETHEUS_CLIENTS}`]);
        erp(`${n}.edge-router-policy`, [`@${n}.prometheus.id`]);
        serp(`${n}.service-edge-router-policy`, [`@${n}.prometheus.svc`]);
    }
    const clients: string[] = seed.clientIdentities ?? [];
    for (const cl of clients) identity(cl, [REFLECTZ_CLIENTS, PROMETHEUS_CLIENTS], false);
    if (clients.length) erp("clients.edge-router-policy", clients.map((c) => `@${c}`));
    return { document: { configs, services, identities, serviceEdgeRouterPolicies, servicePolicies, edgeRouterPolicies }, enroll, unenrolled };
}
