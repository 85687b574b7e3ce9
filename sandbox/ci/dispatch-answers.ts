import type { Sandbox } from "../sandbox.js";

/**
 * Whether a dispatch asked for `return_run_details` gets the run's id (200), as on github.com, or 204 with
 * no body, as an older GitHub Enterprise Server answers: then a client has to find its run by name.
 */
const withoutDetails = new WeakSet<Sandbox>();

export function setRunDetails(sb: Sandbox, enabled: boolean): void {
  if (enabled) withoutDetails.delete(sb);
  else withoutDetails.add(sb);
}

export function answersRunDetails(sb: Sandbox): boolean {
  return !withoutDetails.has(sb);
}
