// The stack configuration, declared once: the schema (./schema: every key's type, default, message and docs), the
// validated shapes the plan reads (./types), checking a value against the schema (./validate), the rules between
// keys (./parse), reading the stack (./read) and the README table / Pulumi.yaml block made from the schema (./docs).
// Every rule runs before the program creates any resource, so bad config fails the preview with the key and the fix.
// May import: plan/names and plan/places (names, ConfigError, the entity listing), flavors/ (the registry: `flavor`,
// its default and the flavors' images).
export * from "./types";
export { CLUSTER_KINDS, CONFIG_KEYS, keyDefault, networkPolicyDefault, RawConfig, STACK_ROLES, STRUCTURED_KEYS } from "./schema";
export type { CentralPlacement, ClusterKind, StackRole } from "./schema";
export { parseConfig, generatedClusterName } from "./parse";
export { rawFromText, readConfig } from "./read";
export { ClusterServiceNames, ConfigError, defaultServiceNames, kubernetesApiServiceName, validateScrapeName } from "../plan/names";
