import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { AgentConfig } from "../app/config/schema.js";
import { buildJudgePrompt } from "../judge/judge-prompt.js";
import type { AgentReport, Outcome, OutputReader, ProgressEvent, Usage } from "./adapters/adapter.js";
import { adapterFor } from "./adapters/index.js";
import { textEvent } from "./adapters/read-output.js";
import { agentEnvironment } from "./agent-env.js";
import { type AgentProcessResult, runAgentProcess } from "./agent-process.js";
import { type Changeset, computeChangeset } from "./changeset.js";
import { decideOutcome } from "./outcome.js";
import { OutputTail } from "./output-tail.js";
import { buildPrompt, type PromptInput } from "./prompt.js";
import { createRedactor, lineRedactor } from "./redact.js";
import { secretsInChanges } from "./secrets-in-changes.js";
import type { JudgeRequest } from "./task-spec.js";

/** How much of the run's transcript (what the agent said and did) is kept for the log excerpt. */
const TRANSCRIPT_BYTES = 256 * 1024;

export interface SessionSpec {
  /** The worktree the agent works in (see Workspaces). */
  workspace: string;
  /** The commit the workspace started from; the changeset is everything since. */
  baseSha: string;
  agentName: string;
  agent: AgentConfig;
  /** `owner/name`. */
  repo: string;
  /**
   * What the agent is asked: the issue, the comments that may be heard, feedback; untrusted, sanitized here.
   * With `judge`, the agent reviews the pull request instead and its final message is its verdict.
   */
  request: Omit<PromptInput, "repo" | "protectedPaths"> & { judge?: JudgeRequest };
  /** Where the agent's secrets are read from (the worker's environment); nothing else of it is passed on. */
  env: NodeJS.ProcessEnv;
  /** Aborting it stops the agent (the session still returns, with a `cancelled` outcome). */
  signal?: AbortSignal;
  /** Output kept from the end. @defaultValue 1 MiB */
  outputLimitBytes?: number;
  /** Glob patterns the agent may not change, named in the prompt. */
  protectedPaths?: string[];
  /** Where the session's private dir (prompt, HOME, TMPDIR) is made; outside the workspace. @defaultValue os.tmpdir() */
  tmpRoot?: string;
  /** Each progress event as it happens, already redacted. */
  onProgress?: (event: ProgressEvent) => void;
  /** Between SIGTERM and SIGKILL when the agent is stopped. @defaultValue 5 seconds */
  killGraceMs?: number;
}

export interface SessionResult {
  outcome: Outcome;
  /** The agent's final message, redacted. */
  summary?: string;
  usage: Usage;
  /** The transcript's tail: what the agent said and did, and its stderr; redacted. */
  log: string;
  /** What the agent process did; its output is already redacted. */
  process: AgentProcessResult;
  /** What the agent left in the workspace, committed or not, against baseSha. */
  changeset: Changeset;
  timings: { startedAt: string; finishedAt: string; durationMs: number; agentMs: number };
}

/** A private dir (0700) for the prompt, HOME and TMPDIR, outside the worktree so none of it is published. */
async function makePrivateDir(workspace: string, tmpRoot: string): Promise<string> {
  const dir = await mkdtemp(join(tmpRoot, "flotilla-session-"));
  const inside = relative(await realpath(workspace), await realpath(dir));
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `the session's temp dir ${dir} is inside the workspace: choose a tmpRoot (TMPDIR) outside it`,
    );
  }
  await mkdir(join(dir, "home"));
  await mkdir(join(dir, "tmp"));
  return dir;
}

/** Writes the CLI's settings files into its HOME; a path may not leave it. */
async function writeHomeFiles(home: string, files: Record<string, string> = {}): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(home, path);
    if (relative(home, target).startsWith("..") || isAbsolute(path)) {
      throw new Error(`an adapter's settings file ${path} is outside the agent's HOME`);
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { mode: 0o600 });
  }
}

/**
 * One agent session: the agent runs on the request in the workspace, and what it left there is collected.
 * The outcome says how it ended (success, the agent's error, which limit stopped it, cancelled); the
 * changeset is computed whatever the outcome, also when the program could not start: a run stopped at a
 * limit still hands back what it had written (`limits.partialWork` decides what becomes of it).
 *
 * @throws MissingSecretError, ReservedSecretError before anything runs, when the agent cannot be run.
 */
