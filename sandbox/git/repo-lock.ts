/**
 * One lock per repository for everything that moves refs (a smart-HTTP push, a REST ref change), so a
 * push's before/after snapshot of the refs holds only its own changes and each change is announced once.
 * An entry is removed once its last holder settles, so the map does not grow with every repository touched.
 */
const locks = new Map<string, Promise<void>>();

export async function withRepoLock<T>(gitDir: string, work: () => Promise<T>): Promise<T> {
  const run = (locks.get(gitDir) ?? Promise.resolve()).then(work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(gitDir, settled);
  try {
    return await run;
  } finally {
    // Nobody queued behind us: nothing left to wait for.
    if (locks.get(gitDir) === settled) locks.delete(gitDir);
  }
}

/** How many repositories have a ref change running or queued (for tests). */
export function heldRepoLocks(): number {
  return locks.size;
}
