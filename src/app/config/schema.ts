import { z } from "zod";
import { adapterProblems } from "../../runner/adapters/problems.js";
import { isReservedSecretName } from "../../runner/agent-env.js";

/**
 * `.github/flotilla.yml`: one schema, the single source of truth for the repository config. Every key has a
 * default and a one-line meaning; docs/config.md and docs/flotilla.schema.json are generated from it
 * (`npm run config:docs`), and a test keeps them current.
 */

export const ADAPTERS = ["claude", "codex", "gemini", "opencode", "aider", "goose", "command"] as const;

/** What becomes of a run's changes when it is stopped at one of its agent's limits (`limits.partialWork`). */
export const PARTIAL_WORK = ["branch", "draft-pr", "discard"] as const;
export type PartialWork = (typeof PARTIAL_WORK)[number];

const UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNITS_BYTES = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;

/** `90s`, `45m`, `2h`, `7d` → milliseconds. */
const Duration = z
  .string()
  .regex(/^\d+(s|m|h|d)$/, 'a duration such as "90s", "45m", "2h" or "7d"')
  .transform((text) => Number.parseInt(text, 10) * UNITS_MS[text.slice(-1) as keyof typeof UNITS_MS]);

/** `512KB`, `2MB` → bytes. */
const Size = z
  .string()
  .regex(/^\d+(B|KB|MB|GB)$/, 'a size such as "512KB" or "2MB"')
  .transform((text) => {
    const unit = /[A-Z]+$/.exec(text)?.[0] as keyof typeof UNITS_BYTES;
    return Number.parseInt(text, 10) * UNITS_BYTES[unit];
  });

const AgentSchema = z
  .object({
    adapter: z.enum(ADAPTERS).describe("Which CLI runs this agent; `command` runs any program you name."),
    model: z
      .string()
      .min(1)
      .optional()
      .describe("The model the CLI is asked to use; the CLI's own default when unset."),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "The model API's base URL, for a proxy, a gateway or a self-hosted model; the CLI's own default when unset.",
      ),
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        "For `adapter: command`: the program and its arguments; `{prompt_file}`, `{workspace}` and `{model}` are filled in.",
      ),
    timeout: Duration.prefault("45m").describe(
      "Wall-clock limit for one run; the whole process group is killed after it.",
    ),
    maxTurns: z
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe(
        "Most agent turns (model calls) in one run, for CLIs that can count them; the CLI's own default when unset.",
      ),
    maxBudgetUsd: z
      .number()
      .positive()
      .max(10_000)
      .optional()
      .describe("Most USD one run may spend, for CLIs that track cost (claude); no limit when unset."),
    maxOutput: Size.prefault("32MB").describe(
      "Most output (stdout and stderr) one run may print; the agent is stopped past it.",
    ),
    secrets: z
      .array(
        z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as ANTHROPIC_API_KEY")
          .refine(
            (name) => !isReservedSecretName(name),
            "not one of Flotilla's own settings (the App's key, the webhook secret, Redis, FLOTILLA_*), which no agent may receive",
          ),
      )
      .optional()
      .describe(
        "Names of the secrets this agent receives in its environment (its API keys); nothing else is passed. Unset: the adapter's own (docs/agents.md), none for `command`.",
      ),
  })
  .strict()
  .refine((agent) => agent.adapter !== "command" || agent.command !== undefined, {
    message: "an agent with `adapter: command` needs `command`, the program and its arguments",
    path: ["command"],
  })
  .superRefine(adapterProblems);

/** The agents available when the config names none: each known CLI under its own name. */
const BUILT_IN_AGENTS = Object.fromEntries(
  ADAPTERS.filter((a) => a !== "command").map((adapter) => [adapter, { adapter }]),
);

