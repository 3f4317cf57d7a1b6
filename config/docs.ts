// What the schema (./schema.ts) says, written for people: the README's config table and Pulumi.yaml's `config:`
// block. Pure (text in, text out); scripts/configDocs.ts writes the files, test/unit/configDocs.spec.ts fails when
// either is stale.
import type { TSchema } from "@sinclair/typebox";
import * as YAML from "yaml";
import { ConfigSchema, KeyDocs } from "./schema";

type Documented = TSchema & KeyDocs;

/** The words of a union of literals (`role`, `kind`), or undefined. */
function words(s: Documented): string[] | undefined {
    const members = s.anyOf as Documented[] | undefined;
    if (!members || !members.every(m => m.const !== undefined)) return undefined;
    return members.map(m => String(m.const));
}

const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;

/** One field of a nested object: `kind?: hybrid|dark (default hybrid)`, `tlsServerName?: kubernetes.default.svc`, `serviceNames?: {...}`. */
function fieldText(k: string, p: Documented, required: boolean): string {
    const name = `${k}${required ? "" : "?"}`;
    if (p.ownRow) return name;
    const w = words(p);
    if (w) return `${name}: ${w.join("|")}${p.default !== undefined ? ` (default ${p.default})` : ""}`;
    if (p.type === "object") return `${name}: ${objectText(p)}`;
    const dflt = p.defaultText?.replace(/`/g, "") ?? p.default;
    return dflt !== undefined ? `${name}: ${dflt}` : name;
}

/** A nested object as `{name, kind?: hybrid|dark (default hybrid), namespace?, ...}`. */
function objectText(s: Documented): string {
    const required = new Set<string>(s.required ?? []);
    return `{${Object.entries<Documented>(s.properties).map(([k, p]) => fieldText(k, p, required.has(k))).join(", ")}}`;
}

/** The type column's text of a key. */
function typeText(s: Documented): string {
    if (s.docType) return s.docType;
    const w = words(s);
    if (w) return w.map(code).join(" | ");
    if (s.type === "object") return code(objectText(s));
    if (s.type === "array") return `list of ${code(objectText(s.items))}`;
    return s.type === "integer" ? "integer" : "string";
}

function defaultText(s: Documented): string {
    if (s.defaultText) return `default ${s.defaultText}`;
    if (s.default === undefined || (typeof s.default === "object" && !Array.isArray(s.default))) return "";
    return `default ${code(s.default)}`;
}

function row(key: string, s: Documented): string {
    const type = [typeText(s), defaultText(s)].filter(Boolean).join("; ");
    const cells = [code(key), type, s.stacks ?? "", s.description ?? ""];
    return `| ${cells.map(c => c.replace(/\|/g, "\\|").replace(/\\\\\|/g, "\\|")).join(" | ")} |`;
}

/** The README's config table: one row per key, then the nested keys that have a row of their own. */
export function readmeConfigTable(): string {
    const top = Object.entries<Documented>(ConfigSchema.properties);
    const nested = top.flatMap(([k, s]) => {
        const obj: Documented | undefined = s.type === "array" ? s.items : s.type === "object" ? s : undefined;
        return Object.entries<Documented>(obj?.properties ?? {}).filter(([, p]) => p.ownRow).map(([n, p]) => [`${k}${s.type === "array" ? "[]" : ""}.${n}`, p] as const);
    });
    return ["| key | type / default | stacks | meaning |", "|---|---|---|---|", ...[...top, ...nested].map(([k, s]) => row(k, s))].join("\n");
}

/** The Pulumi project type of a key that has one (text, a whole number, a boolean) and a fixed default. */
function projectType(s: Documented): "string" | "integer" | "boolean" | undefined {
    if (s.default === undefined || typeof s.default === "object") return undefined;
    return typeof s.default === "number" ? "integer" : typeof s.default === "boolean" ? "boolean" : "string";
}

/** Pulumi.yaml's `config:` block: every key with a plain type and a fixed default, as the schema declares it. */
export function projectConfig(): Record<string, { type: string; description: string; default: unknown }> {
    const out: Record<string, { type: string; description: string; default: unknown }> = {};
    for (const [k, s] of Object.entries<Documented>(ConfigSchema.properties)) {
        const type = projectType(s);
        if (type) out[k] = { type, description: s.description ?? "", default: s.default };
    }
    return out;
}

/** The `config:` block as Pulumi.yaml holds it (the last section of the file). */
export function projectConfigYaml(): string {
    return "config:\n" +
        "  # Generated from config/schema.ts by `npm run config-docs`; test/unit/configDocs.spec.ts fails when it is stale.\n" +
        "  # The structured keys (clusters, central, images, lists) are typed and validated by config/ and tabled in the README.\n" +
        YAML.stringify(projectConfig(), { lineWidth: 0 }).replace(/^/gm, "  ").trimEnd() + "\n";
}

/** `readme` with its config table (the table under the `| key | type / default |` header) replaced by the schema's. */
export function withReadmeTable(readme: string): string {
    const lines = readme.split("\n");
    const start = lines.findIndex(l => l.startsWith("| key | type / default | stacks | meaning |"));
    if (start < 0) throw new Error("README.md has no config table (a line starting `| key | type / default | stacks | meaning |`)");
    let end = start;
    while (end < lines.length && lines[end].startsWith("|")) end++;
    return [...lines.slice(0, start), readmeConfigTable(), ...lines.slice(end)].join("\n");
}

/** `pulumiYaml` (Pulumi.yaml's text) with its `config:` block, the file's last section, made from the schema. */
export function withProjectConfig(pulumiYaml: string): string {
    const at = pulumiYaml.search(/^config:$/m);
    if (at < 0) throw new Error("Pulumi.yaml has no top-level `config:` block");
    return pulumiYaml.slice(0, at) + projectConfigYaml();
}
