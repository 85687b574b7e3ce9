import type { Sandbox } from "../sandbox.js";
import type { App, Installation, Label, Permissions, Repo, User } from "../state/model.js";

/**
 * Records → the JSON GitHub sends, with every field its schema marks required. URLs point at the sandbox
 * (`sandbox.baseUrl` stands for both api.github.com and github.com), so following one stays in the sandbox.
 */

export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

export function renderUser(sb: Sandbox, user: User) {
  // Bot logins hold brackets (`flotilla[bot]`); GitHub percent-encodes them in URLs.
  const login = encodeURIComponent(user.login);
  const api = `${sb.baseUrl}/users/${login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `${sb.baseUrl}/_avatars/${user.id}`,
    gravatar_id: "",
    url: api,
    html_url: `${sb.baseUrl}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function renderUserById(sb: Sandbox, id: number) {
  return renderUser(sb, sb.store.user(id));
}

/** The `repository` shape (also what webhooks carry); `full-repository` adds a few counts. */
export function renderRepo(sb: Sandbox, repo: Repo) {
  const owner = sb.store.user(repo.ownerId);
  const fullName = `${owner.login}/${repo.name}`;
  const api = `${sb.baseUrl}/repos/${fullName}`;
  const openIssues = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: renderUser(sb, owner),
    html_url: `${sb.baseUrl}/${fullName}`,
    description: repo.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `${sb.baseUrl.replace(/^http/, "git")}/${fullName}.git`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${sb.baseUrl}/${fullName}.git`,
    mirror_url: null,
    svn_url: `${sb.baseUrl}/${fullName}`,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    custom_properties: {},
  };
}

export function renderFullRepo(sb: Sandbox, repo: Repo) {
  return { ...renderRepo(sb, repo), network_count: 0, subscribers_count: 0 };
}

export function renderApp(sb: Sandbox, app: App) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    client_id: app.clientId,
    owner: renderUserById(sb, app.ownerId),
    name: app.name,
    description: null,
    external_url: `${sb.baseUrl}/apps/${app.slug}`,
    html_url: `${sb.baseUrl}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions: app.permissions,
    events: app.events,
  };
}

export function renderInstallation(sb: Sandbox, inst: Installation) {
  const app = sb.store.apps.get(inst.appId);
  const account = sb.store.user(inst.accountId);
  return {
    id: inst.id,
    client_id: app?.clientId,
    account: renderUser(sb, account),
    repository_selection: inst.repositorySelection,
    access_tokens_url: `${sb.baseUrl}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${sb.baseUrl}/installation/repositories`,
    html_url: `${sb.baseUrl}/settings/installations/${inst.id}`,
    app_id: inst.appId,
    app_slug: app?.slug ?? "",
    target_id: account.id,
    target_type: account.type === "Organization" ? "Organization" : "User",
    permissions: inst.permissions as Permissions,
    events: inst.events,
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: inst.suspendedAt,
  };
}

export function renderLabel(sb: Sandbox, repo: Repo, label: Label) {
  return {
    id: label.id,
    node_id: nodeId("Label", label.id),
    url: `${sb.baseUrl}/repos/${sb.store.fullName(repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: label.default,
  };
}
