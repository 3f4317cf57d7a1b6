// A place's planned Ziti entities (a flavor's plan/types.ts ZitiEntity list) created on a controller through the
// program's own dynamic provider kinds, in plan order, as components/zitiBuilder.ts has the engine do it: identities
// enrolled by the provider (identityJson, ztAPI from the JWT's issuer), a service's configs by id, `@name` roles
// resolved by the provider. For tests that need the stack's identities without running the engine.
import * as pulumi from "@pulumi/pulumi";
import type { ZitiEntity } from "../../plan/types";
import { implementations as PROVIDERS } from "../../provider/providers";
import type { ZitiQuickstart } from "../../scripts/lib/zitiQuickstart";
import { configFor } from "./zitiController";
import { valueOf } from "./outputs";

export interface PlannedZiti {
    /** Provider outputs by Ziti name (an identity's `identityJson` among them). */
    outs: Map<string, any>;
    /** Deletes everything made, in reverse order. */
    destroy(): Promise<void>;
}

/** Creates `entities` on `ctl` with the provider configured for it (as the engine's `configure` does). */
export async function createPlanned(ctl: ZitiQuickstart, entities: ZitiEntity[]): Promise<PlannedZiti> {
    for (const p of Object.values(PROVIDERS)) await p.configure!({ config: configFor(ctl) });
    const outs = new Map<string, any>();
    const made: { kind: ZitiEntity["kind"]; id: string; outs: any }[] = [];
    const plain = async (v: unknown) => JSON.parse(JSON.stringify(await valueOf(v as pulumi.Input<unknown>)));
    for (const e of entities) {
        let inputs: Record<string, unknown>;
        switch (e.kind) {
            case "Identity":
                inputs = { name: e.name, type: e.type, roleAttributes: e.roleAttributes ?? [], isAdmin: false, enroll: e.enroll ?? true };
                break;
            case "Config":
                inputs = { name: e.name, configType: e.configType, data: await plain(e.data) };
                break;
            case "Service":
                inputs = { name: e.name, configs: e.configs.map((c) => outs.get(c).id) };
                break;
            case "ServicePolicy":
                inputs = { name: e.name, type: e.type, semantic: e.semantic, serviceRoles: await plain(e.serviceRoles), identityRoles: await plain(e.identityRoles) };
                break;
            case "EdgeRouterPolicy":
                inputs = { name: e.name, semantic: e.semantic, edgeRouterRoles: await plain(e.edgeRouterRoles), identityRoles: await plain(e.identityRoles) };
                break;
            case "ServiceEdgeRouterPolicy":
                inputs = { name: e.name, semantic: e.semantic, edgeRouterRoles: await plain(e.edgeRouterRoles), serviceRoles: await plain(e.serviceRoles) };
                break;
        }
        const r = await PROVIDERS[e.kind].create(inputs);
        outs.set(e.name, { ...r.outs, id: r.id });
        made.push({ kind: e.kind, id: r.id, outs: r.outs });
    }
    return {
        outs,
        async destroy() {
            for (const m of made.reverse()) await PROVIDERS[m.kind].delete!(m.id, m.outs);
        },
    };
}
