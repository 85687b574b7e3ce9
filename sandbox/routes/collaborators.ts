import { notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route } from "../http/route.js";
import { renderUser } from "../render/core.js";
import type { Sandbox } from "../sandbox.js";
import type { Role, User } from "../state/model.js";
import { ROLE_RANK } from "../state/store.js";

/** Collaborators and a user's permission on a repository (how Flotilla decides who may trigger it). */

const METADATA = ["metadata", "read"] as [string, "read"];

/**
 * The legacy `permission` field knows only admin/write/read: GitHub reports maintain as write and triage as
 * read there, and the exact role in `role_name`.
 */
const LEGACY_PERMISSION: Record<Role, "admin" | "write" | "read"> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
};

function renderCollaborator(sb: Sandbox, user: User, role: Role | null) {
  const rank = role ? ROLE_RANK[role] : 0;
  return {
    ...renderUser(sb, user),
    permissions: {
      admin: rank >= ROLE_RANK.admin,
      maintain: rank >= ROLE_RANK.maintain,
      push: rank >= ROLE_RANK.write,
      triage: rank >= ROLE_RANK.triage,
      pull: rank >= ROLE_RANK.read,
    },
    role_name: role ?? "none",
  };
}

export const collaboratorRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
    auth: "installation",
    permission: METADATA,
    handle(ctx) {
      const user = ctx.sandbox.store.userByLogin(ctx.params.username ?? "");
      if (!user) throw notFound();
      const role = ctx.sandbox.store.roleOf(ctx.repo, user.id);
      return json(200, {
        permission: role ? LEGACY_PERMISSION[role] : "none",
        role_name: role ?? "none",
        user: renderCollaborator(ctx.sandbox, user, role),
      });
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/collaborators",
    auth: "installation",
    permission: METADATA,
    handle(ctx) {
      const { store } = ctx.sandbox;
      const wanted = ctx.query.get("permission") as Role | "push" | "pull" | null;
      const minimum = wanted === "push" ? "write" : wanted === "pull" ? "read" : wanted;
      const owner = store.user(ctx.repo.ownerId);
      const people: [User, Role][] = [...ctx.repo.collaborators].map(([id, role]) => [store.user(id), role]);
      // A personal repository's owner is its first collaborator; an organization is not a collaborator.
      if (owner.type === "User") people.unshift([owner, "admin"]);
      const listed = people.filter(([, role]) => !minimum || ROLE_RANK[role] >= ROLE_RANK[minimum]);
      return paginate(
        ctx,
        listed.map(([user, role]) => renderCollaborator(ctx.sandbox, user, role)),
      );
    },
  },
];
