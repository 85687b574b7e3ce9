import type { Usage } from "../runner/adapters/adapter.js";

const count = new Intl.NumberFormat("en-US");

/**
 * What a run spent, as people read it: "12,345 input and 678 output tokens, 3 turns, 0.42 USD". Only what the
 * CLI reported; undefined when it reported nothing.
 */
export function formatUsage(usage: Usage | undefined): string | undefined {
  if (!usage) return undefined;
  const parts: string[] = [];
  const { inputTokens: input, outputTokens: output } = usage;
  if (input !== undefined && output !== undefined)
    parts.push(`${count.format(input)} input and ${count.format(output)} output tokens`);
  else if (input !== undefined) parts.push(`${count.format(input)} input tokens`);
  else if (output !== undefined) parts.push(`${count.format(output)} output tokens`);
  if (usage.cacheReadTokens)
    parts.push(`${count.format(usage.cacheReadTokens)} tokens from the prompt cache`);
  if (usage.turns !== undefined) parts.push(`${usage.turns} ${usage.turns === 1 ? "turn" : "turns"}`);
  if (usage.costUsd !== undefined) parts.push(`${usage.costUsd.toFixed(2)} USD`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}
