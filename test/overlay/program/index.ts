// The overlay test's program: the Ziti entities that make one dark scrape target reachable over
// the overlay by an authorized scraper, and by nobody else. Built only from the project's own
// Ziti resource classes (provider), so `pulumi up` / `pulumi destroy` of this program is
// what the overlay test proves.
import * as pulumi from "@pulumi/pulumi";
import * as ziti from "../../../provider";

const config = new pulumi.Config();
/** Distinguishes one test run's entities from another's on a shared controller (no `-`: scrapeable names). */
const runId = config.require("runId");
/** Port of the target's metrics endpoint on its own loopback (what host.v1 forwards to). */
const targetPort = config.requireNumber("targetPort");
/** Role attribute that grants Dial on the probe service. */
const scraperAttribute = `overlay${runId}scrapers`;

const n = (s: string) => `overlay${runId}.${s}`;

// Identities: the target's tunneler hosts the service; the scraper may dial it; the outsider is a
// fully enrolled identity on the same routers that has no Dial grant.
const target = new ziti.Identity("target", { name: n("target.id"), roleAttributes: [`overlay${runId}targets`] });
const scraper = new ziti.Identity("scraper", { name: n("scraper.id"), roleAttributes: [scraperAttribute] });
const outsider = new ziti.Identity("outsider", { name: n("outsider.id"), roleAttributes: [`overlay${runId}outsiders`] });

const intercept = new ziti.Config("probe-intercept", {
    name: n("probe.intercept"),
    configType: "intercept.v1",
    data: {
        protocols: ["tcp"],
        addresses: [`probe${runId}.overlay.ziti`],
        portRanges: [{ low: targetPort, high: targetPort }],
    },
});
const host = new ziti.Config("probe-host", {
    name: n("probe.host"),
    configType: "host.v1",
    data: { protocol: "tcp", address: "127.0.0.1", port: targetPort },
});

const service = new ziti.Service("probe", {
    name: n("probe.svc"),
    configs: [intercept.id, host.id],
});

const svcRole = pulumi.interpolate`@${service.name}`;

new ziti.ServicePolicy("probe-bind", {
    name: n("probe.bind"),
    type: "Bind",
    serviceRoles: [svcRole],
    identityRoles: [pulumi.interpolate`@${target.name}`],
});
const dial = new ziti.ServicePolicy(
    "probe-dial",
    {
        name: n("probe.dial"),
        type: "Dial",
        serviceRoles: [svcRole],
        identityRoles: [`#${scraperAttribute}`],
    },
    { dependsOn: [scraper] },
);

// Every identity of this test (the outsider too) may use every edge router, and the service may be
// carried by every edge router: the outsider lacks only the Dial grant.
new ziti.EdgeRouterPolicy(
    "routers",
    {
        name: n("routers"),
        edgeRouterRoles: ["#all"],
        identityRoles: [`#overlay${runId}targets`, `#${scraperAttribute}`, `#overlay${runId}outsiders`],
    },
    { dependsOn: [target, scraper, outsider] },
);
new ziti.ServiceEdgeRouterPolicy("probe-routers", {
    name: n("probe.routers"),
    edgeRouterRoles: ["#all"],
    serviceRoles: [svcRole],
});

export const serviceName = service.name;
export const serviceId = service.id;
export const dialPolicyName = dial.name;
export const targetIdentityJson = pulumi.secret(target.identityJson);
export const scraperIdentityJson = pulumi.secret(scraper.identityJson);
export const outsiderIdentityJson = pulumi.secret(outsider.identityJson);
