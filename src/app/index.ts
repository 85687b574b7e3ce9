import type { ApplicationFunctionOptions, Probot } from "probot";

/**
 * The Probot app: wires webhook events to their handlers and HTTP routes to theirs. It holds no logic.
 * The loop (labelled issue → queued task → pull request) plugs in here; until it lands, Flotilla only
 * answers its health route and logs what it receives.
 */
export default function flotilla(app: Probot, { addHandler }: ApplicationFunctionOptions): void {
  addHandler((req, res) => {
    if (req.url !== "/healthz") return false;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok" }));
    return true;
  });
  app.onAny(async (event) => {
    app.log.debug({ event: event.name, delivery: event.id }, "webhook received");
  });
}
