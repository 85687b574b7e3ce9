/**
 * Reading Octokit's errors without importing @octokit/request-error (a transitive dependency): the HTTP
 * status, and GitHub's own words, which tell apart 422s that mean different things.
 */

type ErrorShape = {
  status?: unknown;
  response?: { data?: { message?: unknown; errors?: Array<{ message?: unknown } | string> } };
};

/** The HTTP status of a failed GitHub request, or undefined when `error` is not one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as ErrorShape | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** GitHub's messages in an error response: the top-level `message` and each of `errors[].message`. */
export function githubMessages(error: unknown): string[] {
  const data = (error as ErrorShape | null)?.response?.data;
  const nested = (data?.errors ?? []).map((e) => (typeof e === "string" ? e : e?.message));
  return [data?.message, ...nested].filter((m): m is string => typeof m === "string");
}

/** A 422 whose message (or one of its errors) starts with `prefix`. */
export function isUnprocessable(error: unknown, prefix: string): boolean {
  return httpStatus(error) === 422 && githubMessages(error).some((m) => m.startsWith(prefix));
}
