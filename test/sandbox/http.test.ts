import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

describe("sandbox HTTP faithfulness", () => {
  let world: World;
  let token: string;

  async function call(method: string, path: string, body?: string) {
    const response = await fetch(`${world.sandbox.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    world = await startWorld();
    const { data } = await world.appOctokit().rest.apps.createInstallationAccessToken({
      installation_id: world.installationId,
    });
    token = data.token;
  });
  afterAll(async () => {
    await world.stop();
  });

  it("answers 404 to a route GitHub does not have", async () => {
    const response = await call("GET", "/repos/acme/widgets/no-such-thing");
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ message: "Not Found", status: "404" });
  });

  it("says so when GitHub has a route the sandbox does not serve", async () => {
    const response = await call("GET", "/repos/acme/widgets/stargazers");
    expect(response.status).toBe(404);
    expect(response.body.sandbox).toBe(
      "the sandbox does not serve GET /repos/{owner}/{repo}/stargazers (yet)",
    );
  });

  it("answers 422 naming the field when a body breaks GitHub's schema", async () => {
    const octokit = world.appOctokit();
    const wrongEnum = octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: world.installationId,
      permissions: { issues: "everything" } as never,
    });
    await expect(wrongEnum).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ field: "permissions.issues" }] } },
    });
    const wrongType = octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: world.installationId,
      repositories: "widgets" as never,
    });
    await expect(wrongType).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('For "repositories", "widgets" is not an array.'),
    });
  });

  it("answers 400 to a body that is not JSON", async () => {
    const response = await fetch(
      `${world.sandbox.baseUrl}/app/installations/${world.installationId}/access_tokens`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${await world
            .appOctokit()
            .auth({ type: "app" })
            .then((a) => (a as { token: string }).token)}`,
        },
        body: "{not json",
      },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe("Problems parsing JSON");
  });

  it("reports the rate limit on every response and counts it down", async () => {
    const first = await call("GET", "/installation/repositories");
    const second = await call("GET", "/installation/repositories");
    expect(first.headers.get("x-ratelimit-limit")).toBe("5000");
    expect(Number(second.headers.get("x-ratelimit-remaining"))).toBe(
      Number(first.headers.get("x-ratelimit-remaining")) - 1,
    );
    expect(Number(second.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
  });

  it("pages lists with Link headers that Octokit's paginate follows", async () => {
    for (const name of ["initech", "hooli", "umbrella"]) {
      world.sandbox.script.createUser({ login: name, type: "Organization" });
      world.sandbox.script.installApp({ appId: world.app.id, account: name });
    }
    const octokit = world.appOctokit();
    const firstPage = await octokit.rest.apps.listInstallations({ per_page: 2 });
    expect(firstPage.data).toHaveLength(2);
    expect(firstPage.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.apps.listInstallations, { per_page: 2 });
    expect(all.map((i) => i.account?.login).sort()).toEqual(["acme", "hooli", "initech", "umbrella"]);
  });
});

