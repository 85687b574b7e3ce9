import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { Webhooks } from "@octokit/webhooks";
import { signatureSha256 } from "../../sandbox/webhooks/sign.js";
import { startWorld, type World } from "../helpers/sandbox.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that answers with `status` and keeps what it got. */
async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  status: number;
  close(): Promise<void>;
}> {
  const state = { received: [] as Received[], status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(state.status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/api/github/webhooks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

describe("sandbox webhooks", () => {
  let world: World;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  /** Makes the sandbox emit one event about acme/widgets, as alice. */
  function emitOne(title: string) {
    const sb = world.sandbox;
    return sb.webhooks.emit({
      event: "issues",
      repo: sb.store.repo("acme/widgets"),
      sender: sb.store.userByLogin("alice") as NonNullable<ReturnType<typeof sb.store.userByLogin>>,
      payload: { action: "opened", issue: { title } },
    });
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    world = await startWorld({ webhookUrl: receiver.url });
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.status = 200;
  });
  afterAll(async () => {
    await world.stop();
    await receiver.close();
  });

  it("signs like GitHub's documented test vector", async () => {
    const expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(signatureSha256("It's a Secret to Everybody", "Hello, World!")).toBe(expected);
    // The same vector through @octokit/webhooks, which Flotilla uses to verify deliveries.
    const webhooks = new Webhooks({ secret: "It's a Secret to Everybody" });
    await expect(webhooks.verify("Hello, World!", expected)).resolves.toBe(true);
    await expect(webhooks.verify("Hello, World?", expected)).resolves.toBe(false);
  });

  it("delivers webhooks that @octokit/webhooks verifies and receives", async () => {
    const webhooks = new Webhooks({ secret: world.app.webhookSecret });
    const seen: string[] = [];
    webhooks.on("issues.opened", ({ payload }) => {
      seen.push(`${payload.repository.full_name}:${payload.sender.login}:${payload.installation?.id}`);
    });
    emitOne("first");
    await world.sandbox.webhooks.settled();
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received as [Received];
    expect(delivery.headers["x-github-event"]).toBe("issues");
    expect(delivery.headers["content-type"]).toBe("application/json");
    await webhooks.verifyAndReceive({
      id: delivery.headers["x-github-delivery"] as string,
      name: "issues",
      signature: delivery.headers["x-hub-signature-256"] as string,
      payload: delivery.body,
    });
    expect(seen).toEqual([`acme/widgets:alice:${world.installationId}`]);
  });

  it("does not deliver to an App that did not subscribe to the event", async () => {
    world.sandbox.webhooks.emit({
      event: "deployment",
      repo: world.sandbox.store.repo("acme/widgets"),
      sender: world.sandbox.store.user(world.sandbox.store.repo("acme/widgets").ownerId),
      payload: { action: "created" },
    });
    await world.sandbox.webhooks.settled();
    expect(receiver.received).toHaveLength(0);
  });

  it("drops deliveries when told to, logs them as dropped, and redelivers them on request", async () => {
    world.sandbox.script.dropWebhooks({ next: 1 });
    const dropped = emitOne("lost")[0] as { id: number; guid: string };
    await world.sandbox.webhooks.settled();
    expect(receiver.received).toHaveLength(0);

    const octokit = world.appOctokit();
    const { data: log } = await octokit.rest.apps.listWebhookDeliveries();
    expect(log[0]).toMatchObject({
      id: dropped.id,
      guid: dropped.guid,
      status: "dropped",
      redelivery: false,
    });

    await octokit.rest.apps.redeliverWebhookDelivery({ delivery_id: dropped.id });
    await world.sandbox.webhooks.settled();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers["x-github-delivery"]).toBe(dropped.guid);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}").issue.title).toBe("lost");
    const { data: again } = await octokit.rest.apps.listWebhookDeliveries();
    expect(again[0]).toMatchObject({ guid: dropped.guid, redelivery: true, status: "OK", status_code: 200 });
  });

  it("logs a delivery the receiver refused as failed, with its status code", async () => {
    receiver.status = 503;
    const failed = emitOne("refused")[0] as { id: number };
    await world.sandbox.webhooks.settled();
    const { data } = await world.appOctokit().rest.apps.getWebhookDelivery({ delivery_id: failed.id });
    expect(data).toMatchObject({ status: "failed", status_code: 503, event: "issues", action: "opened" });
    expect((data.request.payload as { issue: { title: string } }).issue.title).toBe("refused");
  });
});
