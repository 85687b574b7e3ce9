import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { createRedactor, REDACTED } from "../../src/runner/redact.js";

/**
 * Whether `output` shows `text` outside the markers. A secret inside a marker is not shown: "dact" is in
 * every `[redacted]`, and "x[re" in an "x" followed by one.
 */
function shows(output: string, text: string): boolean {
  return output.split(REDACTED).some((piece) => piece.includes(text));
}

// The encodings, written here from what encoders do, not taken from the redactor.
const json = (text: string) => JSON.stringify(text).slice(1, -1);
/** JSON as encoders that escape `/` and every non-ASCII character write it. */
const jsonAscii = (text: string) =>
  json(text)
    .replaceAll("/", "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const encodings = (secret: string) => [secret, json(secret), jsonAscii(secret), encodeURIComponent(secret)];

/** Any text: printable, any code point, or the characters of JSON, URLs and tokens. */
const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(..."{}[]\":,\\/\n\t =_-.@%'aZ09"), maxLength: 12 }),
);
/** Printable secrets of at least 4 characters, ASCII or any script. */
const anySecret = fc.oneof(
  fc.string({ minLength: 4, maxLength: 24 }),
  fc.string({ unit: "grapheme", minLength: 4, maxLength: 12 }),
);

/** Secret values, and text that holds some of them, each in one of its encodings. */
const textWithSecrets = fc.array(anySecret, { minLength: 1, maxLength: 3 }).chain((secrets) =>
  fc.record({
    secrets: fc.constant(secrets),
    text: fc.array(fc.tuple(anyText, fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }).map((parts) =>
      parts
        .map(([around, which, encoding]) => {
          const forms = encodings(secrets[which % secrets.length] ?? "");
          return `${around}${forms[encoding % forms.length]}`;
        })
        .join(""),
    ),
  }),
);

interface Token {
  /** The token as it appears in the output. */
  text: string;
  /** What must not be shown afterwards: the token, or the credentials after a label. */
  secret: string;
}

const fromGrammar = (grammar: RegExp) =>
  fc.stringMatching(grammar).map((text): Token => ({ text, secret: text }));
const labelled = (labels: string[], value: RegExp) =>
  fc
    .tuple(fc.constantFrom(...labels), fc.stringMatching(value))
    .map(([label, secret]): Token => ({ text: `${label}${secret}`, secret }));

const privateKey = fc
  .record({
    kind: fc.constantFrom("", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "),
    lines: fc.array(fc.stringMatching(/^[A-Za-z0-9+/]{16,64}$/), { minLength: 1, maxLength: 6 }),
    complete: fc.boolean(),
  })
  .map(({ kind, lines, complete }): Token => {
    const body = lines.join("\n");
    const end = complete ? `\n-----END ${kind}PRIVATE KEY-----` : "";
    return { text: `-----BEGIN ${kind}PRIVATE KEY-----\n${body}${end}`, secret: body };
  });

/** Each shape, generated from its grammar. */
const SHAPES: Record<string, fc.Arbitrary<Token>> = {
  "a GitHub token": fromGrammar(/^gh[pousr]_[A-Za-z0-9]{20,60}$/),
  "a dotted GitHub installation token": fromGrammar(/^ghs_[A-Za-z0-9._]{36,300}$/),
  "a fine-grained GitHub token": fromGrammar(/^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/),
  "an Anthropic key": fromGrammar(/^sk-ant-(api03|admin01)-[A-Za-z0-9_-]{20,100}$/),
  "an OpenAI key": fromGrammar(/^sk-(proj-|svcacct-)?[A-Za-z0-9_-]{16,160}$/),
  "an AWS access key id": fromGrammar(/^(AKIA|ASIA)[0-9A-Z]{16}$/),
  "a Google API key": fromGrammar(/^AIza[A-Za-z0-9_-]{35}$/),
  "an npm token": fromGrammar(/^npm_[A-Za-z0-9]{36}$/),
  "a JWT": fromGrammar(/^eyJ[A-Za-z0-9_-]{10,60}\.[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{0,100}$/),
  "a private key": privateKey,
  "an Authorization header": labelled(
    ["Authorization: Bearer ", "authorization: basic ", "AUTHORIZATION: token ", '"Authorization": "Bearer '],
    /^[A-Za-z0-9._~+/=-]{8,80}$/,
  ),
  "an AWS secret key": labelled(
    ["aws_secret_access_key = ", "AWS_SECRET_ACCESS_KEY=", '"SecretAccessKey": "', "aws_session_token: "],
    /^[A-Za-z0-9+/]{40,60}$/,
  ),
  "credentials in a URL": fc
    .record({
      scheme: fc.constantFrom("https", "http", "redis", "postgres", "git+ssh"),
      user: fc.stringMatching(/^[A-Za-z0-9._~-]{0,20}$/),
      password: fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=%-]{8,40}$/),
    })
    .map(
      ({ scheme, user, password }): Token => ({
        text: `${scheme}://${user}:${password}@example.com:443/path`,
        secret: password,
      }),
    ),
};
const anyToken = fc.oneof(...Object.values(SHAPES));

