// The policy pack. This is the only file that constructs a PolicyPack (which starts the gRPC
// server); tests and docs import ./rules instead.
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("scrape-anywhere", {
    policies: rules,
    description: "No exposed ports, no Service in a dark cluster, Prometheus scrapes over Ziti, zero-trust Ziti grants.",
    displayName: "scrape-anywhere",
    tags: ["kubernetes", "docker", "openziti", "prometheus"],
});
