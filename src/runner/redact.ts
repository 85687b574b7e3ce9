/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/** Shorter values are not redacted: replacing every "abc" would garble the output and hide nothing. */
const MIN_SECRET_LENGTH = 4;

/**
 * Token shapes redacted even when nobody configured them as secrets: an agent may print a token it found
 * on disk or received from a tool. Where a prefix says what the value is, the prefix stays readable.
 */
const PATTERNS: [RegExp, string][] = [
  // A private key, also one cut off by output truncation (no END line).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // GitHub: installation (ghs_), personal (ghp_), OAuth (gho_), user-to-server (ghu_), refresh (ghr_), fine-grained.
  [/\bgh[psour]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, REDACTED],
  // Anthropic (sk-ant-…) and OpenAI (sk-…, sk-proj-…) API keys.
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  // AWS access key ids (long-term AKIA, temporary ASIA).
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\b(authorization:\s*(?:bearer|basic|token)\s+)[^\s"',;]+/gi, `$1${REDACTED}`],
  [/\b(x-access-token:)[^@\s]+@/gi, `$1${REDACTED}@`],
  // Any other credentials in a URL: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, `$1${REDACTED}@`],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A function that replaces each of `secretValues` (those of at least 4 characters) and every well-known
 * token shape in a text with `[redacted]`. Secrets go first and longest first, so a secret that contains
 * another is removed whole.
 */
export function createRedactor(secretValues: string[]): (text: string) => string {
  const values = [...new Set(secretValues.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  const secrets = values.length > 0 ? new RegExp(values.map(escapeRegExp).join("|"), "g") : null;
  return (text) => {
    let out = secrets ? text.replace(secrets, REDACTED) : text;
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}

/** The last `n` lines of `text` (a final newline does not count as an empty last line). */
export function lastLines(text: string, n: number): string {
  if (n <= 0) return "";
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  return lines.slice(-n).join("\n");
}
