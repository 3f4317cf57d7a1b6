// The components of scrape-anywhere. The Ziti resource classes live in ./ziti.
export * from "../config";
export * from "../flavors/article/prometheusConfig";
export * from "../plan/prometheusConfig";
export * from "./cluster";
export * from "./hybridCluster";
export * from "./darkCluster";
export * from "./centralPrometheus";
export * from "./reflectz";
export * from "./kubernetes";
export * from "./workloads";
export * from "../flavors/article/pods";
export * from "./zitiEntities";
export * from "./stackReferences";
export * from "./topology";
export * from "./kubernetesApi";
export * from "./apiOverZiti";
