import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

/** A raw request, to see exactly what the sandbox answers (Octokit would turn errors into exceptions). */
async function call(world: World, method: string, path: string, token: string | null, body?: unknown) {
  const response = await fetch(`${world.sandbox.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function mintToken(world: World, body: Record<string, unknown> = {}): Promise<string> {
  const { data } = await world.appOctokit().rest.apps.createInstallationAccessToken({
    installation_id: world.installationId,
    ...body,
  });
  return data.token;
}

describe("sandbox authentication", () => {
  let world: World;
  let other: { installationId: number; token: string };

  beforeAll(async () => {
    world = await startWorld();
    // A second organization with its own installation of the same App and a private repository.
    await world.sandbox.script.createRepo({ owner: "globex", name: "secret" });
    const installation = world.sandbox.script.installApp({ appId: world.app.id, account: "globex" });
    const { data } = await world.appOctokit().rest.apps.createInstallationAccessToken({
      installation_id: installation.id,
    });
    other = { installationId: installation.id, token: data.token };
  });
  afterAll(async () => {
    await world.stop();
  });

  it("lets the App list its installations with its JWT", async () => {
    const { data } = await world.appOctokit().rest.apps.listInstallations();
    expect(data.map((i) => i.id).sort()).toEqual([world.installationId, other.installationId].sort());
    expect(data.find((i) => i.id === world.installationId)?.account?.login).toBe("acme");
  });

  it("mints installation tokens that read the installation's repositories", async () => {
    const { data } = await world.installationOctokit().rest.apps.listReposAccessibleToInstallation();
    expect(data.repositories.map((r) => r.full_name)).toEqual(["acme/widgets"]);
  });

  it("answers 401 to a request without credentials, with a wrong token, and with an expired one", async () => {
    expect((await call(world, "GET", "/repos/acme/widgets", null)).status).toBe(401);
    const wrong = await call(world, "GET", "/repos/acme/widgets", "ghs_not_a_real_token");
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe("Bad credentials");
    const token = await mintToken(world);
    world.sandbox.script.advanceClock({ ms: 61 * 60 * 1000 });
    try {
      expect((await call(world, "GET", "/installation/repositories", token)).status).toBe(401);
    } finally {
      world.sandbox.script.advanceClock({ ms: -61 * 60 * 1000 });
    }
  });

  it("answers 401 when an installation token is used where the App's JWT is required", async () => {
    const token = await mintToken(world);
    const response = await call(world, "GET", "/app/installations", token);
    expect(response.status).toBe(401);
  });

  it("does not let one installation's token reach another installation's private repository", async () => {
    // GitHub hides private repositories a token cannot reach: 404, not 401 or 403.
    const token = await mintToken(world);
    expect((await call(world, "GET", "/repos/acme/widgets", token)).status).toBe(200);
    const hidden = await call(world, "GET", "/repos/globex/secret", token);
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toBe("Not Found");
    expect((await call(world, "GET", "/repos/globex/secret", other.token)).status).toBe(200);
  });

  it("narrows a token to the requested repositories", async () => {
    await world.sandbox.script.createRepo({ owner: "acme", name: "gadgets" });
    const token = await mintToken(world, { repositories: ["gadgets"] });
    expect((await call(world, "GET", "/repos/acme/gadgets", token)).status).toBe(200);
    expect((await call(world, "GET", "/repos/acme/widgets", token)).status).toBe(404);
  });

  it("narrows a token to the requested permissions and answers 403 past them", async () => {
    const token = await mintToken(world, { permissions: { metadata: "read" } });
    expect((await call(world, "GET", "/repos/acme/widgets", token)).status).toBe(200);
    const refused = await call(world, "GET", "/repos/acme/widgets/issues", token);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe("Resource not accessible by integration");
  });

  it("refuses to mint a token with permissions the installation was not granted", async () => {
    const response = await call(
      world,
      "POST",
      `/app/installations/${world.installationId}/access_tokens`,
      null,
    );
    expect(response.status).toBe(401);
    await expect(mintToken(world, { permissions: { administration: "write" } })).rejects.toMatchObject({
      status: 422,
    });
  });

  it("refuses to narrow a token to a repository outside the installation", async () => {
    await expect(mintToken(world, { repositories: ["secret"] })).rejects.toMatchObject({ status: 422 });
  });

  it("stops answering to a revoked token", async () => {
    const token = await mintToken(world);
    expect((await call(world, "DELETE", "/installation/token", token)).status).toBe(204);
    expect((await call(world, "GET", "/installation/repositories", token)).status).toBe(401);
  });
});
