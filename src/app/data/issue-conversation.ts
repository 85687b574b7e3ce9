import type { GitHub } from "../../github/octokit.js";
import type { PromptComment } from "../../runner/prompt.js";
import { isBot, type SenderPermissions } from "../validation/sender-permission.js";

/** Whose comments the agent reads: the config's `prompt.comments`. */
export type CommentsFrom = "writers" | "everyone" | "none";

export interface ConversationQuery {
  owner: string;
  repo: string;
  /** The issue's number. */
  issue: number;
  /** When the label or command came (ISO 8601): comments created or edited after it are left out. */
  triggeredAt: string;
  commentsFrom: CommentsFrom;
  /** Who has write access; its answers are cached and a failed lookup denies. */
  permissions: SenderPermissions;
}

type ListedComment = Awaited<ReturnType<GitHub["rest"]["issues"]["listComments"]>>["data"][number];

function promptComment(comment: ListedComment): PromptComment {
  return {
    author: comment.user?.login ?? "",
    body: comment.body ?? "",
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
  };
}

/**
 * The comments on an issue that its agent may read, oldest first: never a bot's (Flotilla's status
 * comments included), none created or edited after the trigger, and for `writers` only those of people
 * with write access or more. GitHub lists an issue's comments in the order they were made, so the listing
 * stops at the first page that reaches past the trigger; `since` would not help, as it filters by the time
 * of the last edit, which is the opposite of what is needed.
 */
export async function readConversation(gh: GitHub, query: ConversationQuery): Promise<PromptComment[]> {
  if (query.commentsFrom === "none") return [];
  const trigger = Date.parse(query.triggeredAt);
  if (Number.isNaN(trigger)) throw new Error(`triggeredAt is not a time: ${query.triggeredAt}`);
  const before = (time: string) => Date.parse(time) <= trigger;
  const listed = await gh.paginate(
    gh.rest.issues.listComments,
    { owner: query.owner, repo: query.repo, issue_number: query.issue, per_page: 100 },
    (response, done) => {
      const page = response.data.filter((comment) => before(comment.created_at));
      if (page.length < response.data.length) done();
      return page;
    },
  );
  const unedited = listed.filter((c) => before(c.updated_at));
  return (await heardOnly(gh, query, unedited, (c) => c.user)).map(promptComment);
}

/**
 * What of `items` may be heard: never a bot's, and for `writers` only those of people with write access or
 * more. One lookup per author, cached for five minutes by SenderPermissions; one after another, as GitHub
 * asks of integrations, and there are seldom more than a few.
 */
export async function heardOnly<T>(
  gh: GitHub,
  query: Pick<ConversationQuery, "owner" | "repo" | "commentsFrom" | "permissions">,
  items: T[],
  author: (item: T) => { login: string; type?: string } | null | undefined,
): Promise<T[]> {
  if (query.commentsFrom === "none") return [];
  const people = items.filter((item) => !isBot(author(item)));
  if (query.commentsFrom === "everyone") return people;
  const writers = new Set<string>();
  const users = new Map(people.map((item) => [(author(item)?.login ?? "").toLowerCase(), author(item)]));
  for (const user of users.values()) {
    if (!user) continue;
    const decision = await query.permissions.check(
      gh,
      { owner: query.owner, repo: query.repo },
      { login: user.login, type: user.type ?? "User" },
    );
    if (decision.allowed) writers.add(user.login.toLowerCase());
  }
  return people.filter((item) => writers.has((author(item)?.login ?? "").toLowerCase()));
}
