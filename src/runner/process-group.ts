import { readdir, readFile } from "node:fs/promises";

/** Sends `signal` to every process in the group `pgid`; false when there was none to send it to. */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals | 0): boolean {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process of group `pgid` is still running. On Linux it reads /proc and leaves out zombies: a
 * killed descendant is reparented to PID 1, and an init that reaps slowly (a container's, a CI runner's)
 * would otherwise keep the group "alive" for seconds after everything in it is dead.
 */
async function groupRunning(pgid: number): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return signalGroup(pgid, 0); // no /proc (macOS): zombies count as alive until reaped
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses, so split after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

/** Waits up to `ms` for every process of group `pgid` to end; true when none is left. */
export async function groupEnded(pgid: number | undefined, ms: number): Promise<boolean> {
  if (pgid === undefined) return true;
  const deadline = performance.now() + ms;
  while (await groupRunning(pgid)) {
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
