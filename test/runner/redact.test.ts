import { Buffer } from "node:buffer";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { createRedactor, lastLines } from "../../src/runner/redact.js";

describe("createRedactor", () => {
  it("replaces each configured secret value wherever it appears", () => {
    const redact = createRedactor(["hunter2-secret", "another-value"]);

    expect(redact("key=hunter2-secret, again hunter2-secret; another-value!")).toBe(
      "key=[redacted], again [redacted]; [redacted]!",
    );
  });

  it("removes a secret that contains another secret whole", () => {
    const redact = createRedactor(["abcd", "abcdefgh"]);

    expect(redact("x abcdefgh y abcd")).toBe("x [redacted] y [redacted]");
  });

  it("treats secret values as text, not as patterns", () => {
    const redact = createRedactor(["a.b*c(d)"]);

    expect(redact("a.b*c(d) aXbbbcd")).toBe("[redacted] aXbbbcd");
  });

  it("leaves values shorter than 4 characters alone rather than garble the output", () => {
    const redact = createRedactor(["abc", ""]);

    expect(redact("abc abc")).toBe("abc abc");
  });

  it.each([
    ["a GitHub installation token", "token ghs_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["a GitHub personal token", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["a GitHub OAuth token", "gho_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["a GitHub user-to-server token", "ghu_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["a fine-grained GitHub token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"],
    ["an Anthropic key", "ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123456789"],
    ["an OpenAI key", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"],
    ["an AWS access key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"],
  ])("redacts %s nobody configured", (_, text) => {
    const out = createRedactor([])(text);

    expect(out).toContain("[redacted]");
    expect(out).not.toMatch(/16C7e42F|abcdefghijklmnop|IOSFODNN7/);
  });

  it("redacts an Authorization header's credentials but keeps its scheme readable", () => {
    const redact = createRedactor([]);

    expect(redact("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig")).toBe(
      "Authorization: Bearer [redacted]",
    );
    expect(redact("authorization: basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0")).toBe(
      "authorization: basic [redacted]",
    );
  });

  it("redacts credentials in URLs", () => {
    const redact = createRedactor([]);

    expect(redact("remote: https://x-access-token:v1.abcdef0123@github.com/acme/widgets.git")).toBe(
      "remote: https://x-access-token:[redacted]@github.com/acme/widgets.git",
    );
    expect(redact("redis://default:p4ssw0rd@redis:6379")).toBe("redis://default:[redacted]@redis:6379");
  });

  it("redacts a whole private key block, and one cut off before its end", () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const redact = createRedactor([]);

    expect(redact(`before\n${privateKey}after`)).toBe("before\n[redacted]\nafter");
    expect(redact(`cut: ${privateKey.slice(0, 200)}`)).toBe("cut: [redacted]");
  });

  it("finds a secret JSON-escaped, URL-encoded or in base64 too", () => {
    const redact = createRedactor(['p@ss/w"rd-é']);

    expect(redact(String.raw`{"text":"pw: p@ss\/w\"rd-\u00e9"}`)).toBe('{"text":"pw: [redacted]"}');
    expect(redact("redis://default:p%40ss%2Fw%22rd-%C3%A9@redis")).toBe("redis://default:[redacted]@redis");
    const token = "v1.0123456789abcdef0123456789abcdef";
    const basic = (user: string) => Buffer.from(`${user}:${token}`).toString("base64");
    expect(createRedactor([token])(`"auth": "${basic("x-access-token")}"`)).toBe(
      '"auth": "eC1hY2Nlc3MtdG9rZW46[redacted]Y="',
    );
    // The token starts one and two bytes into a base64 group here.
    expect(createRedactor([token])(basic("bob"))).toBe("Ym9iOn[redacted]");
    expect(createRedactor([token])(basic("x"))).toBe("eDp[redacted]g==");
  });

  it("redacts the long dotted GitHub installation token and keeps a full stop after it", () => {
    const token = `ghs_${"aB3.".repeat(20)}x_9`;

    expect(createRedactor([])(`token ${token}.`)).toBe("token [redacted].");
  });

  it("finds tokens after a JSON escape in stream-json output, but not inside ordinary words", () => {
    const redact = createRedactor([]);

    expect(
      redact(
        String.raw`{"text":"one\nghs_16C7e42F292c6912E7710c838347Ae178B4a\tsk-proj-abcdefghijklmnop0123"}`,
      ),
    ).toBe(String.raw`{"text":"one\n[redacted]\t[redacted]"}`);
    const words = "laughs_and_then_some_more_words_in_snake_case_here task-runner-configuration-file";
    expect(redact(words)).toBe(words);
  });

  it("redacts JWTs, AWS secret keys and tokens glued together", () => {
    const redact = createRedactor([]);
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl";

    expect(redact(`id_token=${jwt}&x=1`)).toBe("id_token=[redacted]&x=1");
    expect(redact('"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"')).toBe(
      '"SecretAccessKey": "[redacted]"',
    );
    expect(redact("AKIAIOSFODNN7EXAMPLEsk-abcdefghijklmnop0123")).toBe("[redacted][redacted]");
  });

  it("redacts a token used as a URL's user, and credentials in a JSON Authorization header", () => {
    const redact = createRedactor([]);

    expect(redact("https://ghp_16C7e42F292c6912E7710c838347Ae178B4a:x-oauth-basic@github.com/a/b")).toBe(
      "https://[redacted]:[redacted]@github.com/a/b",
    );
    expect(redact(String.raw`{\"authorization\": \"token v1.abc\/def\"}`)).toBe(
      String.raw`{\"authorization\": \"token [redacted]\"}`,
    );
  });

  it("leaves ordinary text alone", () => {
    const text = "task-runner-configuration: skipped 3 tests; see https://github.com/acme/widgets/pull/2";

    expect(createRedactor(["s3cret"])(text)).toBe(text);
  });
});

describe("lastLines", () => {
  it("returns the last n lines without counting a final newline", () => {
    expect(lastLines("a\nb\nc\nd\n", 2)).toBe("c\nd");
    expect(lastLines("a\r\nb\r\nc", 2)).toBe("b\nc");
  });

  it("returns everything when there are fewer lines, and nothing for n = 0", () => {
    expect(lastLines("only\n", 5)).toBe("only");
    expect(lastLines("a\nb", 0)).toBe("");
  });

  it("redacts the end of a private key whose BEGIN line a truncated log lost, and keeps the lines before it", () => {
    const redact = createRedactor([]);
    const tail =
      "ran the tests\nMIIEowIBAAKCAQEAbodyOfTheKey0123456789\n[error] abcdefGHIJ0123+/==\n-----END RSA PRIVATE KEY-----\ndone\n";

    expect(redact(tail)).toBe("ran the tests\n[redacted]\ndone\n");
  });
});
