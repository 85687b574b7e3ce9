import { z } from "zod";
import { RunnerRefusal } from "./runner-refusal.js";

/**
 * What the agent workflow's runner step is given (see .github/workflows/flotilla-agent.yml): GitHub's own
 * variables, the job's read-only token, and the dispatch's inputs under `FLOTILLA_*`. Ids only: the runner
 * reads everything else itself.
 */
const JobEnvSchema = z
  .object({
    GITHUB_REPOSITORY: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "owner/name"),
    GITHUB_API_URL: z.url().default("https://api.github.com"),
    GITHUB_TOKEN: z.string().min(1, "the job's read-only token, passed in the runner step's env"),
    FLOTILLA_TASK: z.string().regex(/^[\w.-]+$/, "a task id"),
    FLOTILLA_ROLE: z.enum(["code", "iterate", "judge"], "`code`, `iterate` or `judge`"),
    FLOTILLA_ISSUE: z
      .string()
      .regex(/^[1-9]\d*$/, "an issue number")
      .transform(Number),
    FLOTILLA_AGENT: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "an agent name"),
    FLOTILLA_TRIGGERED_AT: z.iso.datetime({ offset: true }),
    // `code`: the sha256 of the issue when the agent was asked; `iterate` and `judge`: the git blob holding
    // the request the App stored (StoredRequestSchema).
    FLOTILLA_DIGEST: z
      .string()
      .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "a sha256, or a git blob's sha, in hex"),
  })
  .refine((env) => (env.FLOTILLA_ROLE === "code") === (env.FLOTILLA_DIGEST.length === 64), {
    message: "a sha256 of the issue for the role `code`, a git blob's sha for `iterate` and `judge`",
    path: ["FLOTILLA_DIGEST"],
  });

export type JobEnv = z.output<typeof JobEnvSchema>;

/** Reads the job's environment; every missing or malformed variable is named at once. */
export function readJobEnv(env: NodeJS.ProcessEnv): JobEnv {
  const parsed = JobEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  throw new RunnerRefusal(
    `the runner step's environment is incomplete (is the workflow Flotilla's template?):\n${problems.join("\n")}`,
  );
}
