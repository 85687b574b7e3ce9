/**
 * Why the runner did not start the agent, in words for the person who asked (the App shows the message on
 * the issue): a bad input, a config it cannot use, an issue edited since the label. Nothing to retry.
 */
export class RunnerRefusal extends Error {
  override name = "RunnerRefusal";
  readonly permanent = true;
}
