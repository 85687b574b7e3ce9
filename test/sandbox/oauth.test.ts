import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

// "Sign in with GitHub" in the sandbox: the authorize page, the code, its exchange for a user access token,
// and what that token may read — as GitHub's web application flow for Apps does it.

const CALLBACK = "http://127.0.0.1:9/fleet/callback";
let world: World;
let base: string;

beforeAll(async () => {
  world = await startWorld();
  base = world.sandbox.baseUrl;
  world.sandbox.script.setCallbackUrl({ appId: world.app.id, callbackUrl: CALLBACK });
  world.sandbox.script.createUser({ login: "carol" }); // no role on the private acme/widgets
  await world.sandbox.script.createRepo({ owner: "acme", name: "open", private: false });
});
afterAll(() => world.stop());

const authorizeUrl = (params: Record<string, string>) =>
  `${base}/login/oauth/authorize?${new URLSearchParams({ client_id: world.app.clientId, ...params })}`;

async function exchange(body: Record<string, string>, json = true) {
  const response = await fetch(`${base}/login/oauth/access_token`, {
    method: "POST",
    headers: json
      ? { accept: "application/json", "content-type": "application/json" }
      : { "content-type": "application/x-www-form-urlencoded" },
    body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
  return { status: response.status, text: await response.text() };
}

async function tokenFor(login: string): Promise<string> {
  const { code } = world.sandbox.script.authorizeUser({ clientId: world.app.clientId, login });
  const { text } = await exchange({
    client_id: world.app.clientId,
    client_secret: world.app.clientSecret,
    code,
  });
  return JSON.parse(text).access_token;
}

/** The fields of GitHub's answers these tests read. */
interface Answer {
  login: string;
  installations: { id: number }[];
  repositories: { name: string; permissions: Record<string, boolean> }[];
}

async function get(path: string, token: string) {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe("the sandbox's Sign in with GitHub", () => {
  it("shows an authorize page naming the App with a way in for each person, and sends them back with a code", async () => {
    const page = await fetch(authorizeUrl({ redirect_uri: CALLBACK, state: "s1" }));
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("Sign in to GitHub to continue to Flotilla Test");
    expect(text).toContain(">Continue as alice</a>");
    expect(text).not.toContain("flotilla-test[bot]"); // bots do not sign in
    const link = /href="([^"]*login=alice[^"]*)"/.exec(text)?.[1]?.replace(/&#38;/g, "&");
    const back = await fetch(`${base}${link}`, { redirect: "manual" });
    expect(back.status).toBe(302);
    const location = new URL(back.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get("state")).toBe("s1");
    expect(location.searchParams.get("code")).toMatch(/^[0-9a-f]{20}$/);
  });

  it("sends a redirect outside the callback URL back to the callback with redirect_uri_mismatch; an unknown client gets 404", async () => {
    const back = await fetch(authorizeUrl({ redirect_uri: "http://evil.example/cb", state: "s2" }), {
      redirect: "manual",
    });
    const location = new URL(back.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("redirect_uri_mismatch");
    expect(location.searchParams.get("state")).toBe("s2");
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect((await fetch(`${base}/login/oauth/authorize?client_id=Iv1.nope`)).status).toBe(404);
  });

  it("exchanges a code once, for the App it was given to and with its secret, as JSON or a form", async () => {
    const { code } = world.sandbox.script.authorizeUser({ clientId: world.app.clientId, login: "alice" });
    const wrong = await exchange({ client_id: world.app.clientId, client_secret: "nope", code });
    expect(JSON.parse(wrong.text)).toMatchObject({ error: "incorrect_client_credentials" });
    const form = await exchange(
      { client_id: world.app.clientId, client_secret: world.app.clientSecret, code },
      false,
    );
    const answer = new URLSearchParams(form.text);
    expect(answer.get("access_token")).toMatch(/^ghu_/);
    expect(answer.get("expires_in")).toBe("28800");
    expect(answer.get("token_type")).toBe("bearer");
    const again = await exchange({
      client_id: world.app.clientId,
      client_secret: world.app.clientSecret,
      code,
    });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ error: "bad_verification_code" });
  });

  it("lets the token read who the person is and the repositories they reach through the App, with their permissions", async () => {
    const alice = await tokenFor("alice");
    expect((await get("/user", alice)).body).toMatchObject({ login: "alice" });
    const { body: installations } = await get("/user/installations", alice);
    expect(installations.installations.map((i) => i.id)).toEqual([world.installationId]);
    const repos = await get(`/user/installations/${world.installationId}/repositories`, alice);
    const byName = Object.fromEntries(repos.body.repositories.map((r) => [r.name, r.permissions]));
    expect(byName.widgets).toMatchObject({ push: true, admin: false, pull: true });
    expect(byName.open).toMatchObject({ push: false, pull: true }); // public: everyone reads it

    const rob = await tokenFor("rob");
    const robs = await get(`/user/installations/${world.installationId}/repositories`, rob);
    expect(robs.body.repositories.find((r) => r.name === "widgets")?.permissions).toMatchObject({
      push: false,
      pull: true,
    });

    const carol = await tokenFor("carol");
    const carols = await get(`/user/installations/${world.installationId}/repositories`, carol);
    expect(carols.body.repositories.map((r) => r.name)).toEqual(["open"]);
  });

  it("hides an installation the person cannot reach, refuses the token elsewhere, and expires it after 8 hours", async () => {
    await world.sandbox.script.createRepo({ owner: "globex", name: "secret" });
    const globex = world.sandbox.script.installApp({ appId: world.app.id, account: "globex" });
    const alice = await tokenFor("alice");
    expect((await get(`/user/installations/${globex.id}/repositories`, alice)).status).toBe(404);
    expect((await get("/repos/acme/widgets/issues", alice)).status).toBe(403);
    world.sandbox.script.advanceClock({ ms: 8 * 3600 * 1000 + 1000 });
    expect((await get("/user", alice)).status).toBe(401);
  });
});
