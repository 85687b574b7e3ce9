/**
 * The demo: starts the GitHub sandbox with a demo organization, repository, people and CI, then walks
 * through what an App sees there: a labelled issue, the repository config, a clone over git's smart HTTP,
 * a commit and a pull request made through the REST API, CI's checks on it, and the webhook log.
 *
 *   npm run demo            keep serving after the walkthrough (Ctrl-C to stop)
 *   npm run demo -- --once  exit after the walkthrough
 *   SANDBOX_PORT=3700 npm run demo   serve on a fixed port
 *
 * Until the loop lands (labelled issue → agent → pull request), this shows the ground Flotilla stands on.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ProbotOctokit } from "probot";
import { Sandbox } from "../sandbox/index.js";
import { routeTable } from "../sandbox/routes/index.js";

const once = process.argv.includes("--once");
const repoName = "octo-org/hello-flotilla";
const [owner, name] = repoName.split("/") as [string, string];

const step = (n: number, text: string) => console.log(`\n${n}. ${text}`);
const detail = (text: string) => console.log(`   ${text}`);

async function main(): Promise<void> {
  const sandbox = await Sandbox.start({ port: Number(process.env.SANDBOX_PORT ?? 0) });
  const workDir = mkdtempSync(join(tmpdir(), "flotilla-demo-"));
  const cleanUp = async () => {
    await sandbox.stop();
    rmSync(workDir, { recursive: true, force: true });
  };

  // 1. The world: an organization with a repository, three people, CI, and Flotilla installed.
  step(1, `The sandbox is GitHub at ${sandbox.baseUrl}`);
  const { script } = sandbox;
  const app = script.createApp({ name: "Flotilla Demo", owner: "flotilla-dev" });
  const keyPath = join(workDir, "flotilla-demo.private-key.pem");
  writeFileSync(keyPath, app.privateKey, { mode: 0o600 });
  await script.createRepo({
    owner,
    name,
    description: "A small repository for Flotilla's demo",
    files: {
      "README.md": "# hello-flotilla\n\nGreets people.\n",
      "greet.js": 'export const greet = (who) => "Hello, " + who + "!";\n',
      "greet.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert";\nimport { greet } from "./greet.js";\n\ntest("greets", () => assert.equal(greet("Ada"), "Hello, Ada!"));\n',
      "package.json": '{ "name": "hello-flotilla", "type": "module", "private": true }\n',
      ".github/flotilla.yml": "backend: local\nagents:\n  claude: { adapter: claude }\n",
    },
  });
  for (const [login, role] of [
    ["alice", "maintain"],
    ["bob", "write"],
    ["eve", "read"],
  ] as const) {
    script.createUser({ login });
    script.addCollaborator({ repo: repoName, user: login, role });
  }
  const installation = script.installApp({ appId: app.id, account: owner });
  script.setCi({ repo: repoName, name: "test", command: ["node", "--test"] });
  detail(`App "Flotilla Demo": id ${app.id}, installation ${installation.id} on ${owner}`);
  detail(`people on ${repoName}: alice (maintain), bob (write), eve (read)`);
  detail("CI: `node --test` runs on every pull request head");

  // 2. A person asks for an agent the way Flotilla users will: a label on an issue.
  step(2, "alice opens an issue and labels it agent:claude");
  const issue = await script.openIssue({
    repo: repoName,
    user: "alice",
    title: "Greet in French too",
    body: "Add `greetFr(who)` returning `Bonjour, <who> !` with a test.",
  });
  await script.addLabel({ repo: repoName, issue: issue.number, label: "agent:claude", user: "alice" });

  // 3. From here on, everything goes through the REST API, as the App, exactly as against github.com.
  const octokit = new ProbotOctokit({
    baseUrl: sandbox.baseUrl,
    auth: { appId: app.id, privateKey: app.privateKey, installationId: installation.id },
  });
  step(3, "The App reads the issue and the repository config through the REST API");
  const { data: gotIssue } = await octokit.rest.issues.get({ owner, repo: name, issue_number: issue.number });
  detail(
    `#${gotIssue.number} "${gotIssue.title}" labels: ${gotIssue.labels.map((l) => (typeof l === "string" ? l : l.name)).join(", ")}`,
  );
  const { data: permission } = await octokit.rest.repos.getCollaboratorPermissionLevel({
    owner,
    repo: name,
    username: "alice",
  });
  detail(`alice's role: ${permission.role_name} (permission ${permission.permission})`);
  const config = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
    owner,
    repo: name,
    path: ".github/flotilla.yml",
    mediaType: { format: "raw" },
  });
  detail(`.github/flotilla.yml: ${String(config.data).trim().replaceAll("\n", " | ")}`);

  // 4. git itself: a clone over smart HTTP with an installation token.
  step(4, "git clones the repository over smart HTTP with an installation token");
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  const cloneDir = join(workDir, "clone");
  // The token goes in a header, as actions/checkout passes it, so it is in no URL, log or error message.
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  const cloneUrl = `${sandbox.baseUrl}/${repoName}.git`;
  // Asynchronously: the sandbox serving this clone runs in this very process.
  await promisify(execFile)(
    "git",
    ["-c", `http.extraHeader=Authorization: Basic ${basic}`, "clone", "--quiet", cloneUrl, cloneDir],
    { timeout: 60_000 },
  );
  detail(
    `git clone ${cloneUrl} → ${readdirSync(cloneDir)
      .filter((f) => f !== ".git")
      .join(", ")}`,
  );

  // 5. A commit through the Git Data API and a pull request, as Flotilla will publish an agent's work.
  step(5, "The App commits a change through the Git Data API and opens a pull request");
  const { data: base } = await octokit.rest.git.getRef({ owner, repo: name, ref: "heads/main" });
  const { data: baseCommit } = await octokit.rest.git.getCommit({
    owner,
    repo: name,
    commit_sha: base.object.sha,
  });
  const { data: tree } = await octokit.rest.git.createTree({
    owner,
    repo: name,
    base_tree: baseCommit.tree.sha,
    tree: [
      {
        path: "greet.js",
        mode: "100644",
        type: "blob",
        content:
          'export const greet = (who) => "Hello, " + who + "!";\nexport const greetFr = (who) => "Bonjour, " + who + " !";\n',
      },
    ],
  });
  const { data: commit } = await octokit.rest.git.createCommit({
    owner,
    repo: name,
    message: `Greet in French too (#${issue.number})`,
    tree: tree.sha,
    parents: [base.object.sha],
  });
  const branch = `flotilla/${issue.number}-claude`;
  await octokit.rest.git.createRef({ owner, repo: name, ref: `refs/heads/${branch}`, sha: commit.sha });
  const { data: pull } = await octokit.rest.pulls.create({
    owner,
    repo: name,
    head: branch,
    base: "main",
    title: "Greet in French too",
    body: `Closes #${issue.number}`,
  });
  detail(
    `commit ${commit.sha.slice(0, 7)} on ${branch} by ${commit.author.name}; PR #${pull.number}: ${pull.html_url}`,
  );
  const { data: files } = await octokit.rest.pulls.listFiles({ owner, repo: name, pull_number: pull.number });
  detail(`changed: ${files.map((f) => `${f.filename} (+${f.additions} -${f.deletions})`).join(", ")}`);

  // 6. CI ran on the PR head; its checks belong to another App, so Flotilla can tell them from its own.
  step(6, "CI runs on the pull request head and reports a check run");
  await script.settleCi({});
  const { data: checks } = await octokit.rest.checks.listForRef({ owner, repo: name, ref: pull.head.sha });
  for (const run of checks.check_runs) {
    detail(`check "${run.name}" by ${run.app?.name}: ${run.status} / ${run.conclusion}`);
  }

  // 7. What the App was sent, and what it cost.
  await sandbox.webhooks.settled();
  step(7, "Webhooks the App was sent (signed; logged because the demo App has no webhook URL)");
  for (const d of sandbox.webhooks.deliveries) {
    const who = (d.payload.sender as { login: string }).login;
    detail(`${d.event}${d.action ? `.${d.action}` : ""} from ${who}`);
  }
  const meter = sandbox.meter.snapshot();
  detail(`REST requests served: ${meter.total} (${meter.reads} reads, ${meter.writes} writes)`);

  step(8, "What the sandbox serves");
  detail(
    `REST API:        ${sandbox.baseUrl}  (${routeTable.size} GitHub operations, checked against GitHub's OpenAPI description)`,
  );
  detail(`git:             ${sandbox.baseUrl}/${repoName}.git`);
  detail(
    `scripting:       POST ${sandbox.baseUrl}/_sandbox/<action>  (list: curl ${sandbox.baseUrl}/_sandbox/)`,
  );
  detail(`App private key: ${keyPath}`);
  detail("details: sandbox/README.md");

  if (once) {
    await cleanUp();
    return;
  }
  console.log("\nServing until Ctrl-C.");
  const stop = () => {
    cleanUp().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
