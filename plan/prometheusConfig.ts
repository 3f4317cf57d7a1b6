// prometheus.yml as text: the plan renders the configuration object a flavor answers (flavors/types.ts), so every
// flavor's config is written the same way.
import * as YAML from "yaml";

/** Renders a Prometheus configuration object as YAML (plain: no anchors/aliases for shared objects). */
export function renderPrometheusConfig(config: Record<string, unknown>): string {
    return YAML.stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}
