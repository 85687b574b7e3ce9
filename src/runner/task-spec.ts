import { z } from "zod";
import { ADAPTERS, type AgentConfig } from "../app/config/schema.js";
import { adapterProblems } from "./adapters/problems.js";
import { isReservedSecretName } from "./agent-env.js";

/**
 * `task.json`: what `flotilla-runner` runs, and what the local backend hands to the same code in-process.
 * Written by the App, never by people, so values are already resolved: durations in ms, sizes in bytes.
 * It holds the request's text and names of secrets, never a secret or a token.
 */

const SecretName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as ANTHROPIC_API_KEY")
  .refine((name) => !isReservedSecretName(name), "not one of Flotilla's own settings");

const AgentSpec = z
  .object({
    adapter: z.enum(ADAPTERS),
    model: z.string().min(1).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    command: z.array(z.string().min(1)).min(1).optional(),
    timeout: z.int().positive().describe("milliseconds"),
    maxTurns: z.int().positive().optional(),
    maxBudgetUsd: z.number().positive().optional(),
    maxOutput: z.int().positive().describe("bytes"),
    secrets: z.array(SecretName).optional(),
  })
  .strict()
  .refine((agent) => agent.adapter !== "command" || agent.command !== undefined, {
    message: "an agent with `adapter: command` needs `command`",
    path: ["command"],
  })
  .superRefine(adapterProblems);

const Comment = z.object({
  author: z.string(),
  body: z.string(),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
});

/** For the judge's role: the pull request and the CI verdicts it judges with (its diff is `request.diff`). */
const JudgeRequest = z
  .object({
    // No number: a race candidate's branch, judged before it has a pull request.
    pull: z
      .object({ number: z.int().positive().optional(), sha: z.string().regex(/^[0-9a-f]{40}$/) })
      .strict(),
    ci: z
      .object({
        checks: z.array(
          z
            .object({
              name: z.string(),
              kind: z.enum(["check", "status"]),
              state: z.enum(["pending", "passed", "failed"]),
              conclusion: z.string().optional(),
              url: z.string().optional(),
              details: z.string().optional(),
            })
            .strict(),
        ),
      })
      .strict(),
    criteria: z.array(z.string()),
    /** On the one retry after an answer that was not a verdict: what was wrong with it. */
    invalidAnswer: z.string().optional(),
  })
  .strict();

export type JudgeRequest = z.output<typeof JudgeRequest>;

export const TaskSpecSchema = z
  .object({
    version: z.literal(1),
    /** `owner/name`. */
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/name"),
    /** The checkout the agent works in. @defaultValue the current directory */
    workspace: z.string().min(1).optional(),
    /** The commit the changeset is computed against. @defaultValue the workspace's HEAD */
    baseSha: z
      .string()
      .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "a full commit sha")
      .optional(),
    agentName: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes"),
    agent: AgentSpec,
    request: z
      .object({
        issue: z.object({ number: z.int().positive(), title: z.string(), body: z.string() }).strict(),
        comments: z.array(Comment).optional(),
        triggeredAt: z.string().optional(),
        feedback: z.array(z.object({ text: z.string(), author: z.string().optional() })).optional(),
        /** For an iteration: the pull request's conversation so far, from people who may be heard. */
        pullComments: z.array(Comment).optional(),
        diff: z.string().optional(),
        /** Set for the judge: it reviews instead of changing files, and answers with a verdict. */
        judge: JudgeRequest.optional(),
        maxBytes: z.int().positive().optional(),
      })
      .strict(),
    protectedPaths: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type TaskSpec = z.output<typeof TaskSpecSchema>;

/**
 * What the App stores, as a git blob in the repository, for a run on a CI runner whose request the runner
 * cannot rebuild from the issue: an iteration (its feedback, the pull request's conversation and diff) or
 * the judge (the diff, CI, the criteria). The workflow gets only the blob's sha, an id. Whoever can read
 * the repository can read the blob, as they can read the issue, the pull request and its checks it is
 * made of; it holds no secret, only the names of the agent's.
 */
export const StoredRequestSchema = TaskSpecSchema.pick({
  agentName: true,
  agent: true,
  request: true,
  protectedPaths: true,
})
  .extend({
    version: z.literal(1),
    role: z.enum(["iterate", "judge"]),
    /** The commit the run starts from: the pull request's head (or a race candidate's). */
    head: z.string().regex(/^[0-9a-f]{40}$/, "a full commit sha"),
  })
  .strict();

export type StoredRequest = z.output<typeof StoredRequestSchema>;

// The spec's agent is the repository config's agent, resolved: a drift between the two fails typechecking.
const _sameAgent: AgentConfig = {} as TaskSpec["agent"];
void _sameAgent;

/** A task spec that does not match the schema; the message names each bad field. */
export class TaskSpecError extends Error {
  override name = "TaskSpecError";
}

/** Parses task.json's text; every problem is named by its field path (`agent.timeout: …`). */
export function parseTaskSpec(text: string): TaskSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TaskSpecError(`the task spec is not JSON: ${(error as Error).message}`);
  }
  const parsed = TaskSpecSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join(".") || "(the spec)";
    return `  ${field}: ${issue.message}`;
  });
  throw new TaskSpecError(`the task spec is invalid:\n${problems.join("\n")}`);
}
