/**
 * GitHub Actions expressions (`${{ … }}`), enough for workflow files like Flotilla's: literals, contexts
 * (`inputs.x`, `secrets.X`, `github.token`, `env['A']`), `!`, comparisons, `&&`, `||`, parentheses, and the
 * functions fromJSON, toJSON, format, contains, startsWith, endsWith, join and the status checks. Names are
 * case-insensitive and a missing property is null, as on GitHub.
 */

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Context = Record<string, Value>;

/** What the status functions answer: `success()`, `failure()`, `cancelled()` (`always()` is true). */
export interface JobStatus {
  failed: boolean;
  cancelled: boolean;
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|([A-Za-z_][\w-]*)|(==|!=|<=|>=|&&|\|\||[()[\].,!<>]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new ExpressionError(`Unexpected symbol at ${start} in '${text}'`);
    // Strings keep a leading quote so they cannot be mistaken for names.
    tokens.push(match[2] !== undefined ? `'${match[2].replace(/''/g, "'")}` : match[0].trim());
  }
  return tokens;
}

export function toText(value: Value): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value, null, 2);
}

export function truthy(value: Value): boolean {
  return !(value === null || value === false || value === 0 || value === "" || Number.isNaN(value));
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? 0 : Number(value);
  return Number.NaN;
}

function equals(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "object" || typeof b === "object") return a === b;
  return toNumber(a) === toNumber(b);
}

function property(target: Value, key: Value): Value {
  if (Array.isArray(target)) return target[toNumber(key)] ?? null;
  if (target === null || typeof target !== "object") return null;
  const wanted = toText(key).toLowerCase();
  const found = Object.keys(target).find((k) => k.toLowerCase() === wanted);
  return found === undefined ? null : (target[found] ?? null);
}

function callFunction(name: string, args: Value[], status: JobStatus): Value {
  const [a = null, b = null] = args;
  switch (name.toLowerCase()) {
    case "fromjson":
      try {
        return JSON.parse(toText(a)) as Value;
      } catch {
        throw new ExpressionError(`Error reading JToken from JsonReader: fromJSON('${toText(a)}')`);
      }
    case "tojson":
      return JSON.stringify(a, null, 2);
    case "format":
      return toText(a).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, i?: string) =>
        i === undefined ? (m[0] ?? "") : toText(args[Number(i) + 1] ?? null),
      );
    case "contains":
      return Array.isArray(a)
        ? a.some((item) => equals(item, b))
        : toText(a).toLowerCase().includes(toText(b).toLowerCase());
    case "startswith":
      return toText(a).toLowerCase().startsWith(toText(b).toLowerCase());
    case "endswith":
      return toText(a).toLowerCase().endsWith(toText(b).toLowerCase());
    case "join":
      return Array.isArray(a) ? a.map(toText).join(b === null ? "," : toText(b)) : toText(a);
    case "success":
      return !status.failed && !status.cancelled;
    case "failure":
      return status.failed;
    case "cancelled":
      return status.cancelled;
    case "always":
      return true;
    default:
      throw new ExpressionError(`Unrecognized function: '${name}'`);
  }
}

/** Recursive descent over the tokens, evaluating as it goes (expressions have no side effects). */
class Evaluator {
  private at = 0;

  constructor(
    private readonly tokens: string[],
    private readonly context: Context,
    private readonly status: JobStatus,
  ) {}

  run(): Value {
    const value = this.or();
    if (this.at < this.tokens.length) throw new ExpressionError(`Unexpected '${this.tokens[this.at]}'`);
    return value;
  }

  private peek(): string | undefined {
    return this.tokens[this.at];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.at];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new ExpressionError(`Expected '${expected ?? "a value"}' but found '${token ?? "the end"}'`);
    }
    this.at += 1;
    return token;
  }

  private or(): Value {
    let left = this.and();
    while (this.peek() === "||") {
      this.take();
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  private and(): Value {
    let left = this.comparison();
    while (this.peek() === "&&") {
      this.take();
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  private comparison(): Value {
    let left = this.unary();
    for (let op = this.peek(); op && ["==", "!=", "<", "<=", ">", ">="].includes(op); op = this.peek()) {
      this.take();
      const right = this.unary();
      if (op === "==" || op === "!=") left = equals(left, right) === (op === "==");
      else {
        const [l, r] = [toNumber(left), toNumber(right)];
        left = op === "<" ? l < r : op === "<=" ? l <= r : op === ">" ? l > r : l >= r;
      }
    }
    return left;
  }

  private unary(): Value {
    if (this.peek() === "!") {
      this.take();
      return !truthy(this.unary());
    }
    let value = this.primary();
    for (let next = this.peek(); next === "." || next === "["; next = this.peek()) {
      this.take();
      if (next === ".") value = property(value, this.take());
      else {
        value = property(value, this.or());
        this.take("]");
      }
    }
    return value;
  }

  private primary(): Value {
    const token = this.take();
    if (token === "(") {
      const value = this.or();
      this.take(")");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1);
    if (/^\d/.test(token)) return Number(token);
    if (!/^[A-Za-z_]/.test(token)) throw new ExpressionError(`Unexpected '${token}'`);
    const lower = token.toLowerCase();
    if (lower === "true" || lower === "false") return lower === "true";
    if (lower === "null") return null;
    if (this.peek() !== "(") return property(this.context, token);
    this.take("(");
    const args: Value[] = [];
    while (this.peek() !== ")") {
      args.push(this.or());
      if (this.peek() === ",") this.take();
      else break;
    }
    this.take(")");
    return callFunction(token, args, this.status);
  }
}

const NO_FAILURE: JobStatus = { failed: false, cancelled: false };

/** Evaluates one expression (the text inside `${{ }}`, or an `if:` condition). */
export function evaluate(expression: string, context: Context, status: JobStatus = NO_FAILURE): Value {
  return new Evaluator(tokenize(expression), context, status).run();
}

const EMBEDDED = /\$\{\{(.*?)\}\}/gs;

/**
 * A workflow value with its expressions resolved: a string that is exactly one `${{ }}` keeps the
 * expression's type (a number for `timeout-minutes`); other strings get each expression's text.
 */
export function resolve(raw: unknown, context: Context): Value {
  if (typeof raw !== "string") return (raw ?? null) as Value;
  const whole = /^\s*\$\{\{(.*?)\}\}\s*$/s.exec(raw);
  if (whole?.[1] !== undefined && !whole[1].includes("}}")) return evaluate(whole[1], context);
  return raw.replace(EMBEDDED, (_match, expression: string) => toText(evaluate(expression, context)));
}

/** `resolve`, as text (what an `env:` or `with:` value becomes). */
export function resolveText(raw: unknown, context: Context): string {
  return toText(resolve(raw, context));
}
