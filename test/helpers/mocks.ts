// Pulumi mocks for the unit tier: records every registered resource and answers with plausible state,
// including enrolled identity JSON for Ziti identities and outputs for StackReferences.
import * as pulumi from "@pulumi/pulumi";

/** Marks fake private keys so tests can find where identity material went. */
export const KEY_MARKER = "FAKE-ZITI-PRIVATE-KEY";
export const JWT_MARKER = "FAKE-ZITI-ENROLLMENT-JWT";

export const ZITI = (kind: string) => `pulumi-nodejs:dynamic/ziti:${kind}`;

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
    provider?: string;
}

/** The identity JSON the mocked provider "enrolls" for `name`. */
export function fakeIdentityJson(name: string): string {
    return JSON.stringify({
        ztAPI: "https://127.0.0.1:1280/edge/client/v1",
        // A stand-in, not key material: the PEM header is assembled so no tracked file looks like a real key.
        id: { key: `pem:-----${["BEGIN", "PRIVATE", "KEY"].join(" ")}-----${KEY_MARKER}(${name})`, cert: `pem:CERT(${name})`, ca: "pem:CA" },
    });
}

export class RecordingMocks implements pulumi.runtime.Mocks {
    public readonly resources: Registered[] = [];
    /** Outputs of referenced stacks, by stack name, for `pulumi:pulumi:StackReference`. */
    public stackOutputs: Record<string, Record<string, unknown>> = {};

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        const id = `${args.name}-id`;
        if (args.type === "pulumi:pulumi:StackReference") {
            const name = args.inputs.name as string;
            return { id: name, state: { name, outputs: this.stackOutputs[name] ?? {}, secretOutputNames: [] } };
        }
        if (args.type.startsWith("pulumi-nodejs:dynamic/ziti:")) {
            const state: Record<string, unknown> = { ...args.inputs, id };
            delete state.__provider;
            if (args.type === ZITI("Identity")) {
                const enroll = args.inputs.enroll !== false;
                state.type = args.inputs.type ?? "Device";
                state.roleAttributes = args.inputs.roleAttributes ?? [];
                state.enroll = enroll;
                state.enrollmentJwt = enroll ? "" : `${JWT_MARKER}(${args.inputs.name})`;
                state.identityJson = enroll ? fakeIdentityJson(args.inputs.name) : "";
            }
            return { id, state };
        }
        return { id, state: args.inputs };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        return args.inputs;
    }

    ofType(type: string): Registered[] {
        return this.resources.filter(r => r.type === type);
    }

    /** The one resource of `type` named `name`; throws with what there is otherwise. */
    one(type: string, name: string): Registered {
        const found = this.resources.filter(r => r.type === type && r.name === name);
        if (found.length !== 1) {
            throw new Error(`expected one ${type} named ${name}, found ${found.length}; ${type}: ${this.ofType(type).map(r => r.name).join(", ")}`);
        }
        return found[0];
    }

    /** Waits until no resource has been registered for a while (registrations resolve asynchronously). */
    async settled(quietMs = 150, maxMs = 15000): Promise<void> {
        const start = Date.now();
        let count = -1;
        while (Date.now() - start < maxMs) {
            if (this.resources.length === count) return;
            count = this.resources.length;
            await new Promise(r => setTimeout(r, quietMs));
        }
        throw new Error(`registrations did not settle within ${maxMs}ms`);
    }
}

/** Stack config as `pulumi config` would hold it: objects and lists as JSON text. */
export function stackConfig(values: Record<string, unknown>, namespace = "scrape-anywhere"): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        out[k.includes(":") ? k : `${namespace}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/** Installs fresh mocks and config for `stack`; call before importing the program or components. */
export async function useMocks(stack: string, config: Record<string, unknown> = {}): Promise<RecordingMocks> {
    const mocks = new RecordingMocks();
    await pulumi.runtime.setMocks(mocks, "scrape-anywhere", stack, false);
    pulumi.runtime.setAllConfig(stackConfig(config));
    return mocks;
}

/** Unwraps mocked secret values (`{4dabf18193072939515e22adb298388d: ..., value}`) recursively. */
export function unsecret(v: any): any {
    if (Array.isArray(v)) return v.map(unsecret);
    if (v && typeof v === "object") {
        if ("4dabf18193072939515e22adb298388d" in v && "value" in v) return unsecret(v.value);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsecret(x)]));
    }
    return v;
}

/** Imports index.ts afresh (it runs at import), after mocks and config are in place. */
export async function importProgram(): Promise<typeof import("../../index")> {
    const path = require.resolve("../../index");
    delete require.cache[path];
    return await import("../../index");
}
