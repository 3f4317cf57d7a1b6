// Reads the current stack's `scrape-anywhere:*` keys and validates them. The engine hands every value over as text:
// keys whose schema is not text-only (lists, objects, numbers, booleans) arrive as JSON.
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "./parse";
import { CONFIG_KEYS, RawConfig, STRUCTURED_KEYS } from "./schema";
import type { ScrapeAnywhereConfig } from "./types";

/** The raw config from each key's text (`get` answers like `pulumi.Config.get`). */
export function rawFromText(get: (key: string) => string | undefined): RawConfig {
    const raw: Record<string, unknown> = {};
    for (const key of CONFIG_KEYS) {
        const text = get(key);
        if (text === undefined) continue;
        let value: unknown = text;
        if (STRUCTURED_KEYS.has(key)) {
            try {
                value = JSON.parse(text);
            } catch {
                // A bare word where a list or object belongs: the schema reports it with the key's expected shape.
            }
        }
        raw[key] = value;
    }
    return raw as RawConfig;
}

/** Reads and validates the current stack's `scrape-anywhere:*` config. */
export function readConfig(): ScrapeAnywhereConfig {
    const config = new pulumi.Config("scrape-anywhere");
    return parseConfig(rawFromText(k => config.get(k)), pulumi.getStack());
}