export const ConfigSchema = z
  .object({
    backend: z
      .enum(["local", "actions"])
      .default("local")
      .describe(
        "Where agents run: `local` (a worktree on the worker host) or `actions` (a GitHub Actions job).",
      ),
    actions: z
      .object({
        workflow: z
          .string()
          .regex(/^[\w.-]+\.ya?ml$/, "a file name in .github/workflows, such as flotilla-agent.yml")
          .default("flotilla-agent.yml")
          .describe("The agent workflow's file in `.github/workflows` (copied from Flotilla's template)."),
        retries: z
          .int()
          .min(0)
          .max(5)
          .default(2)
          .describe(
            "Times a run lost to the infrastructure (never started, runner lost) is dispatched again; an agent's own failure is never retried.",
          ),
        startTimeout: Duration.prefault("15m").describe(
          "How long a dispatched run may wait for a runner before it counts as never started.",
        ),
      })
      .strict()
      .prefault({})
      .describe("For `backend: actions`: the workflow that runs agents on GitHub Actions runners."),
    labelPrefix: z
      .string()
      .min(1)
      .default("agent:")
      .describe("A label `<labelPrefix><agent>` on an issue starts that agent."),
    agents: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes"), AgentSchema)
      .prefault(BUILT_IN_AGENTS)
      .describe(
        "The agents people can ask for, by name. When set, it replaces the built-in list (one per known CLI).",
      ),
    concurrency: z
      .object({
        perRepo: z
          .int()
          .min(1)
          .max(50)
          .default(3)
          .describe("Agent runs at once in this repository; more wait in order."),
      })
      .strict()
      .prefault({})
      .describe("Limits on runs at once."),
    budget: z
      .object({
        monthlyUsd: z
          .number()
          .positive()
          .optional()
          .describe(
            "Most USD this repository's agents and judge may spend in a month (UTC), as their CLIs report it. A run asked for past it waits, saying so.",
          ),
        monthlyAgentHours: z
          .number()
          .positive()
          .optional()
          .describe("Most hours agents may run for this repository in a month (UTC), summed over runs."),
      })
      .strict()
      .prefault({})
      .describe(
        "Monthly budgets for the repository; unset, none. Per-run limits are the agents' own (`timeout`, `maxTurns`, `maxBudgetUsd`). See docs/budgets.md.",
      ),
    priority: z
      .object({
        high: z
          .array(z.string().min(1))
          .default(["priority:high"])
          .describe("Labels that put an issue's tasks ahead of the others waiting in this repository."),
        low: z
          .array(z.string().min(1))
          .default(["priority:low"])
          .describe("Labels that put an issue's tasks behind the others."),
      })
      .strict()
      .prefault({})
      .describe(
        "Which issue labels order the line: read when the agent is asked for, and a task still waiting moves when they change. Within a priority, first come, first served.",
      ),
    judge: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Whether every agent pull request is judged: the check runs "Flotilla judge" and "Flotilla" (the gate) and a review. The judge runs where the coding agents do (`backend`).',
          ),
        agent: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, "the name of an agent under `agents`")
          .optional()
          .describe(
            "The agent (a name under `agents`) that judges. Unset: the first other agent with a different adapter from the one that wrote the PR, else one with a different model, else the same agent.",
          ),
        maxRounds: z
          .int()
          .min(0)
          .max(10)
          .default(2)
          .describe(
            "Automatic fix iterations per pull request when CI fails or the judge requests changes; after the last, a person is asked to step in.",
          ),
        ciTimeout: Duration.prefault("30m").describe(
          "How long the judge waits for the repository's CI on a new head; past it the judge runs anyway and says CI was still pending.",
        ),
      })
      .strict()
      .prefault({})
      .describe(
        "The judge: an agent that reviews each agent pull request with the CI results, and the gate check.",
      ),
    race: z
      .object({
        timeLimit: Duration.prefault("2h").describe(
          "How long a race's candidates may take; past it the ones still working are stopped and the finished ones ranked.",
        ),
        keepBranches: Duration.prefault("7d").describe(
          "How long the losing candidates' branches are kept after the winner is chosen; then each is deleted, unless someone pushed to it.",
        ),
        pick: z
          .enum(["auto", "person"])
          .default("auto")
          .describe(
            "Who picks the winner: the ranking (`auto`: the best candidate gets a pull request), or a person (`person`: the ranking is posted, and `/agent pick <agent>` opens that candidate's pull request).",
          ),
      })
      .strict()
      .prefault({})
      .describe(
        "Races (best-of-N): several agents on one issue at once, ranked by CI and the judge (docs/races.md).",
      ),
    commands: z
      .object({
        reviews: z
          .enum(["changes-requested", "command", "off"])
          .default("changes-requested")
          .describe(
            "Which reviews of an agent pull request send the agent back to work, with their line comments: every review that requests changes (`changes-requested`), only reviews whose body has an `/agent` line (`command`), or none (`off`: reviews are not read; comment instead).",
          ),
        dailyIterations: z
          .int()
          .min(0)
          .max(100)
          .default(10)
          .describe(
            "Iterations people may ask for on one pull request per day (UTC), with `/agent` comments and reviews; past it they get a reply and their feedback waits for the next day. The judge's automatic rounds are counted by `judge.maxRounds` instead.",
          ),
      })
      .strict()
      .prefault({})
      .describe(
        "`/agent` commands in issue and pull request comments, and review feedback (docs/commands.md).",
      ),
    protectedPaths: z
      .array(z.string().min(1))
      // The agent CLIs' settings (hooks, allowed commands, MCP servers, test commands): a change there, once
      // merged, would decide what the next agent runs. Workflows and .github/flotilla.yml are always protected.
      .default([
        ".github/workflows/**",
        ".claude/**",
        ".mcp.json",
        ".codex/**",
        ".gemini/**",
        ".opencode/**",
        "opencode.json",
        ".aider.conf.yml",
        ".goose/**",
        ".goosehints",
      ])
      .describe(
        "Glob patterns an agent may not change; a run that touches one is refused and nothing is pushed. Setting it replaces the defaults, except `.github/workflows/**` and `.github/flotilla.yml`, which are always protected.",
      ),
    prompt: z
      .object({
        comments: z
          .enum(["writers", "everyone", "none"])
          .default("writers")
          .describe(
            "Whose issue comments the agent reads: people with write access or more (`writers`), `everyone`, or `none`.",
          ),
        maxSize: Size.prefault("64KB").describe(
          "Most bytes of issue text, comments and feedback in one prompt; past it the oldest comments are cut, with a note.",
        ),
      })
      .strict()
      .prefault({})
      .describe("What goes into an agent's prompt besides the issue itself."),
    limits: z
      .object({
        maxFilesChanged: z.int().min(1).default(200).describe("Most files one run may change."),
        maxBytesChanged: Size.prefault("2MB").describe("Most bytes of new content one run may write."),
        partialWork: z
          .enum(PARTIAL_WORK)
          .default("branch")
          .describe(
            "What happens to the changes of a run stopped at one of its agent's limits (`timeout`, `maxTurns`, `maxBudgetUsd`, `maxOutput`): committed to the task's branch with no pull request (`branch`), committed and opened as a draft pull request that is not judged until someone marks it ready for review (`draft-pr`), or dropped (`discard`). The path policy and the size limits apply to them as to finished work.",
          ),
      })
      .strict()
      .prefault({})
      .describe(
        "Size limits on an agent's changes, checked before anything is pushed, and what becomes of a run stopped at its agent's limits (docs/budgets.md).",
      ),
  })
  .strict()
  .refine((config) => !config.judge.agent || Object.hasOwn(config.agents, config.judge.agent), {
    message: "names no agent under `agents`",
    path: ["judge", "agent"],
  });

export type RepoConfig = z.output<typeof ConfigSchema>;
export type AgentConfig = RepoConfig["agents"][string];
