/** Rewrites the route table in sandbox/README.md from the routes the sandbox serves. */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { routesMarkdownTable, TABLE_END, TABLE_START } from "../sandbox/routes/markdown-table.js";

const path = new URL("../sandbox/README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < 0) throw new Error("sandbox/README.md lacks the routes:start / routes:end markers");
writeFileSync(path, readme.slice(0, start) + routesMarkdownTable() + readme.slice(end + TABLE_END.length));
// Biome formats Markdown too (it pads tables): leave the file as `npm run lint` wants it.
execFileSync("npx", ["--no-install", "biome", "format", "--write", "sandbox/README.md"], {
  stdio: "inherit",
});
console.log("sandbox/README.md: route table updated");
