import type { CandidateResult } from "./race.js";

/** One candidate as the ranking sees it. */
export interface RankedCandidate {
  taskId: string;
  /** Only a candidate whose run committed its branch (task state `candidate`) may win. */
  committed: boolean;
  result?: CandidateResult;
  costUsd?: number;
  durationMs?: number;
}

const CI_ORDER: Record<CandidateResult["ci"], number> = { passed: 0, pending: 1, none: 1, failed: 2 };
const DECISION_ORDER = { approve: 0, inconclusive: 1, request_changes: 2 } as const;

/**
 * The candidates, best first: CI passed over pending or none over failed; then the judge's approval over
 * inconclusive over changes requested or no verdict; then fewer findings; then cheaper, then faster. One that
 * failed, timed out, was stopped or changed nothing comes last, in the order asked.
 */
export function rankCandidates(candidates: readonly RankedCandidate[]): RankedCandidate[] {
  const key = (c: RankedCandidate): number[] => [
    c.committed && c.result ? 0 : 1,
    CI_ORDER[c.result?.ci ?? "failed"],
    c.result?.decision ? DECISION_ORDER[c.result.decision] : 2,
    c.result?.findings ?? Number.MAX_SAFE_INTEGER,
    c.costUsd ?? Number.MAX_SAFE_INTEGER,
    c.durationMs ?? Number.MAX_SAFE_INTEGER,
  ];
  const order = candidates.map((c, index) => ({ c, index, key: key(c) }));
  order.sort((a, b) => {
    // Candidates that cannot win keep the order asked; the rest are compared key by key.
    if (a.key[0] !== b.key[0]) return (a.key[0] ?? 0) - (b.key[0] ?? 0);
    if (a.key[0] === 1) return a.index - b.index;
    for (let i = 1; i < a.key.length; i++) {
      const diff = (a.key[i] ?? 0) - (b.key[i] ?? 0);
      if (diff !== 0) return diff;
    }
    return a.index - b.index;
  });
  return order.map(({ c }) => c);
}

/** The best candidate that may win, or undefined when none committed anything. */
export function winnerOf(ranked: readonly RankedCandidate[]): RankedCandidate | undefined {
  const best = ranked[0];
  return best?.committed && best.result ? best : undefined;
}