/** What may stand right before a token: nothing, or any text that ends in punctuation, a quote, a newline. */
const before = fc.oneof(
  fc.constant(""),
  fc
    .tuple(
      anyText,
      fc.constantFrom(
        " ",
        "\n",
        "\t",
        '"',
        "'",
        "=",
        ":",
        "(",
        "[",
        "{",
        ",",
        ";",
        "<",
        "`",
        "/",
        '{"text":"',
      ),
    )
    .map(([text, boundary]) => `${text}${boundary}`),
);

describe("createRedactor, for any input", () => {
  it("never shows a configured secret, raw, JSON-escaped or URL-encoded", () => {
    fc.assert(
      fc.property(textWithSecrets, ({ secrets, text }) => {
        const output = createRedactor(secrets)(text);

        for (const secret of secrets) {
          for (const form of encodings(secret)) expect(shows(output, form)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it.each(Object.entries(SHAPES))("removes %s from any text around it, also inside JSON", (_, shape) => {
    fc.assert(
      fc.property(before, shape, anyText, fc.boolean(), (left, token, right, inJson) => {
        fc.pre(!`${left}${right}`.includes(token.secret));
        const text = `${left}${token.text}${right}`;

        const output = createRedactor([])(inJson ? JSON.stringify({ text }) : text);

        expect(shows(output, inJson ? json(token.secret) : token.secret)).toBe(false);
        expect(output).toContain(REDACTED);
      }),
    );
  });

  it("gives back text with no secret and no token shape unchanged", () => {
    // Words of up to 7 letters and digits, any script, between punctuation and spaces: no `_`, `-`, `:` or
    // `=` to make a token or a label of, and no run long enough for an AWS key id or a base64 form.
    const word = fc.string({ unit: fc.constantFrom(..."abcxyzABCXYZ0189éß中"), minLength: 1, maxLength: 7 });
    const gap = fc
      .tuple(
        fc.constantFrom("", ".", ",", ";", "!", "?", '"', "'", "(", ")", '."'),
        fc.constantFrom(" ", "\n"),
      )
      .map(([punctuation, space]) => `${punctuation}${space}`);
    const text = fc
      .array(fc.tuple(word, gap), { maxLength: 40 })
      .map((parts) => parts.map(([w, g]) => `${w}${g}`).join(""));
    // Each secret holds a `#`, which the text never does (nor the `%` of its URL form).
    const secrets = fc.array(
      anySecret.map((secret) => `#${secret}`),
      { maxLength: 3 },
    );

    fc.assert(
      fc.property(text, secrets, (input, values) => {
        expect(createRedactor(values)(input)).toBe(input);
      }),
      { numRuns: 300 },
    );
  });

  it("is idempotent: redacting the output again changes nothing", () => {
    const fragment = (secrets: string[]) =>
      fc.oneof(
        anyText,
        anyToken.map((token) => token.text),
        fc.tuple(fc.nat(), fc.nat()).map(([which, encoding]) => {
          const forms = encodings(secrets[which % secrets.length] ?? "");
          return forms[encoding % forms.length] ?? "";
        }),
        fc.constantFrom(
          REDACTED,
          "[red",
          "acted]",
          "\\n",
          "-----END PRIVATE KEY-----",
          "Authorization: Bearer ",
        ),
      );
    // Secrets that overlap the marker ("dact", "x[re") must not eat into one on the second pass.
    const overlapping = fc
      .tuple(
        fc.string({ maxLength: 2 }),
        fc.nat(REDACTED.length),
        fc.nat(REDACTED.length),
        fc.string({ maxLength: 2 }),
      )
      .map(
        ([head, from, to, tail]) => `${head}${REDACTED.slice(Math.min(from, to), Math.max(from, to))}${tail}`,
      )
      .filter((secret) => secret.length >= 4 && !secret.includes(REDACTED));
    // Fragments are glued together with nothing between them, so tokens touch tokens and markers.
    const input = fc.array(fc.oneof(anySecret, overlapping), { maxLength: 3 }).chain((secrets) =>
      fc.record({
        secrets: fc.constant(secrets),
        text: fc.array(fragment(secrets), { maxLength: 8 }).map((parts) => parts.join("")),
      }),
    );

    fc.assert(
      fc.property(input, ({ secrets, text }) => {
        const redact = createRedactor(secrets);
        const once = redact(text);

        expect(redact(once)).toBe(once);
      }),
      {
        numRuns: 300,
        // "x" and the secret "abcd" become "x[redacted]", which holds the secret "x[re".
        examples: [
          [{ secrets: ["abcd", "x[re"], text: "xabcd" }],
          [{ secrets: ["dact"], text: "dact [redacted]" }],
        ],
      },
    );
  });

  it("removes a secret that contains another secret whole, in each encoding", () => {
    const nested = fc.record({
      inner: anySecret,
      prefix: fc.string({ maxLength: 8 }),
      suffix: fc.string({ maxLength: 8 }),
      innerFirst: fc.boolean(),
      encoding: fc.nat(3),
    });

    fc.assert(
      fc.property(nested, ({ inner, prefix, suffix, innerFirst, encoding }) => {
        const outer = `${prefix}${inner}${suffix}`;
        const redact = createRedactor(innerFirst ? [inner, outer] : [outer, inner]);

        expect(redact(`\n${encodings(outer)[encoding]}\n`)).toBe(`\n${REDACTED}\n`);
      }),
    );
  });
});
