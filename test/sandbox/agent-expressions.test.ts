import { describe, expect, it } from "@jest/globals";
import { evaluate, resolve, resolveText } from "../../sandbox/ci/agent/expressions.js";

/** `${{ inner }}`, written so that nothing reads it as a JavaScript template. */
const ex = (inner: string) => `\${{ ${inner} }}`;

const context = {
  inputs: { minutes: "30", base: "main", flag: true },
  secrets: { API_KEY: "k" },
  github: { event: { inputs: { minutes: "30" } }, ref_name: "main" },
  env: { A: "1" },
};

describe("workflow expressions the sandbox runner resolves", () => {
  it("keeps the type of a value that is one whole expression, and interpolates text otherwise", () => {
    expect(resolve(ex("fromJSON(inputs.minutes)"), context)).toBe(30);
    expect(resolve(`  ${ex("inputs.flag")} `, context)).toBe(true);
    expect(resolveText(`${ex("runner.temp")}/out`, { ...context, runner: { temp: "/t" } })).toBe("/t/out");
    expect(resolveText(`ref ${ex("inputs.base")} a${ex("env['A']")}`, context)).toBe("ref main a1");
  });

  it("reads names case-insensitively and gives null (empty text) for what is not there", () => {
    expect(evaluate("secrets.api_key", context)).toBe("k");
    expect(evaluate("Inputs.BASE", context)).toBe("main");
    expect(resolveText(`[${ex("secrets.MISSING")}]`, context)).toBe("[]");
    expect(evaluate("github.nothing.deeper", context)).toBeNull();
  });

  it("has GitHub's operators and functions", () => {
    expect(evaluate("inputs.base == 'MAIN' && github.ref_name != 'dev'", context)).toBe(true);
    expect(evaluate("secrets.MISSING || 'fallback'", context)).toBe("fallback");
    expect(evaluate("!inputs.flag", context)).toBe(false);
    expect(evaluate("fromJSON(inputs.minutes) > 10", context)).toBe(true);
    expect(evaluate("format('{0}-{1} {{x}}', inputs.base, 2)", context)).toBe("main-2 {x}");
    expect(evaluate("contains(fromJSON('[\"a\",\"b\"]'), 'B')", context)).toBe(true);
    expect(evaluate("startsWith(github.ref_name, 'ma')", context)).toBe(true);
    expect(evaluate("failure()", context, { failed: true, cancelled: false })).toBe(true);
    expect(evaluate("success()", context, { failed: true, cancelled: false })).toBe(false);
  });

  it("names what it cannot read", () => {
    expect(() => evaluate("fromJSON('nope')", context)).toThrow(/fromJSON/);
    expect(() => evaluate("inputs.base ==", context)).toThrow(/Expected/);
    expect(() => evaluate("shell('rm')", context)).toThrow(/Unrecognized function: 'shell'/);
  });
});
