// The stack configuration, declared in one place: its shapes and defaults (./types), the per-value checks
// (./checks), the validation of the whole (./parse) and reading it from the stack (./read). Every rule runs
// before the program creates any resource, so bad config fails the preview with the key and the fix.
// May import: plan/names (names and ConfigError), flavors/ (the registry, for `flavor` and the default images).
export * from "./types";
export { parseConfig, generatedClusterName } from "./parse";
export { readConfig } from "./read";
export { ClusterServiceNames, ConfigError, defaultServiceNames, kubernetesApiServiceName, validateScrapeName } from "../plan/names";
