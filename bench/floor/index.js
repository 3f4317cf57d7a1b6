// The converge floor (issue 24): a program with the seed's resource graph whose provider does nothing. It reads
// graph.json (written by bench/lib/floorGraph.ts from the seed's checkpoint: every resource but the stack and the
// default providers, with its parent and dependencies) and registers, in the same order, a ComponentResource for
// each component and one no-op dynamic resource for each custom resource (Ziti entities, Kubernetes objects and
// providers alike), with the same parents and `dependsOn` the same dependencies: same count, same depth, same
// fan-out. `pulumi up` of this is what the engine, the SDK and one dynamic-provider process cost for that graph;
// everything the seed `up` spends above it is the program's, its providers' and the controller's.
// Plain JavaScript, the same SDK start-up hooks as the program (main.js), so the floor is not inflated by costs the
// program no longer pays.
"use strict";
require("./boot/stackTraces");
require("./boot/lazyArborist");
const pulumi = require("@pulumi/pulumi");
const graph = require("./graph.json");

// One module-level provider object (the SDK serializes it once per kind); create answers at once.
const noop = {
    async create(inputs) { return { id: `floor-${inputs.n}`, outs: inputs }; },
    async diff() { return { changes: false }; },
};

class Noop extends pulumi.dynamic.Resource {
    constructor(name, n, opts) { super(noop, name, { n }, opts, "floor", "Noop"); }
}
class Group extends pulumi.ComponentResource {
    constructor(type, name, opts) { super(type, name, {}, opts); }
}

const made = new Map();
graph.resources.forEach((r, n) => {
    const opts = {};
    if (r.parent && made.has(r.parent)) opts.parent = made.get(r.parent);
    const deps = r.dependencies.filter(d => made.has(d)).map(d => made.get(d));
    if (deps.length) opts.dependsOn = deps;
    // Custom resources are all of one type here, so the name carries the index (a Service and a Deployment may share one).
    made.set(r.urn, r.custom ? new Noop(`${r.name}-${n}`, n, opts) : new Group(r.type, r.name, opts));
});
