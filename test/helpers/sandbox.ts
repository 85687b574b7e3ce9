import { ProbotOctokit } from "probot";
import type { FileChange } from "../../sandbox/git/repository.js";
import { Sandbox, type SandboxOptions } from "../../sandbox/index.js";
import { DEFAULT_APP_EVENTS } from "../../sandbox/scripting/setup.js";

/** Octokit as Flotilla builds it, pointed at the sandbox like a GitHub Enterprise Server. */
export const TestOctokit = ProbotOctokit.defaults({
  retry: { enabled: false },
  throttle: { enabled: false },
});
export type TestOctokitInstance = InstanceType<typeof TestOctokit>;

export interface World {
  sandbox: Sandbox;
  app: {
    id: number;
    privateKey: string;
    webhookSecret: string;
    botLogin: string;
    /** For "Sign in with GitHub". */
    clientId: string;
    clientSecret: string;
  };
  installationId: number;
  /** `acme/widgets`, owned by the organization `acme`. */
  repo: { owner: string; name: string; fullName: string; defaultBranch: string; headSha: string };
  /** Octokit authenticated as the App (JWT). */
  appOctokit(): TestOctokitInstance;
  /** Octokit authenticated as the installation (tokens minted through the sandbox's token route). */
  installationOctokit(): TestOctokitInstance;
  stop(): Promise<void>;
}

/**
 * A sandbox with one App installed on the organization `acme`, a repository `acme/widgets` with a README,
 * and two people: `alice` (write) and `rob` (read).
 */
export async function startWorld(
  options: SandboxOptions & { files?: Record<string, FileChange>; webhookUrl?: string } = {},
): Promise<World> {
  const sandbox = await Sandbox.start(options);
  // Subscribed to every event the sandbox emits (more than Flotilla's manifest asks for), to test them all.
  const app = sandbox.script.createApp({
    name: "Flotilla Test",
    webhookUrl: options.webhookUrl ?? null,
    events: [...DEFAULT_APP_EVENTS, "push"],
  });
  const repo = await sandbox.script.createRepo({
    owner: "acme",
    name: "widgets",
    files: options.files ?? { "README.md": "# widgets\n" },
  });
  const installation = sandbox.script.installApp({ appId: app.id, account: "acme" });
  sandbox.script.createUser({ login: "alice" });
  sandbox.script.createUser({ login: "rob" });
  sandbox.script.addCollaborator({ repo: "acme/widgets", user: "alice", role: "write" });
  sandbox.script.addCollaborator({ repo: "acme/widgets", user: "rob", role: "read" });
  const appInfo = {
    id: app.id,
    privateKey: app.privateKey,
    webhookSecret: app.webhookSecret as string,
    botLogin: app.botLogin,
    clientId: app.clientId as string,
    clientSecret: app.clientSecret as string,
  };
  return {
    sandbox,
    app: appInfo,
    installationId: installation.id,
    repo: {
      owner: "acme",
      name: "widgets",
      fullName: "acme/widgets",
      defaultBranch: repo.defaultBranch,
      headSha: repo.headSha as string,
    },
    appOctokit: () =>
      new TestOctokit({
        baseUrl: sandbox.baseUrl,
        auth: { appId: appInfo.id, privateKey: appInfo.privateKey },
      }),
    installationOctokit: () =>
      new TestOctokit({
        baseUrl: sandbox.baseUrl,
        auth: { appId: appInfo.id, privateKey: appInfo.privateKey, installationId: installation.id },
      }),
    stop: async () => {
      await sandbox.stop();
      // Every response of every test was checked against GitHub's schema; a problem fails the file that saw it.
      if (sandbox.responseProblems.length > 0) {
        throw new Error(
          `sandbox responses broke GitHub's schema: ${JSON.stringify(sandbox.responseProblems)}`,
        );
      }
    },
  };
}