describe("sandbox fault injection and metering", () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  const route = "GET /installation/repositories";

  it("fails the next requests of a route with the configured server errors, then recovers", async () => {
    const octokit = world.installationOctokit();
    world.sandbox.script.addFault({ route, kind: "502", times: 1 });
    world.sandbox.script.addFault({ route, kind: "500", times: 1 });
    await expect(octokit.rest.apps.listReposAccessibleToInstallation()).rejects.toMatchObject({
      status: 502,
    });
    await expect(octokit.rest.apps.listReposAccessibleToInstallation()).rejects.toMatchObject({
      status: 500,
    });
    await expect(octokit.rest.apps.listReposAccessibleToInstallation()).resolves.toMatchObject({
      status: 200,
    });
    world.sandbox.script.clearFaults({});
  });

  it("answers a secondary rate limit as GitHub does: 403 with retry-after", async () => {
    const octokit = world.installationOctokit();
    world.sandbox.script.addFault({ route, kind: "secondary-rate-limit", times: 1, retryAfter: 7 });
    world.sandbox.script.addFault({ route, kind: "429", times: 1, retryAfter: 3 });
    const secondary = await octokit.rest.apps.listReposAccessibleToInstallation().catch((e) => e);
    expect(secondary.status).toBe(403);
    expect(secondary.response.headers["retry-after"]).toBe("7");
    expect(secondary.message).toContain("secondary rate limit");
    const tooMany = await octokit.rest.apps.listReposAccessibleToInstallation().catch((e) => e);
    expect(tooMany.status).toBe(429);
    expect(tooMany.response.headers["retry-after"]).toBe("3");
    world.sandbox.script.clearFaults({});
  });

  it("loses the response of a write that took effect when the fault answers after handling", async () => {
    const octokit = world.installationOctokit();
    const { number } = await world.sandbox.script.openIssue({
      repo: "acme/widgets",
      title: "Lost",
      user: "alice",
    });
    const comments = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
    world.sandbox.script.addFault({ route: comments, kind: "502", times: 1, afterHandling: true });
    const write = { owner: "acme", repo: "widgets", issue_number: number, body: "made once" };
    await expect(octokit.rest.issues.createComment(write)).rejects.toMatchObject({ status: 502 });
    const { data } = await octokit.rest.issues.listComments({
      owner: "acme",
      repo: "widgets",
      issue_number: number,
    });
    expect(data.map((c) => c.body)).toEqual(["made once"]);
    await expect(octokit.rest.issues.createComment(write)).resolves.toMatchObject({ status: 201 });
    world.sandbox.script.clearFaults({});
  });

  it("adds the configured latency to a route", async () => {
    const octokit = world.installationOctokit();
    await octokit.rest.apps.listReposAccessibleToInstallation(); // token minted outside the measurement
    world.sandbox.script.addFault({ route, latencyMs: 150 });
    const started = performance.now();
    await octokit.rest.apps.listReposAccessibleToInstallation();
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    world.sandbox.script.clearFaults({});
  });

  it("fails about the configured share of requests, the same way for the same seed", async () => {
    const outcomes = async () => {
      const sandboxWorld = await startWorld({ seed: 42 });
      try {
        const octokit = sandboxWorld.installationOctokit();
        await octokit.rest.apps.listReposAccessibleToInstallation();
        sandboxWorld.sandbox.script.addFault({ route, kind: "500", rate: 0.5 });
        const results: number[] = [];
        for (let i = 0; i < 40; i++) {
          results.push(
            await octokit.rest.apps.listReposAccessibleToInstallation().then(
              (r) => r.status,
              (e: { status: number }) => e.status,
            ),
          );
        }
        return results;
      } finally {
        await sandboxWorld.stop();
      }
    };
    const first = await outcomes();
    expect(await outcomes()).toEqual(first);
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it("counts requests per route and installation, reads apart from writes", async () => {
    world.sandbox.script.resetMeter({});
    const octokit = world.installationOctokit();
    await octokit.rest.apps.listReposAccessibleToInstallation();
    await octokit.rest.apps.listReposAccessibleToInstallation();
    const meter = world.sandbox.script.meter({});
    expect(meter.byRoute).toEqual({
      "POST /app/installations/{installation_id}/access_tokens": 1,
      "GET /installation/repositories": 2,
    });
    expect(meter.byInstallation).toEqual({
      app: { reads: 0, writes: 1 },
      [String(world.installationId)]: { reads: 2, writes: 0 },
    });
    expect(meter).toMatchObject({ total: 3, reads: 2, writes: 1 });
  });
});

describe("sandbox scripting over HTTP", () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  async function script(name: string, body: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${world.sandbox.baseUrl}/_sandbox/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { id?: number },
    };
  }

  it("runs an action for another process and answers with its result", async () => {
    const created = await script("createUser", JSON.stringify({ login: "carol" }));
    expect(created).toMatchObject({ status: 200, body: { login: "carol" } });
    expect(world.sandbox.store.userByLogin("carol")?.id).toBe(created.body.id);
  });

  it("explains an unknown action, a bad body and a failing action", async () => {
    const unknown = await script("makeCoffee", "{}");
    expect(unknown.status).toBe(404);
    expect(unknown.body.actions).toContain("createRepo");
    expect((await script("createUser", "{oops")).status).toBe(400);
    const failing = await script(
      "addCollaborator",
      JSON.stringify({ repo: "acme/nope", user: "x", role: "write" }),
    );
    expect(failing).toEqual({ status: 400, body: { message: "sandbox: no repository acme/nope" } });
  });

  it("refuses web pages: requests with an Origin, a foreign Host, or a body that is not JSON", async () => {
    const fromPage = await script("createUser", JSON.stringify({ login: "mallory" }), {
      origin: "http://evil.example",
    });
    expect(fromPage.status).toBe(403);
    const form = await fetch(`${world.sandbox.baseUrl}/_sandbox/createUser`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ login: "mallory" }),
    });
    expect(form.status).toBe(415);
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        `${world.sandbox.baseUrl}/_sandbox/createUser`,
        { method: "POST", headers: { host: "evil.example", "content-type": "application/json" } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on("error", reject);
      request.end(JSON.stringify({ login: "mallory" }));
    });
    expect(rebound).toBe(403);
    expect(world.sandbox.store.userByLogin("mallory")).toBeUndefined();
  });
});
