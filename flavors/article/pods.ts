// One module per workload image: its contract (image, pinned tag, user, identity path, env, flags,
// listeners; each fact with its upstream source) and the container or pod built from it.
export * from "./restricted";
export * from "./prometheus";
export * from "./configmapReload";
export * from "./configmapReloadz";
export * from "./reflectz";
export * from "./zitiHost";
