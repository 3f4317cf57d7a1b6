// Tier `flavor`'s shared setup: the world of test/helpers/podsWorld.ts (three clusters with real nodes, the Ziti
// network the pods reach, the dev stack's workspace), started once per mocha run and shared by every file of the tier
// (pods.spec.ts, remoteWrite.spec.ts): each file's `before` awaits `flavorPods()`, the first call starts it, a root
// `after` stops it at the end of the run. Each file sets the stack config it needs and runs `pulumi up`, so a file
// alone starts the same world. The readers are the world's (re-exported here).
import { FlavorPods, progress, secs, startPodsWorld, stopPodsWorld } from "../helpers/podsWorld";

export { CLUSTERS, FlavorPods, NS, progress, RunningContainer, secs, sleep, waitFor } from "../helpers/podsWorld";

let shared: Promise<FlavorPods> | undefined;
let world: FlavorPods | undefined;
let failed = false;

/** The tier's world: started by the first caller, shared by the rest. */
export function flavorPods(): Promise<FlavorPods> {
    shared = shared ?? startPodsWorld().then((w) => (world = w));
    return shared;
}

// Root hooks (this module is loaded while mocha loads the spec files): a failed test keeps the workspace for reading,
// and the world goes whole at the end.
afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
});
after(async function () {
    this.timeout(120_000);
    if (!shared) return;
    const w = world ?? (await shared.catch(() => undefined));
    if (w) await stopPodsWorld(w, failed);
    if (w) progress(`tier flavor: ${secs(Date.now() - w.startedAt)} in all`);
});
