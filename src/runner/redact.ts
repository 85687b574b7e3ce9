import { Buffer } from "node:buffer";

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/** Shorter values are not redacted: replacing every "abc" would garble the output and hide nothing. */
const MIN_SECRET_LENGTH = 4;

/** Eight base64 characters carry 48 bits: a shorter base64 form of a secret could turn up by chance. */
const MIN_BASE64_LENGTH = 8;

/** Passes of the token shapes at most; each is linear, and the second one is nearly always the last. */
const MAX_SHAPE_PASSES = 4;

/**
 * `literal`, where it does not continue a word, so that `task-runner` holds no `sk-` key and `laughs_and_…`
 * no `ghs_` token; the letter of a JSON escape (`\n`, `\u00e9`) in stream-json output is no word. The check
 * comes after the literal: a regexp that starts with a literal is scanned for it, many times faster.
 */
function atWordStart(literal: string, word = "A-Za-z0-9"): string {
  return String.raw`${literal}(?<=(?:^|[^${word}]|\\[nrtbf]|\\u[0-9A-Fa-f]{4})${literal})`;
}

/** An optional quote around a header's name or value, also JSON-escaped (`\"`). */
const QUOTE = String.raw`\\*["']?`;

/** `word` in any letter case; the regexps have no `i` flag, which would make `akia…` an AWS key id. */
function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

/** A private key's armour lines (PEM, OpenSSH, PGP). */
const KEY_BEGIN = "-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";
const KEY_END = "-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";

/**
 * Token shapes redacted even when nobody configured them as secrets: an agent may print a token it found
 * on disk or received from a tool. One regexp, so the output is scanned once for all of them.
 */
const TOKEN_SHAPES = new RegExp(
  [
    // Private keys (PEM, OpenSSH, PGP), also one cut off by output truncation (no END line).
    String.raw`${KEY_BEGIN}[\s\S]*?(?:${KEY_END}|$)`,
    // GitHub installation tokens in their long dotted form; dots after one are left to end the sentence.
    `${atWordStart("ghs_")}(?:[A-Za-z0-9._]{35,}[A-Za-z0-9_]|[A-Za-z0-9._]{36,})`,
    // GitHub: installation (ghs_), personal (ghp_), OAuth (gho_), user-to-server (ghu_), refresh (ghr_), fine-grained.
    "gh[pousr]_[A-Za-z0-9]{20,}",
    "github_pat_[A-Za-z0-9_]{20,}",
    // Anthropic (sk-ant-…) and OpenAI (sk-…, sk-proj-…) API keys.
    `${atWordStart("sk-")}[A-Za-z0-9_-]{16,}`,
    // Google API keys (the gemini agent's), npm tokens.
    "AIza[A-Za-z0-9_-]{35}",
    "npm_[A-Za-z0-9]{36}",
    // AWS access key ids (long-term AKIA, temporary ASIA).
    "(?:AKIA|ASIA)[0-9A-Z]{16}",
    // JWTs: three base64url segments, the header a JSON object (`eyJ` is base64 of `{"`). Tried once per
    // run of base64url text, not again at each `eyJ` inside it.
    String.raw`${atWordStart("eyJ", "A-Za-z0-9_-")}[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,
  ].join("|"),
  "g",
);

/**
 * The end of a private key whose BEGIN line was cut off (a log kept from its tail, cut inside the key): the
 * base64 lines straight before an END line that no BEGIN opened, with the `[kind] ` prefix a transcript gives
 * a line. A whole key is gone by then (TOKEN_SHAPES runs first), so any END line left is such an orphan.
 */
const KEY_TAIL = new RegExp(
  String.raw`(?:^(?:\[[a-z]+\] )?[A-Za-z0-9+/=]+\r?\n)*^(?:\[[a-z]+\] )?${KEY_END}`,
  "gm",
);

/**
 * Credentials that have no shape of their own but a label before them, which stays readable: the named
 * group. Applied after the token shapes, so that a token in a label (`https://ghp_…:x-oauth-basic@`) is
 * gone before the label is kept.
 */
const LABELLED = new RegExp(
  [
    // An Authorization header's credentials, also one in JSON (`"authorization": "Bearer …"`).
    String.raw`(?<header>${anyCase("authorization")}${QUOTE}\s*[:=]\s*${QUOTE}(?:${anyCase("bearer")}|${anyCase("basic")}|${anyCase("token")})\s+)(?:[^\s"'\\,;]|\\\/)+`,
    // Credentials in a URL: scheme://user:password@host, and git's x-access-token:<token>@host.
    String.raw`(?<url>:\/\/[^/\s:@]*:)[^@\s/]+(?=@)`,
    String.raw`(?<git>${anyCase("x-access-token")}:)[^@\s]+(?=@)`,
    // The AWS secret key and session token printed next to an access key id.
    String.raw`(?<aws>(?:${anyCase("aws_secret_access_key")}|${anyCase("aws_session_token")}|SecretAccessKey|SessionToken)${QUOTE}\s*[:=]\s*${QUOTE})(?:[A-Za-z0-9+=]|\\?\/){40,}`,
  ].join("|"),
  "g",
);

function keepLabel(...args: unknown[]): string {
  const groups = args.at(-1) as Record<string, string | undefined>;
  return `${Object.values(groups).find((label) => label !== undefined) ?? ""}${REDACTED}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * A secret as it appears JSON-escaped, as in an agent's stream-json output: `"`, `\` and control
 * characters always; `/` and non-ASCII characters (`\u00e9` or `\u00E9`) depending on the encoder; and
 * escaped twice when the agent printed JSON it had read.
 */
function jsonForms(value: string): string[] {
  const minimal = JSON.stringify(value).slice(1, -1);
  const slashes = minimal.replaceAll("/", "\\/");
  const forms = [minimal, slashes, JSON.stringify(minimal).slice(1, -1)];
  for (const form of [minimal, slashes]) {
    const ascii = form.replace(/[\u0080-\uffff]/g, unicodeEscape);
    forms.push(
      ascii,
      ascii.replace(/\\u[0-9a-f]{4}/g, (code) => `\\u${code.slice(2).toUpperCase()}`),
    );
  }
  return forms;
}

/** A secret percent-encoded, with either hex case, `+` for a space (forms), `!'()*` too (strict encoders). */
function urlForms(value: string): string[] {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    return []; // a lone surrogate has no UTF-8 form, so no URL holds it
  }
  const strict = encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (code) => code.toLowerCase());
  return [encoded, strict, encoded.replaceAll("%20", "+"), lower(encoded), lower(strict)];
}

/**
 * Base64 of a secret, at each of the three byte alignments, without the characters that also depend on
 * the bytes around it: so it is found inside the base64 of a longer text too. Worth it, although the
 * Authorization rule covers `Basic` headers: the same credentials turn up where no header names them (a
 * docker config.json `auth`, a Kubernetes Secret, `echo $TOKEN | base64`), and `x-access-token:` is 15
 * bytes, so `x-access-token:<token>` encodes the token aligned. Three more literals per secret cost
 * nothing measurable, and eight or more base64 characters do not occur by chance.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [0, 1, 2]
    .map((shift) => {
      const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
      return encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    })
    .filter((form) => form.length >= MIN_BASE64_LENGTH);
}

/** A form as a regexp; one that ends like the start of `[redacted]` does not match where a marker is. */
function literal(form: string): string {
  for (let k = REDACTED.length - 1; k > 0; k--) {
    if (form.endsWith(REDACTED.slice(0, k)))
      return `${escapeRegExp(form)}(?!${escapeRegExp(REDACTED.slice(k))})`;
  }
  return escapeRegExp(form);
}

/**
 * Every form of a secret the redactor looks for: as it is, JSON-escaped, URL-encoded, in base64. None for a
 * value shorter than 4 characters, which would match by chance.
 */
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  return [...new Set([value, ...jsonForms(value), ...urlForms(value), ...base64Forms(value)])];
}

