import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { ADAPTER_REGISTRY } from "../../src/runner/adapters/index.js";

// docs/agents.md tells people which version of each CLI to install on their runners: it must be the version
// the adapter's flags were checked on, so a new pin without new docs fails here.

const docs = readFileSync(new URL("../../docs/agents.md", import.meta.url), "utf8");

describe("docs/agents.md", () => {
  it.each(Object.values(ADAPTER_REGISTRY).map((adapter) => [adapter.name, adapter] as const))(
    "documents the %s adapter: its section, its pinned version and its default secrets",
    (name, adapter) => {
      expect(docs).toMatch(new RegExp(`^## ${name}\\b`, "m"));
      const row = docs.split("\n").find((line) => line.startsWith(`| \`${name}\``));
      expect(row).toBeDefined();
      if (adapter.install) expect(row).toContain(adapter.install.version);
      if (adapter.install?.from === "npm")
        expect(row).toContain(`${adapter.install.package}@${adapter.install.version}`);
      for (const secret of adapter.defaultSecrets) expect(row).toContain(secret);
    },
  );
});
