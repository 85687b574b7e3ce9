import { setTimeout as delay } from "node:timers/promises";
import type { Sandbox } from "../sandbox.js";
import type { CheckConclusion, CheckRun, Repo } from "../state/model.js";
import { createCheckRun, newSuite, updateCheckRun } from "./check-runs.js";
import { ciStopSignal, track } from "./executor.js";
import { actionsApp } from "./github-actions-app.js";
import { runInCheckout } from "./run-command.js";

/** A repository's CI as `setCi` configures it. */
export interface CiConfig {
  /** The check run's name. Default "ci". */
  name: string;
  /** Run this (argument array) in a checkout of the sha; its exit code decides the conclusion. */
  command: string[] | null;
  /** Used when there is no command. Default "success". */
  outcome: "success" | "failure";
  /** Time spent queued before the run starts, ms. Default 0. */
  delayMs: number;
  /** The command is killed after this long and the run ends `timed_out`. Default 10 minutes. */
  timeoutMs: number;
  /** Extra environment for the command; nothing else from the sandbox's environment reaches it. */
  env: Record<string, string>;
  /**
   * Also run on every push to a branch that no open pull request has as its head (GitHub's `on: push`), not
   * only on pull request heads. Default false.
   */
  onPush: boolean;
}

const configs = new WeakMap<Repo, CiConfig>();

export function setCiConfig(repo: Repo, config: Partial<CiConfig> | null): CiConfig | null {
  if (!config) {
    configs.delete(repo);
    return null;
  }
  const full: CiConfig = {
    name: config.name ?? "ci",
    command: config.command ?? null,
    outcome: config.outcome ?? "success",
    delayMs: config.delayMs ?? 0,
    timeoutMs: config.timeoutMs ?? 10 * 60 * 1000,
    env: config.env ?? {},
    onPush: config.onPush ?? false,
  };
  configs.set(repo, full);
  return full;
}

/**
 * Runs the repository's configured CI (if any) on a pull request's new head sha: the check run is queued
 * before this returns; the rest happens in the background (wait for it with `settleCi`).
 */
export async function ciOnHeadSha(sb: Sandbox, repo: Repo, sha: string, branch: string): Promise<void> {
  const config = configs.get(repo);
  if (!config) return;
  const check = await queueCi(sb, repo, sha, branch, config);
  track(sb, carryOut(sb, repo, check, branch, config));
}

/** Runs the configured CI on a branch's new head when it is set to run on pushes (`onPush`). */
export async function ciOnPush(sb: Sandbox, repo: Repo, sha: string, branch: string): Promise<void> {
  if (configs.get(repo)?.onPush) await ciOnHeadSha(sb, repo, sha, branch);
}

/** The same, waiting for the conclusion (scripting `runCi`). Without a config, CI passes by default. */
export async function runCiNow(sb: Sandbox, repo: Repo, sha: string, branch: string): Promise<CheckRun> {
  const config = configs.get(repo) ?? setCiConfig(repo, {});
  if (!config) throw new Error("sandbox: no CI configuration");
  const check = await queueCi(sb, repo, sha, branch, config);
  await carryOut(sb, repo, check, branch, config);
  return check;
}

/** CI as GitHub Actions runs it: its own suite per run, owned by the GitHub Actions App. */
async function queueCi(
  sb: Sandbox,
  repo: Repo,
  sha: string,
  branch: string,
  config: CiConfig,
): Promise<CheckRun> {
  const app = actionsApp(sb);
  const suite = await newSuite(sb, repo, app.id, sha, branch);
  return createCheckRun(sb, repo, app.id, sha, { name: config.name }, suite);
}

async function carryOut(
  sb: Sandbox,
  repo: Repo,
  check: CheckRun,
  branch: string,
  config: CiConfig,
): Promise<void> {
  const signal = ciStopSignal(sb);
  if (config.delayMs > 0) await delay(config.delayMs, undefined, { signal }).catch(() => undefined);
  if (signal.aborted) {
    await updateCheckRun(sb, repo, check, {
      conclusion: "cancelled",
      output: { title: `${config.name}: cancelled`, summary: "The sandbox stopped before CI ran." },
    });
    return;
  }
  await updateCheckRun(sb, repo, check, { status: "in_progress", startedAt: sb.store.nowIso() });
  let conclusion: CheckConclusion = config.outcome;
  let summary = `The sandbox CI reported ${config.outcome}.`;
  let text: string | undefined;
  if (config.command) {
    const result = await runInCheckout(repo, check.headSha, config.command, {
      timeoutMs: config.timeoutMs,
      signal,
      env: {
        ...config.env,
        GITHUB_ACTIONS: "true",
        GITHUB_SHA: check.headSha,
        GITHUB_REF_NAME: branch,
        GITHUB_REPOSITORY: sb.store.fullName(repo),
      },
    }).catch((error: unknown) => ({
      exitCode: null,
      timedOut: false,
      cancelled: false,
      tail: error instanceof Error ? error.message : String(error),
    }));
    const shown = `\`${config.command.join(" ")}\``;
    conclusion = result.cancelled
      ? "cancelled"
      : result.timedOut
        ? "timed_out"
        : result.exitCode === 0
          ? "success"
          : "failure";
    summary = result.cancelled
      ? `${shown} was cancelled: the sandbox stopped.`
      : result.timedOut
        ? `${shown} timed out after ${config.timeoutMs} ms.`
        : `${shown} exited with code ${result.exitCode ?? "none"}.`;
    text = `\`\`\`\n${result.tail}\n\`\`\``;
  }
  const redact = redactor(config.env);
  await updateCheckRun(sb, repo, check, {
    conclusion,
    output: {
      title: `${config.name}: ${conclusion}`,
      summary: redact(summary),
      ...(text !== undefined ? { text: redact(text) } : {}),
    },
  });
}

/** Masks the configured env values (the secrets a CI log shows as `***`); values under 4 characters stay. */
export function redactor(env: Record<string, string>): (text: string) => string {
  const secrets = [...new Set(Object.values(env))]
    .filter((value) => value.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((masked, secret) => masked.split(secret).join("***"), text);
}
