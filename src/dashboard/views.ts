import type { Fleet } from "../fleet/fleet.js";
import type { Task } from "../fleet/task.js";
import { readTimeline, type TimelineEntry } from "../fleet/task-timeline.js";
import { queuePositions, type RowFilter, readTasks, type TaskRow, toRow, visibleRows } from "./fleet-rows.js";
import type { Session } from "./sessions.js";
import type { UserAccess } from "./user-access.js";

/** One read of the fleet serves every page and live update within this. */
const SNAPSHOT_MS = 1_000;

/**
 * What a signed-in person sees: the tasks of the repositories GitHub says they can access, and nothing else.
 * The fleet is read once a second at most, however many people watch it.
 */
export class Views {
  private snapshot: Promise<{ tasks: Task[]; positions: Map<string, number> }> | undefined;

  constructor(
    private readonly fleet: Fleet,
    private readonly access: UserAccess,
    private readonly webUrl: string,
  ) {}

  async fleetRows(
    session: Session,
    filter: RowFilter,
  ): Promise<{ rows: TaskRow[]; choices: { repos: string[]; states: string[]; agents: string[] } }> {
    const access = await this.access.of(session);
    const { tasks, positions } = await this.read();
    const all = visibleRows(tasks, access, positions, this.webUrl);
    const choices = (pick: (row: TaskRow) => string, chosen?: string) =>
      [...new Set([...all.map(pick), ...(chosen ? [chosen] : [])])].sort();
    return {
      rows: visibleRows(tasks, access, positions, this.webUrl, filter),
      choices: {
        repos: choices((row) => row.repo, filter.repo),
        states: choices((row) => row.state, filter.state),
        agents: choices((row) => row.agent, filter.agent),
      },
    };
  }

  /** One task, or undefined when there is none or the person may not see its repository (the same answer). */
  async task(
    session: Session,
    id: string,
  ): Promise<{ row: TaskRow; task: Task; timeline: TimelineEntry[] } | undefined> {
    const task = await this.fleet.store.get(id);
    if (!task?.repo) return undefined;
    const repo = (await this.access.of(session)).get(task.repo.id);
    if (!repo) return undefined;
    const positions = await queuePositions(this.fleet, [task]);
    const { updatedAt: _, ...row } = toRow(task, repo, positions, this.webUrl);
    return { row, task, timeline: await readTimeline(this.fleet, id) };
  }

  private read() {
    this.snapshot ??= (async () => {
      const tasks = await readTasks(this.fleet);
      return { tasks, positions: await queuePositions(this.fleet, tasks) };
    })().finally(() => setTimeout(() => (this.snapshot = undefined), SNAPSHOT_MS).unref());
    return this.snapshot;
  }
}