export async function runSession(spec: SessionSpec): Promise<SessionResult> {
  const startedAt = new Date();
  const started = performance.now();
  const adapter = adapterFor(spec.agent.adapter);
  // 1. A private dir outside the worktree, removed whatever happens.
  const dir = await makePrivateDir(spec.workspace, spec.tmpRoot ?? tmpdir());
  try {
    // 2. The prompt, from the sanitized request, in the private dir.
    const promptFile = join(dir, "prompt.md");
    const prompt = promptFor(spec);
    await writeFile(promptFile, prompt, { mode: 0o600 });
    // 3. The command line and the CLI's settings, from the agent's adapter.
    const home = join(dir, "home");
    const invocation = adapter.invocation({
      promptFile,
      prompt,
      workspace: spec.workspace,
      home,
      agent: spec.agent,
    });
    await writeHomeFiles(home, invocation.files);
    // 4. The environment: an allowlist and the agent's own secrets, with a fresh HOME and TMPDIR.
    const secretNames = spec.agent.secrets ?? adapter.defaultSecrets;
    const env = agentEnvironment(secretNames, spec.env, {
      ...invocation.env,
      HOME: home,
      TMPDIR: join(dir, "tmp"),
    });
    const redact = createRedactor(secretNames.map((name) => env[name] ?? ""));
    // 5. The agent itself, bounded by its timeout, its output limit and the caller's signal; its stdout read
    //    by the adapter as it arrives.
    const reader = adapter.reader();
    const transcript = new OutputTail(TRANSCRIPT_BYTES);
    // The transcript is kept raw and redacted whole at the end: a private key printed over several lines is
    // only recognized as one. Live progress goes out line by line, through a redactor that holds keys back.
    const redactLine = lineRedactor(redact);
    const note = (event: ProgressEvent) => {
      transcript.push(Buffer.from(`${event.kind === "text" ? "" : `[${event.kind}] `}${event.text}\n`));
      if (spec.onProgress) spec.onProgress({ ...event, text: redactLine(event.text) });
    };
    const run = await runAgentProcess({
      argv: invocation.argv,
      cwd: spec.workspace,
      env,
      timeoutMs: spec.agent.timeout,
      maxOutputBytes: spec.agent.maxOutput,
      outputLimitBytes: spec.outputLimitBytes,
      ...(invocation.promptOnStdin ? { stdinFile: promptFile } : {}),
      ...(spec.killGraceMs !== undefined ? { killGraceMs: spec.killGraceMs } : {}),
      signal: spec.signal,
      onLine: (stream, line) => {
        for (const event of stream === "stdout" ? readLine(reader, line) : [textEvent(line, "error")]) {
          if (event) note(event);
        }
      },
    });
    const agentMs = run.durationMs;
    for (const event of reader.flush?.() ?? []) note(event);
    // 6. What the output said, and how the run ended; everything that leaves here is redacted.
    const report = finishReading(reader);
    let outcome = decideOutcome(run, report, spec.agent);
    // It never started: the process runner's own note says why.
    if (run.startError) transcript.push(Buffer.from(run.output));
    // 7. What it changed, committed or not; nothing of it when it holds one of the agent's secrets.
    let changeset = withoutScratch(
      await computeChangeset(spec.workspace, spec.baseSha),
      adapter.scratchPaths,
    );
    const leaks = await secretsInChanges(
      spec.workspace,
      changeset,
      Object.fromEntries(secretNames.map((name) => [name, env[name] ?? ""])),
    );
    if (leaks.length > 0) {
      changeset = { baseSha: changeset.baseSha, files: [] };
      const leaked = `The agent wrote a secret into its changes (${leaks.map((l) => `${l.secret} in ${l.path}`).join(", ")}), so none of them is kept.`;
      // A run stopped at a limit keeps saying so, and why its partial work is not kept; a cancelled one
      // publishes nothing anyway.
      if (outcome.kind === "success") outcome = { kind: "agent-error", message: leaked };
      else if (outcome.kind === "limit") outcome = { ...outcome, message: `${outcome.message} ${leaked}` };
    }
    return {
      outcome: redactOutcome(outcome, redact),
      ...(report.summary !== undefined ? { summary: redact(report.summary) } : {}),
      usage: report.usage,
      log: redact(transcript.text()),
      process: { ...run, output: redact(run.output) },
      changeset,
      timings: {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: performance.now() - started,
        agentMs,
      },
    };
  } finally {
    // 8. The prompt, HOME and TMPDIR go; the worktree is the caller's. A dir the agent made undeletable
    // (chmod 0500) must not cost the session its result: it stays behind in the temp dir.
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The coding agent's task prompt, or the judge's. */
function promptFor(spec: SessionSpec): string {
  const { judge, ...request } = spec.request;
  if (!judge) return buildPrompt({ ...request, repo: spec.repo, protectedPaths: spec.protectedPaths });
  return buildJudgePrompt({
    repo: spec.repo,
    issue: request.issue,
    pull: judge.pull,
    diff: request.diff ?? "",
    ci: judge.ci,
    criteria: judge.criteria,
    ...(judge.invalidAnswer !== undefined ? { invalidAnswer: judge.invalidAnswer } : {}),
    ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}),
  });
}

/**
 * What the reader makes of a line, never a throw: the agent controls its CLI's output (its shell can write into
 * the CLI's stdout), and an adapter that trips over a line it did not expect must not end the run, let alone
 * the worker. Such a line is shown as it is.
 */
function readLine(reader: OutputReader, line: string): (ProgressEvent | undefined)[] {
  try {
    const events = reader.line(line);
    return Array.isArray(events) ? events : [events];
  } catch {
    return [textEvent(line, "info")];
  }
}

function finishReading(reader: OutputReader): AgentReport {
  try {
    return reader.finish();
  } catch (error) {
    return {
      usage: {},
      outcome: { kind: "agent-error", message: `its output could not be read: ${(error as Error).message}` },
    };
  }
}

/** The changeset without what the CLI wrote into the workspace for itself (its caches). */
function withoutScratch(changeset: Changeset, scratch: string[] = []): Changeset {
  if (scratch.length === 0) return changeset;
  const isScratch = (path: string) =>
    scratch.some((s) => (s.endsWith("/") ? path.startsWith(s) : path === s));
  return { ...changeset, files: changeset.files.filter((f) => !isScratch(f.path)) };
}

function redactOutcome(outcome: Outcome, redact: (text: string) => string): Outcome {
  return outcome.kind === "success" ? outcome : { ...outcome, message: redact(outcome.message) };
}
