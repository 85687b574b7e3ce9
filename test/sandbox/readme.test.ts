import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { routesMarkdownTable, TABLE_END, TABLE_START } from "../../sandbox/routes/markdown-table.js";
import { tableCells } from "../helpers/markdown.js";

describe("sandbox/README.md", () => {
  it("lists exactly the routes the sandbox serves (run `npm run sandbox:routes` after adding one)", () => {
    const readme = readFileSync(new URL("../../sandbox/README.md", import.meta.url), "utf8");
    const table = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(tableCells(table)).toEqual(tableCells(routesMarkdownTable()));
  });
});
