import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import {
  decide,
  PERMISSION_CACHE_TTL_MS,
  SenderPermissions,
} from "../../src/app/validation/sender-permission.js";
import { startWorld, type World } from "../helpers/sandbox.js";

describe("who may start and steer agents", () => {
  let world: World;
  let clock: number;
  let permissions: SenderPermissions;
  const repo = { owner: "acme", repo: "widgets" };
  const person = (login: string) => ({ login, type: "User" });
  const lookups = () =>
    world.sandbox.meter.snapshot().byRoute["GET /repos/{owner}/{repo}/collaborators/{username}/permission"] ??
    0;

  beforeAll(async () => {
    world = await startWorld();
    for (const [login, role] of [
      ["maya", "maintain"],
      ["ada", "admin"],
      ["tom", "triage"],
    ] as const) {
      world.sandbox.script.createUser({ login });
      world.sandbox.script.addCollaborator({ repo: "acme/widgets", user: login, role });
    }
    world.sandbox.script.createUser({ login: "stranger" });
  });
  beforeEach(() => {
    clock = 1_000_000;
    permissions = new SenderPermissions(() => clock);
    world.sandbox.script.clearFaults({});
  });
  afterAll(async () => {
    await world.stop();
  });

  it("lets people with write, maintain or admin role steer agents", async () => {
    const octokit = world.installationOctokit();
    expect(await permissions.check(octokit, repo, person("alice"))).toEqual({ allowed: true, role: "write" });
    expect(await permissions.check(octokit, repo, person("maya"))).toEqual({
      allowed: true,
      role: "maintain",
    });
    expect(await permissions.check(octokit, repo, person("ada"))).toEqual({ allowed: true, role: "admin" });
  });

  it("does not let people with read or triage role, or no access, steer agents", async () => {
    const octokit = world.installationOctokit();
    expect(await permissions.check(octokit, repo, person("rob"))).toEqual({
      allowed: false,
      reason: "role",
      role: "read",
    });
    expect(await permissions.check(octokit, repo, person("tom"))).toMatchObject({
      allowed: false,
      role: "triage",
    });
    expect(await permissions.check(octokit, repo, person("stranger"))).toMatchObject({
      allowed: false,
      role: "none",
    });
    expect(await permissions.check(octokit, repo, person("nobody-at-all"))).toMatchObject({
      allowed: false,
      reason: "role",
    });
  });

  it("never lets a bot steer agents, Flotilla included, and does not even ask GitHub", async () => {
    const before = lookups();
    const octokit = world.installationOctokit();
    expect(await permissions.check(octokit, repo, { login: "dependabot[bot]", type: "Bot" })).toEqual({
      allowed: false,
      reason: "bot",
    });
    expect(await permissions.check(octokit, repo, { login: world.app.botLogin, type: "User" })).toMatchObject(
      {
        reason: "bot",
      },
    );
    expect(lookups()).toBe(before);
  });

  it("asks GitHub at most once per five minutes per person and repository", async () => {
    const octokit = world.installationOctokit();
    const before = lookups();
    await permissions.check(octokit, repo, person("alice"));
    clock += PERMISSION_CACHE_TTL_MS - 1;
    await permissions.check(octokit, repo, person("Alice"));
    expect(lookups()).toBe(before + 1);
    clock += 2;
    await permissions.check(octokit, repo, person("alice"));
    expect(lookups()).toBe(before + 2);
  });

  it("sees a revoked role once the cached answer has expired", async () => {
    const octokit = world.installationOctokit();
    world.sandbox.script.createUser({ login: "leaver" });
    world.sandbox.script.addCollaborator({ repo: "acme/widgets", user: "leaver", role: "write" });
    expect((await permissions.check(octokit, repo, person("leaver"))).allowed).toBe(true);
    world.sandbox.script.addCollaborator({ repo: "acme/widgets", user: "leaver", role: "read" });
    clock += PERMISSION_CACHE_TTL_MS + 1;
    expect((await permissions.check(octokit, repo, person("leaver"))).allowed).toBe(false);
  });

  it("denies when GitHub fails to answer, and asks again next time instead of remembering the failure", async () => {
    const octokit = world.installationOctokit();
    await octokit.rest.apps.listReposAccessibleToInstallation(); // token minted before the fault
    world.sandbox.script.addFault({
      route: "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      kind: "502",
      times: 1,
    });
    expect(await permissions.check(octokit, repo, person("alice"))).toMatchObject({
      allowed: false,
      reason: "error",
    });
    expect(await permissions.check(octokit, repo, person("alice"))).toEqual({ allowed: true, role: "write" });
  });

  it("counts a custom role by the base permission GitHub reports for it", () => {
    expect(decide("release-manager", "write")).toEqual({ allowed: true, role: "release-manager" });
    expect(decide("auditor", "read")).toMatchObject({ allowed: false, role: "auditor" });
    expect(decide("triage", "read")).toMatchObject({ allowed: false });
  });
});
