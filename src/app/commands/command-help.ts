import { inlineCode, plainText, truncate } from "../../publish/markdown.js";

export interface CommandHelpInput {
  /** The names of the agents the repository configures, in the order to show them. */
  agents: string[];
  /** The config's `labelPrefix`: `<labelPrefix><agent>` on an issue starts that agent. */
  labelPrefix: string;
  /** Where the reply goes: commands that only work on the other kind are left out. */
  where: "issue" | "pull";
  /** What was wrong with the command being answered (untrusted: it may quote the comment). */
  problem?: string;
}

interface CommandLine {
  usage: string;
  does: string;
  where: readonly ("issue" | "pull")[];
}

const BOTH = ["issue", "pull"] as const;

const COMMANDS: readonly CommandLine[] = [
  {
    usage: "/agent <feedback>",
    does: "the agent revises this pull request with your feedback",
    where: ["pull"],
  },
  {
    usage: "/agent use <agent> [feedback]",
    does: "another agent revises this pull request",
    where: ["pull"],
  },
  { usage: "/agent run <agent> [instructions]", does: "start an agent on this issue", where: ["issue"] },
  {
    usage: "/agent race <agent> <agent> [<agent>…]",
    does: "race several agents on this issue; CI and the judge pick the best",
    where: ["issue"],
  },
  { usage: "/agent pick <agent>", does: "give a race's candidate its pull request", where: ["issue"] },
  { usage: "/agent retry", does: "run the last attempt again", where: BOTH },
  { usage: "/agent stop", does: "stop the agents working here", where: BOTH },
  { usage: "/agent judge", does: "ask the judge to review the pull request again", where: ["pull"] },
  { usage: "/agent status", does: "show what each agent is doing", where: BOTH },
  { usage: "/agent help", does: "show this list", where: BOTH },
];

/** Most characters of a problem shown: it may quote the comment, which must not fill the reply. */
const MAX_PROBLEM = 300;

/**
 * The reply to `/agent help` and to a command that could not be understood: what was wrong (if anything),
 * the commands that work here, and the agents there are. Text that did not come from Flotilla (the problem,
 * agent names, the label prefix) is escaped, so a comment quoted back cannot mention, link or inject HTML.
 */
export function commandHelp(input: CommandHelpInput): string {
  const parts: string[] = [];
  // One line, so that a problem quoting several lines of a comment cannot start Markdown blocks.
  const problem = truncate((input.problem ?? "").replace(/\s+/g, " ").trim(), MAX_PROBLEM);
  if (problem !== "") parts.push(`⚠️ ${plainText(problem)}`);
  parts.push(
    [
      "Commands, each at the start of a line in a comment:",
      ...COMMANDS.filter((c) => c.where.includes(input.where)).map(
        (c) => `- ${inlineCode(c.usage)}: ${c.does}`,
      ),
    ].join("\n"),
  );
  parts.push(agentsLine(input.agents, input.labelPrefix));
  return parts.join("\n\n");
}

function agentsLine(agents: string[], labelPrefix: string): string {
  const label = inlineCode(`${labelPrefix}${agents[0] ?? "<agent>"}`);
  if (agents.length === 0)
    return `No agents are configured here yet. Once they are, a label such as ${label} on an issue starts one.`;
  return `Agents: ${agents.map((a) => inlineCode(a)).join(", ")}. A label such as ${label} on an issue starts one too.`;
}
