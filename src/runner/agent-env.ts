import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A secret the agent's config names is not set on the worker: the run cannot start until it is. */
export class MissingSecretError extends Error {
  override name = "MissingSecretError";
  /** Another try fails the same way: the worker ends the task with this message (see AdapterUnavailableError). */
  readonly permanent = true;
  constructor(readonly secretName: string) {
    super(
      `the agent needs the secret ${secretName}, which is not set in the worker's environment: set it there, or remove it from the agent's \`secrets\``,
    );
  }
}

/**
 * Variables no agent may receive, whatever a repository's config names: Flotilla's and Probot's own settings
 * (the App's private key, the webhook secret, Redis), and every `FLOTILLA_*`. Anyone who can edit a
 * repository's config chooses `secrets`; these would hand them every installation.
 */
const RESERVED = new Set([
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "WEBHOOK_PROXY_URL",
  "GITHUB_CLIENT_ID",
  "GITHUB_CLIENT_SECRET",
  "GITHUB_API_URL",
  "REDIS_URL",
  "REDIS_PREFIX",
  "DATA_DIR",
]);

/**
 * GitHub's own credentials on a runner (`GITHUB_TOKEN`, `GH_TOKEN`, the Actions runtime and OIDC tokens):
 * no GitHub token ever reaches an agent, whatever the config asks for.
 */
const RESERVED_PREFIXES = ["FLOTILLA_", "GITHUB_", "GH_", "ACTIONS_", "RUNNER_"];

export function isReservedSecretName(name: string): boolean {
  return RESERVED.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** A config names one of Flotilla's own settings as an agent's secret. */
export class ReservedSecretError extends Error {
  override name = "ReservedSecretError";
  readonly permanent = true;
  constructor(readonly secretName: string) {
    super(
      `${secretName} is one of Flotilla's own settings and is never given to an agent: remove it from the agent's \`secrets\``,
    );
  }
}

/** What an agent gets from the worker's environment besides its secrets: enough to run, nothing to leak. */
const PASSED_THROUGH = ["PATH", "LANG", "LC_ALL", "TZ", "TERM", "TMPDIR"] as const;

/**
 * The complete environment for one agent process: the allowlist above taken from `source`, the agent's
 * configured secrets taken from `source` by name, `CI=true` (CLIs then skip prompts and colours), and `extra`
 * last (the runner's own HOME and TMPDIR). Everything else in the worker's environment — its GitHub App key,
 * Redis URL, other agents' keys — stays out. `HOME` is never the worker's: it is `extra.HOME`, or else a
 * fresh empty temp dir that the caller removes.
 *
 * @throws MissingSecretError when a named secret is unset or empty in `source`.
 * @throws ReservedSecretError when a name is one of Flotilla's own settings.
 */
export function agentEnvironment(
  secretNames: string[],
  source: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  for (const name of secretNames) {
    if (isReservedSecretName(name)) throw new ReservedSecretError(name);
    const value = source[name];
    if (value === undefined || value === "") throw new MissingSecretError(name);
    env[name] = value;
  }
  Object.assign(env, extra, { CI: "true" });
  env.HOME ??= mkdtempSync(join(tmpdir(), "flotilla-home-"));
  return env;
}
