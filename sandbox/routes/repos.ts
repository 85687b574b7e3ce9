import type { Route } from "../http/route.js";

export const repoRoutes: Route[] = [];
