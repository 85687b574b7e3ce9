import type { Store } from "../state/store.js";
import { HttpError } from "./errors.js";
import type { Caller } from "./route.js";

const LIMIT = 5000;
const WINDOW_MS = 60 * 60 * 1000;

interface Window {
  used: number;
  resetAt: number;
}

/**
 * GitHub's primary rate limit: 5,000 requests an hour per installation (and per App JWT), reported on every
 * response in `x-ratelimit-*` headers; past it, 403 with `x-ratelimit-remaining: 0`.
 */
export class RateLimits {
  private windows = new Map<string, Window>();

  constructor(private readonly store: Store) {}

  /** Counts one request; throws the 403 GitHub sends once the window is used up. */
  take(caller: Caller): Record<string, string> {
    const window = this.window(caller);
    if (window.used >= LIMIT) {
      throw new HttpError(
        403,
        "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.",
        {},
        this.headers(window),
      );
    }
    window.used += 1;
    return this.headers(window);
  }

  peek(caller: Caller): Record<string, string> {
    return this.headers(this.window(caller));
  }

  private window(caller: Caller): Window {
    const key =
      caller.kind === "app"
        ? `app:${caller.appId}`
        : caller.kind === "user"
          ? `user:${caller.user.id}:${caller.app.id}`
          : `installation:${caller.installation.id}`;
    const now = this.store.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { used: 0, resetAt: now + WINDOW_MS };
      this.windows.set(key, window);
    }
    return window;
  }

  private headers(window: Window): Record<string, string> {
    return {
      "x-ratelimit-limit": String(LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, LIMIT - window.used)),
      "x-ratelimit-used": String(window.used),
      "x-ratelimit-reset": String(Math.ceil(window.resetAt / 1000)),
      "x-ratelimit-resource": "core",
    };
  }
}