function secretsRegExp(secretValues: string[]): RegExp | null {
  const forms = [...new Set(secretValues.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return null;
  // Markers already in the text are matched first and kept, so no secret eats into one (a secret "dact"):
  // redacting the output again changes nothing.
  return new RegExp([escapeRegExp(REDACTED), ...forms.map(literal)].join("|"), "g");
}

/**
 * A function that replaces each of `secretValues` (those of at least 4 characters), also JSON-escaped,
 * URL-encoded or in base64, and every well-known token shape in a text with `[redacted]`. Secrets go
 * first and longest first, so a secret that contains another is removed whole. It catches what an agent
 * prints by accident; an agent that means to leak a secret can always encode it some other way.
 */
export function createRedactor(secretValues: string[]): (text: string) => string {
  const secrets = secretsRegExp(secretValues);
  return (text) => {
    let out = secrets ? text.replace(secrets, REDACTED) : text;
    // A token glued to one just removed (`AKIA…sk-…`) is found once `[redacted]` stands between them;
    // passing again until nothing changes also makes redacting twice the same as redacting once.
    for (let pass = 0; pass < MAX_SHAPE_PASSES; pass++) {
      const next = out
        .replace(TOKEN_SHAPES, REDACTED)
        .replace(KEY_TAIL, REDACTED)
        .replace(LABELLED, keepLabel);
      if (next === out) break;
      out = next;
    }
    return out;
  };
}

/** The last `n` lines of `text` (a final newline does not count as an empty last line). */
export function lastLines(text: string, n: number): string {
  if (n <= 0) return "";
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  return lines.slice(-n).join("\n");
}

/**
 * A redactor for text that goes out a line at a time (live progress), where a private key printed over several
 * lines never stands whole in one: everything from a key's BEGIN line to its END line is held back as
 * `[redacted]`, line by line; other lines go through `redact`.
 */
export function lineRedactor(redact: (text: string) => string): (line: string) => string {
  const begin = new RegExp(KEY_BEGIN);
  const end = new RegExp(KEY_END);
  let inKey = false;
  return (line) => {
    const opens = begin.test(line);
    const hidden = inKey || opens;
    inKey = hidden && !end.test(line);
    return hidden ? REDACTED : redact(line);
  };
}
