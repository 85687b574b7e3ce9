import { notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";
import { findComment } from "../lifecycle/comments.js";
import { findIssue } from "../lifecycle/issues.js";
import { renderReaction } from "../render/issues.js";
import type { Reaction, ReactionContent } from "../state/model.js";
import { actorOf } from "./acting.js";

/** Reactions on issues and issue comments. GitHub sends no webhook for reactions. */

const READ = ["issues", "read"] as [string, "read"];
const WRITE = ["issues", "write"] as [string, "write"];

type Target = (ctx: RouteContext) => { reactions: Reaction[] };
const onIssue: Target = (ctx) => findIssue(ctx.repo, ctx.params.issue_number ?? "");
const onComment: Target = (ctx) => findComment(ctx.repo, ctx.params.comment_id ?? "");

function list(target: Target): Route["handle"] {
  return (ctx) => {
    const content = ctx.query.get("content");
    const reactions = target(ctx).reactions.filter((r) => !content || r.content === content);
    return paginate(
      ctx,
      reactions.map((r) => renderReaction(ctx.sandbox, r)),
    );
  };
}

/** The same person reacting the same way twice gets the first reaction back, with 200 instead of 201. */
function create(target: Target): Route["handle"] {
  return (ctx) => {
    const { reactions } = target(ctx);
    const user = actorOf(ctx).user;
    const content = ctx.body.content as ReactionContent;
    const existing = reactions.find((r) => r.userId === user.id && r.content === content);
    if (existing) return json(200, renderReaction(ctx.sandbox, existing));
    const reaction: Reaction = {
      id: ctx.sandbox.store.nextId(),
      userId: user.id,
      content,
      createdAt: ctx.sandbox.store.nowIso(),
    };
    reactions.push(reaction);
    return json(201, renderReaction(ctx.sandbox, reaction));
  };
}

function remove(target: Target): Route["handle"] {
  return (ctx) => {
    const { reactions } = target(ctx);
    const index = reactions.findIndex((r) => r.id === Number(ctx.params.reaction_id));
    if (index < 0) throw notFound();
    reactions.splice(index, 1);
    return noContent();
  };
}

const ISSUE = "/repos/{owner}/{repo}/issues/{issue_number}/reactions";
const COMMENT = "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";

export const reactionRoutes: Route[] = [
  { op: `GET ${ISSUE}`, auth: "installation", permission: READ, handle: list(onIssue) },
  { op: `POST ${ISSUE}`, auth: "installation", permission: WRITE, handle: create(onIssue) },
  { op: `DELETE ${ISSUE}/{reaction_id}`, auth: "installation", permission: WRITE, handle: remove(onIssue) },
  { op: `GET ${COMMENT}`, auth: "installation", permission: READ, handle: list(onComment) },
  { op: `POST ${COMMENT}`, auth: "installation", permission: WRITE, handle: create(onComment) },
  {
    op: `DELETE ${COMMENT}/{reaction_id}`,
    auth: "installation",
    permission: WRITE,
    handle: remove(onComment),
  },
];
