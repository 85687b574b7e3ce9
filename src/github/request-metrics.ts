import type { FleetMetrics } from "../fleet/fleet-metrics.js";

interface Hooked {
  hook: {
    after(name: "request", hook: (response: Response, options: Options) => void): void;
    error(name: "request", hook: (error: unknown, options: Options) => never): void;
  };
}
interface Response {
  status: number;
  headers: Record<string, string | number | undefined>;
}
interface Options {
  method: string;
}

/**
 * An Octokit plugin that counts every GitHub API request by method and status, and keeps the rate limit
 * GitHub reported, for `/metrics`. Recorded without waiting, so a slow Redis never slows GitHub calls.
 */
export function requestMetrics(metrics: FleetMetrics) {
  return (octokit: unknown): void => {
    const { hook } = octokit as Hooked;
    hook.after("request", (response, options) => {
      const remaining = Number(response.headers["x-ratelimit-remaining"]);
      const resource = String(response.headers["x-ratelimit-resource"] ?? "core");
      void metrics.githubRequest(
        options.method,
        response.status,
        Number.isFinite(remaining) ? { remaining, resource } : undefined,
      );
    });
    hook.error("request", (error, options) => {
      void metrics.githubRequest(options.method, (error as { status?: number }).status ?? 0);
      throw error;
    });
  };
}
