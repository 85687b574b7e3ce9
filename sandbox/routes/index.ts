import { operationFor } from "../http/openapi.js";
import type { Route } from "../http/route.js";
import { actionsRoutes } from "./actions.js";
import { appRoutes } from "./apps.js";
import { checkRoutes } from "./checks.js";
import { collaboratorRoutes } from "./collaborators.js";
import { contentRoutes } from "./contents.js";
import { gitDataRoutes } from "./git-data.js";
import { issueCommentRoutes } from "./issue-comments.js";
import { issueRoutes } from "./issues.js";
import { labelRoutes } from "./labels.js";
import { pullRoutes } from "./pulls.js";
import { reactionRoutes } from "./reactions.js";
import { repoRoutes } from "./repos.js";
import { reviewRoutes } from "./reviews.js";
import { userRoutes } from "./user.js";

const allRoutes: Route[] = [
  ...appRoutes,
  ...repoRoutes,
  ...contentRoutes,
  ...gitDataRoutes,
  ...issueRoutes,
  ...issueCommentRoutes,
  ...labelRoutes,
  ...reactionRoutes,
  ...collaboratorRoutes,
  ...pullRoutes,
  ...reviewRoutes,
  ...checkRoutes,
  ...actionsRoutes,
  ...userRoutes,
];

/** Route key → route. Built once; a key that is not one of GitHub's operations stops the sandbox at start. */
export const routeTable: ReadonlyMap<string, Route> = (() => {
  const table = new Map<string, Route>();
  for (const route of allRoutes) {
    if (!operationFor(route.op))
      throw new Error(`sandbox route ${route.op} is not in GitHub's OpenAPI description`);
    if (table.has(route.op)) throw new Error(`sandbox route ${route.op} is defined twice`);
    table.set(route.op, route);
  }
  return table;
})();
