import type { Repo } from "../state/model.js";

/**
 * Repository secrets for Actions (`${{ secrets.X }}`). Kept beside the repository rather than in it, so a
 * printed record never shows a value. Names are case-insensitive, as on GitHub, and stored upper-case.
 */
const secrets = new WeakMap<Repo, Map<string, string>>();

/** GitHub's rules for a secret's name: letters, digits and `_`, not starting with a digit or `GITHUB_`. */
function checkName(name: string): string {
  const upper = name.toUpperCase();
  if (!/^[A-Z_][A-Z0-9_]*$/.test(upper)) {
    throw new Error(
      `sandbox: "${name}" is not a secret name (letters, digits and _, not starting with a digit)`,
    );
  }
  if (upper.startsWith("GITHUB_"))
    throw new Error(`sandbox: secret names must not start with GITHUB_ (${name})`);
  return upper;
}

/** Sets a secret, or removes it when `value` is null. */
export function setSecret(repo: Repo, name: string, value: string | null): void {
  const key = checkName(name);
  let table = secrets.get(repo);
  if (!table) {
    table = new Map();
    secrets.set(repo, table);
  }
  if (value === null) table.delete(key);
  else table.set(key, value);
}

/** The repository's secrets, name → value (a copy). */
export function secretsOf(repo: Repo): Record<string, string> {
  return Object.fromEntries(secrets.get(repo) ?? []);
}
