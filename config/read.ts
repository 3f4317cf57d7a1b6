// Reads the current stack's `scrape-anywhere:*` keys (structured ones arrive as JSON text) and validates them.
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "./parse";
import { CONFIG_KEYS, RawConfig, ScrapeAnywhereConfig, STRUCTURED_KEYS } from "./types";

/** Reads and validates the current stack's `scrape-anywhere:*` config. */
export function readConfig(): ScrapeAnywhereConfig {
    const config = new pulumi.Config("scrape-anywhere");
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        const text = config.get(key);
        if (text === undefined) continue;
        let value: unknown = text;
        if (STRUCTURED_KEYS.has(key)) {
            try {
                value = JSON.parse(text);
            } catch {
                // A bare word where a list or object belongs: parseConfig reports it with the key's expected shape.
            }
        }
        (raw as Record<string, unknown>)[key] = value;
    }
    return parseConfig(raw, pulumi.getStack());
}
