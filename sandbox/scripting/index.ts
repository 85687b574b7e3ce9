import type { Sandbox } from "../sandbox.js";
import { agentActions } from "./agent.js";
import { ciActions } from "./ci.js";
import { controlActions } from "./control.js";
import { gitActions } from "./git.js";
import { issueActions } from "./issues.js";
import { pullActions } from "./pulls.js";
import { setupActions } from "./setup.js";

/**
 * Every scripting action, by name. The same table serves in-process calls (`sandbox.script.openIssue(...)`)
 * and other processes (`POST /_sandbox/openIssue` with the arguments as JSON).
 */
export const actions = {
  ...setupActions,
  ...controlActions,
  ...gitActions,
  ...issueActions,
  ...pullActions,
  ...ciActions,
  ...agentActions,
};

type Actions = typeof actions;
type Bound<F> = F extends (sb: Sandbox, ...rest: infer A) => infer R ? (...rest: A) => R : never;
export type Script = { [K in keyof Actions]: Bound<Actions[K]> };

export function bindScript(sb: Sandbox): Script {
  const bound: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(actions)) {
    bound[name] = (args: unknown) => (fn as (sb: Sandbox, args: unknown) => unknown)(sb, args);
  }
  return bound as Script;
}

export function isAction(name: string): name is keyof Actions {
  return Object.hasOwn(actions, name);
}
