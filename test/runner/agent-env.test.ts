import { existsSync, readdirSync, rmSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { agentEnvironment, MissingSecretError, ReservedSecretError } from "../../src/runner/agent-env.js";

const WORKER_ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  LANG: "C.UTF-8",
  TZ: "UTC",
  TERM: "xterm",
  HOME: "/home/worker",
  TMPDIR: "/var/tmp",
  GITHUB_TOKEN: "ghs_workerInstallationToken0000000000",
  REDIS_URL: "redis://:password@redis:6379",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
  WEBHOOK_SECRET: "a-webhook-secret",
  ANTHROPIC_API_KEY: "sk-ant-api03-agent-key",
  OPENAI_API_KEY: "sk-other-agents-key",
  NODE_OPTIONS: "--require /tmp/evil.js",
};

describe("agentEnvironment", () => {
  it("passes the allowlist, the agent's own secrets and CI=true, and nothing else of the worker's", () => {
    const env = agentEnvironment(["ANTHROPIC_API_KEY"], WORKER_ENV, { HOME: "/tmp/run-home" });

    expect(env).toEqual({
      PATH: "/usr/local/bin:/usr/bin:/bin",
      LANG: "C.UTF-8",
      TZ: "UTC",
      TERM: "xterm",
      TMPDIR: "/var/tmp",
      HOME: "/tmp/run-home",
      ANTHROPIC_API_KEY: "sk-ant-api03-agent-key",
      CI: "true",
    });
  });

  it("keeps the worker's credentials and other agents' keys out", () => {
    const env = agentEnvironment(["ANTHROPIC_API_KEY"], WORKER_ENV, { HOME: "/tmp/run-home" });

    for (const name of [
      "GITHUB_TOKEN",
      "REDIS_URL",
      "PRIVATE_KEY",
      "WEBHOOK_SECRET",
      "OPENAI_API_KEY",
      "NODE_OPTIONS",
    ]) {
      expect(env).not.toHaveProperty(name);
    }
    expect(Object.values(env).join("\n")).not.toMatch(/ghs_|password|PRIVATE KEY|webhook-secret/);
  });

  it("lets the runner's extra values (HOME, TMPDIR) win over the worker's", () => {
    const env = agentEnvironment([], WORKER_ENV, { HOME: "/run/home", TMPDIR: "/run/tmp" });

    expect(env).toMatchObject({ HOME: "/run/home", TMPDIR: "/run/tmp" });
  });

  it("never passes the worker's HOME: without one given, HOME is a fresh empty temp dir", () => {
    const env = agentEnvironment([], WORKER_ENV);
    try {
      expect(env.HOME).not.toBe("/home/worker");
      expect(existsSync(env.HOME as string)).toBe(true);
      expect(readdirSync(env.HOME as string)).toEqual([]);
    } finally {
      rmSync(env.HOME as string, { recursive: true, force: true });
    }
  });

  it("gives a PATH even when the worker has none", () => {
    expect(agentEnvironment([], {}, { HOME: "/h" }).PATH).toBe("/usr/local/bin:/usr/bin:/bin");
  });

  it("names a configured secret that the worker does not have", () => {
    const missing = () =>
      agentEnvironment(["ANTHROPIC_API_KEY", "GEMINI_API_KEY"], WORKER_ENV, { HOME: "/h" });

    expect(missing).toThrow(MissingSecretError);
    expect(missing).toThrow(/GEMINI_API_KEY/);
  });

  it("treats an empty secret as missing", () => {
    expect(() => agentEnvironment(["ANTHROPIC_API_KEY"], { ANTHROPIC_API_KEY: "" }, { HOME: "/h" })).toThrow(
      MissingSecretError,
    );
  });

  it("refuses Flotilla's own settings as an agent's secret, even when a config names them", () => {
    for (const name of ["PRIVATE_KEY", "WEBHOOK_SECRET", "REDIS_URL", "FLOTILLA_ANYTHING"]) {
      expect(() =>
        agentEnvironment([name], { ...WORKER_ENV, FLOTILLA_ANYTHING: "x" }, { HOME: "/h" }),
      ).toThrow(ReservedSecretError);
    }
  });

  it("refuses GitHub's own tokens as an agent's secret: no GitHub token reaches an agent", () => {
    const env = {
      ...WORKER_ENV,
      GITHUB_TOKEN: "ghs_x",
      GH_TOKEN: "x",
      ACTIONS_RUNTIME_TOKEN: "x",
      RUNNER_TEMP: "/t",
    };
    for (const name of [
      "GITHUB_TOKEN",
      "GH_TOKEN",
      "ACTIONS_RUNTIME_TOKEN",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
      "RUNNER_TEMP",
    ]) {
      expect(() => agentEnvironment([name], env, { HOME: "/h" })).toThrow(ReservedSecretError);
    }
  });
});
