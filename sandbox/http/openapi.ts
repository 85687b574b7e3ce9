import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * GitHub's official REST description (`@octokit/openapi`, api.github.com) is the sandbox's contract:
 * requests are matched to its operations and validated against its request bodies, and responses are
 * checked against its response schemas. Only the deep path is loaded (13 MB); the package root is 385 MB.
 */

interface OpenApiOperation {
  operationId: string;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  "x-github"?: { enabledForGitHubApps?: boolean };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, unknown>;
}

export interface MatchedOperation {
  /** `METHOD /template`, e.g. `POST /repos/{owner}/{repo}/issues`: the key routes are registered under. */
  key: string;
  operation: OpenApiOperation;
  params: Record<string, string>;
}

interface CompiledPath {
  template: string;
  segments: string[];
  literalCount: number;
  /** The last segment is a parameter that may hold slashes (`{path}`, `{ref}`, `{name}` of a branch). */
  greedyTail: boolean;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const GREEDY_PARAMS = new Set(["{path}", "{ref}", "{branch}"]);

let loaded: { doc: OpenApiDocument; paths: CompiledPath[]; ajv: Ajv } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const doc = require("@octokit/openapi/generated/api.github.com.json") as OpenApiDocument;
  applyErrata(doc);
  const paths = Object.keys(doc.paths).map((template): CompiledPath => {
    const segments = template.split("/").slice(1);
    const last = segments[segments.length - 1] ?? "";
    return {
      template,
      segments,
      literalCount: segments.filter((s) => !s.startsWith("{")).length,
      greedyTail: GREEDY_PARAMS.has(last),
    };
  });
  // Most specific first: a literal segment beats a parameter (`/issues/comments` before `/issues/{n}`).
  paths.sort((a, b) => b.literalCount - a.literalCount || a.segments.length - b.segments.length);
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  // GitHub's own formats: `owner/name`, and seconds since the epoch (or a date) for `timestamp`.
  ajv.addFormat("repo.nwo", /^[^/\s]+\/[^/\s]+$/);
  ajv.addFormat("timestamp", true);
  ajv.addSchema({ $id: "github", components: fromOpenApi30(doc.components) });
  loaded = { doc, paths, ajv };
  return loaded;
}

/**
 * Places where GitHub's description contradicts what GitHub sends. Each is fixed here, narrowly, so that
 * response validation checks the real shape instead of an impossible one.
 */
function applyErrata(doc: OpenApiDocument): void {
  // "List installations for the authenticated app": `account` is `allOf: [simple-user, enterprise]`, which no
  // account satisfies (a user has no `slug`, an enterprise no `login`). "Get an installation" says `anyOf`.
  const listInstallations =
    doc.paths["/app/installations"]?.get?.responses["200"]?.content?.["application/json"];
  const account = (
    listInstallations?.schema as { items?: { properties?: { account?: Record<string, unknown> } } }
  )?.items?.properties?.account;
  if (account?.allOf) {
    account.anyOf = account.allOf;
    delete account.allOf;
  }
  // A commit's author and committer `email` are `format: email`, but a bot's noreply address, which GitHub
  // sends for every commit an App makes (`41898282+github-actions[bot]@users.noreply.github.com`), has
  // brackets that the format does not allow. The check suite's `head_commit` is such a "simple-commit".
  const simpleCommit = (doc.components as { schemas?: Record<string, SchemaNode> }).schemas?.[
    "simple-commit"
  ];
  for (const who of ["author", "committer"]) {
    const email = simpleCommit?.properties?.[who]?.properties?.email;
    if (email?.format === "email") delete email.format;
  }
}

type SchemaNode = { properties?: Record<string, SchemaNode>; format?: string };

/**
 * OpenAPI 3.0's `nullable: true` is not JSON Schema: Ajv only accepts it beside `type`. GitHub also puts it
 * beside `$ref`, `oneOf` and `enum`, so rewrite it into plain JSON Schema once, everywhere.
 */
function fromOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi30);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // `example(s)` hold sample data, not schemas; leave them as they are.
    out[key] = key === "example" || key === "examples" ? value : fromOpenApi30(value);
  }
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === "string" && !("$ref" in out) && !("oneOf" in out) && !("anyOf" in out)) {
    out.type = [out.type, "null"];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

function matchSegments(path: CompiledPath, parts: string[]): Record<string, string> | null {
  const { segments } = path;
  if (parts.length < segments.length) return null;
  if (parts.length > segments.length && !path.greedyTail) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const isLast = i === segments.length - 1;
    const part = isLast && path.greedyTail ? parts.slice(i).join("/") : (parts[i] as string);
    if (segment.startsWith("{")) {
      if (part === "") return null;
      params[segment.slice(1, -1)] = decodeURIComponent(part);
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}

/** Finds the GitHub operation for a method and path, or undefined when GitHub has no such route. */
export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  const { doc, paths } = load();
  const lower = method.toLowerCase();
  if (!(METHODS as readonly string[]).includes(lower)) return undefined;
  const parts = pathname.replace(/\/+$/, "").split("/").slice(1);
  // Exact-length matches first, so `/git/ref/{ref}` with a one-segment ref is not taken by a greedy rival.
  for (const greedyPass of [false, true]) {
    for (const path of paths) {
      if (greedyPass !== (parts.length !== path.segments.length)) continue;
      const operation = doc.paths[path.template]?.[lower];
      if (!operation) continue;
      const params = matchSegments(path, parts);
      if (params) return { key: `${method.toUpperCase()} ${path.template}`, operation, params };
    }
  }
  return undefined;
}

/** The operation for a route key, for checking at start-up that every served route is one of GitHub's. */
export function operationFor(key: string): OpenApiOperation | undefined {
  const [method, template] = key.split(" ");
  if (!method || !template) return undefined;
  return load().doc.paths[template]?.[method.toLowerCase()];
}

const validators = new Map<string, ValidateFunction | null>();

function compile(cacheKey: string, schema: unknown): ValidateFunction | null {
  if (validators.has(cacheKey)) return validators.get(cacheKey) ?? null;
  let validate: ValidateFunction | null = null;
  if (schema) {
    // Point the operation's local `#/components/...` refs at the shared components document.
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"github#/components/'));
    validate = load().ajv.compile(fromOpenApi30(rebased) as object);
  }
  validators.set(cacheKey, validate);
  return validate;
}

/** Ajv's path `/labels/0` → GitHub's wording `labels[0]`, so messages name the field as people write it. */
function fieldName(error: ErrorObject): string {
  const base = error.instancePath
    .split("/")
    .slice(1)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  return base || "body";
}

function describe(error: ErrorObject, data: unknown): string {
  const field = fieldName(error);
  if (error.keyword === "required") return `"${field}" wasn't supplied.`;
  const value = JSON.stringify(valueAt(data, error.instancePath));
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) =>
      JSON.stringify(v),
    );
    return `${value} is not a member of [${allowed.join(", ")}] for "${field}".`;
  }
  if (error.keyword === "type") {
    return `For "${field}", ${value} is not ${article((error.params as { type: string }).type)}.`;
  }
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `"${extra}" is not a permitted key for "${field}".`;
  }
  return `For "${field}", ${value} ${error.message ?? "is invalid"}.`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const part of pointer.split("/").slice(1)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export interface SchemaProblem {
  field: string;
  message: string;
}

/**
 * Checks a request body against the operation's schema. Returns the first problem in GitHub's words
 * (`"title" wasn't supplied.`), or undefined when the body is acceptable.
 */
export function checkRequestBody(matched: MatchedOperation, body: unknown): SchemaProblem | undefined {
  const requestBody = matched.operation.requestBody;
  if (!requestBody) return undefined;
  if (body === undefined) {
    return requestBody.required ? { field: "body", message: "Request body is required." } : undefined;
  }
  const schema = requestBody.content?.["application/json"]?.schema;
  const validate = compile(`request ${matched.key}`, schema);
  if (!validate || validate(body)) return undefined;
  const error = validate.errors?.[0];
  if (!error) return undefined;
  return { field: fieldName(error), message: describe(error, body) };
}

/**
 * Checks a response against the schema GitHub documents for that status. Returns every problem found
 * (empty when the response conforms, or when GitHub documents no JSON body for that status).
 */
export function checkResponseBody(key: string, status: number, body: unknown): string[] {
  const operation = operationFor(key);
  const schema = operation?.responses[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) return [];
  const validate = compile(`response ${key} ${status}`, schema);
  if (!validate || validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "(root)"} ${e.message ?? "invalid"} ${JSON.stringify(e.params)}`,
  );
}
