const DOCS = "https://docs.github.com/rest";

/**
 * An error a route answers with, shaped as GitHub shapes its errors: `{message, documentation_url, status}`,
 * plus `errors` for validation failures. Routes throw it; the server renders it.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  body(): Record<string, unknown> {
    return { message: this.message, documentation_url: DOCS, status: String(this.status), ...this.extra };
  }
}

export const notFound = (): HttpError => new HttpError(404, "Not Found");
export const badCredentials = (): HttpError => new HttpError(401, "Bad credentials");
export const requiresAuthentication = (): HttpError => new HttpError(401, "Requires authentication");
export const notAccessible = (): HttpError => new HttpError(403, "Resource not accessible by integration");

/** A 422 the way GitHub words one for a resource-level problem (e.g. a label that already exists). */
export function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, "Validation Failed", {
    errors: [{ resource, field, code, ...(message ? { message } : {}) }],
  });
}
