/**
 * Generates docs/config.md and docs/flotilla.schema.json from the config schema (src/app/config/schema.ts).
 * `npm run config:docs` writes them; test/app/config.test.ts checks they are current.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { ConfigSchema } from "../src/app/config/schema.js";

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  pattern?: string;
}

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: "input" }),
    $id: "https://flotilla.dev/schemas/flotilla.schema.json",
    title: "Flotilla repository config (.github/flotilla.yml)",
  };
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (schema.type === "array") return `list of ${schema.items?.type ?? "values"}`;
  // Pipes would end the table cell, even inside a code span, unless escaped.
  if (schema.pattern && schema.type === "string")
    return `string matching \`${schema.pattern.replaceAll("|", "\\|")}\``;
  return schema.type ?? "";
}

function rows(schema: JsonSchema, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const shown = child.default === undefined ? "" : `\`${JSON.stringify(child.default)}\``;
    const isMap = typeof child.additionalProperties === "object";
    const isObject = child.type === "object" && !isMap;
    const type = isObject ? "section" : isMap ? "map of name → agent" : typeOf(child);
    const fallback = isObject ? "" : isMap ? "one agent per known CLI, named after it" : shown;
    out.push(`| \`${path}\` | ${type} | ${fallback} | ${child.description ?? ""} |`);
    if (isObject) out.push(...rows(child, path));
    if (isMap) out.push(...rows(child.additionalProperties as JsonSchema, `${path}.<name>`));
  }
  return out;
}

export function configReferenceMarkdown(): string {
  const schema = configJsonSchema() as JsonSchema;
  return [
    "# Repository config: `.github/flotilla.yml`",
    "",
    "Generated from `src/app/config/schema.ts` by `npm run config:docs`; edit the schema, not this page.",
    "The JSON Schema for editors is [flotilla.schema.json](flotilla.schema.json). Every key is optional.",
    "An organization's `.github` repository can hold defaults that a repository pulls in with `_extends: .github`.",
    "",
    "```yaml",
    "backend: local",
    "agents:",
    "  claude: { adapter: claude, model: claude-sonnet-4-5, timeout: 45m, secrets: [ANTHROPIC_API_KEY] }",
    '  fixer: { adapter: command, command: ["./scripts/fix.sh", "{prompt_file}"] }',
    "concurrency: { perRepo: 3 }",
    'protectedPaths: [".github/workflows/**", "infra/**"]',
    "limits: { maxFilesChanged: 200, maxBytesChanged: 2MB }",
    "```",
    "",
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...rows(schema, ""),
    "",
    "A file that breaks these rules starts nothing: Flotilla answers on the issue with one comment naming the",
    "file, the line and key, and what is expected.",
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(new URL("../docs/config.md", import.meta.url), configReferenceMarkdown());
  writeFileSync(
    new URL("../docs/flotilla.schema.json", import.meta.url),
    `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
  );
  // Biome formats Markdown and JSON too: leave the files as `npm run lint` wants them.
  execFileSync(
    "npx",
    ["--no-install", "biome", "format", "--write", "docs/config.md", "docs/flotilla.schema.json"],
    {
      stdio: "inherit",
    },
  );
  console.log("docs/config.md and docs/flotilla.schema.json written");
}
