import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startWorld, type World } from "../helpers/sandbox.js";

describe("sandbox authentication", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  it("lets the App list its installations with its JWT", async () => {
    const { data } = await world.appOctokit().rest.apps.listInstallations();
    expect(data.map((i) => i.id)).toEqual([world.installationId]);
    expect(data[0]?.account?.login).toBe("acme");
  });

  it("mints installation tokens that read the installation's repositories", async () => {
    const { data } = await world.installationOctokit().rest.apps.listReposAccessibleToInstallation();
    expect(data.repositories.map((r) => r.full_name)).toEqual(["acme/widgets"]);
  });
});
