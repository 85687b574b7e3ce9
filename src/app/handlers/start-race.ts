import type { Logger } from "pino";
import type { Fleet } from "../../fleet/fleet.js";
import { queueNotice } from "../../fleet/post-notice.js";
import { createRace, OPEN_RACE_STATES, type RaceRecord, raceIdFor, readRace } from "../../fleet/race/race.js";
import { raceJobId } from "../../fleet/race/settle-race.js";
import { isActive, taskIdFor } from "../../fleet/task.js";
import { taskSettings } from "../config/task-settings.js";
import { type AgentsRequest, submitAgents, unknownAgentMessage } from "./submit-agents.js";

/**
 * A race on the issue (`/agent race a b c`, or an issue opened with several agent labels), as numbered
 * steps: every agent configured and none already at work here, one race per issue at a time, the race
 * recorded, then one ordinary task per agent (queued like any other, so the concurrency limits hold) marked as
 * its candidate, and the time limit's job. Answers go out as queued notices.
 */
export async function startRace(fleet: Fleet, log: Logger, request: AgentsRequest): Promise<void> {
  const { config, issue, repository, agents } = request;
  const reply = (body: string) => queueNotice(fleet, request.where, body, `race-${request.deliveryId}`);
  // 1. Every agent is configured, and none is at work on this issue already.
  const unknown = agents.find((agent) => !taskSettings(config, agent));
  if (unknown)
    return reply(unknownAgentMessage(unknown, config.labelPrefix, config, request.askedBy ?? "label"));
  // 2. One race per issue at a time. Asked again by the issue's own labels (its `opened` and `labeled`
  //    deliveries), the race that is on is the one asked for: no answer.
  const id = raceIdFor(repository.id, issue.number);
  const already = async () => {
    if (request.askedBy === "command")
      await reply(
        "A race is already on for this issue: its comment shows how far it is. `/agent stop` ends it; then a new one can start.",
      );
  };
  const open = await readRace(fleet, id);
  if (open && OPEN_RACE_STATES.includes(open.state)) return already();
  const ids = agents.map((agent) => taskIdFor(repository.id, issue.number, agent));
  const tasks = await Promise.all(ids.map((taskId) => fleet.store.get(taskId)));
  // A candidate of this very race (another of the issue's deliveries started it meanwhile) is not in the way.
  if (tasks.some((task) => task?.race?.id === id && isActive(task.state))) return already();
  const busy = tasks.find((task) => task && isActive(task.state));
  if (busy)
    return reply(
      `No race was started: \`${busy.agent}\` is already working on this issue. Wait for it to finish, or stop it with \`/agent stop\`, then ask again.`,
    );
  // 3. The race.
  const now = new Date();
  const race: RaceRecord = {
    id,
    repoId: repository.id,
    issue: issue.number,
    agents,
    candidates: ids,
    attempts: Object.fromEntries(ids.map((taskId, i) => [taskId, (tasks[i]?.attempt ?? 0) + 1])),
    state: "running",
    pick: config.race.pick,
    keepBranchesMs: config.race.keepBranches,
    deadline: new Date(now.getTime() + config.race.timeLimit).toISOString(),
    createdAt: now.toISOString(),
    sender: request.sender,
    version: 1,
  };
  if (!(await createRace(fleet, race))) return already();
  log.info({ race: race.id, agents }, "race started");
  // 4. The candidates, each an ordinary task on its own branch, and the time limit.
  await submitAgents(fleet, log, { ...request, race: { id: race.id } });
  await fleet.queues.races.add(
    "settle",
    { kind: "settle", raceId: race.id, deadline: true },
    { jobId: raceJobId(race, "deadline"), delay: config.race.timeLimit },
  );
}
