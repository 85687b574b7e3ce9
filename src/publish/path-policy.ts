/**
 * What an agent may change, checked by the App before anything is written to GitHub: no protected path
 * (workflows always: a workflow change would run with the repository's secrets), and within size limits.
 */

/**
 * Always protected, whatever the config says: workflows (the App holds no `workflows` permission, by design),
 * and Flotilla's own config, which chooses the agents' commands, secrets and model endpoints.
 */
export const ALWAYS_PROTECTED = [".github/workflows/**", ".github/flotilla.yml"];

export interface ChangedPath {
  path: string;
  /** For a rename: where it came from, which is changed too. */
  previousPath?: string;
  status: string;
  /** Size of the new content; 0 for a deletion. */
  bytes: number;
}

export interface PathPolicy {
  protectedPaths: string[];
  maxFilesChanged: number;
  maxBytesChanged: number;
}

export type PolicyVerdict =
  | { ok: true }
  | { ok: false; protectedPaths: string[]; tooManyFiles?: number; tooManyBytes?: number };

export function checkPathPolicy(files: ChangedPath[], policy: PathPolicy): PolicyVerdict {
  const patterns = [...new Set([...ALWAYS_PROTECTED, ...policy.protectedPaths])].map(globToRegExp);
  const touched = files.flatMap((f) => (f.previousPath ? [f.previousPath, f.path] : [f.path]));
  const protectedPaths = [...new Set(touched.filter((path) => patterns.some((re) => re.test(path))))].sort();
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const tooManyFiles = files.length > policy.maxFilesChanged ? files.length : undefined;
  const tooManyBytes = bytes > policy.maxBytesChanged ? bytes : undefined;
  if (protectedPaths.length === 0 && tooManyFiles === undefined && tooManyBytes === undefined)
    return { ok: true };
  return {
    ok: false,
    protectedPaths,
    ...(tooManyFiles !== undefined ? { tooManyFiles } : {}),
    ...(tooManyBytes !== undefined ? { tooManyBytes } : {}),
  };
}

/**
 * A glob as .gitignore patterns read: `**` spans folders, `*` and `?` stay within one, a pattern without a
 * slash matches at any depth, and one ending in `/` or naming a folder covers what is inside it. Everything
 * else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  const trimmed = glob.replace(/^\.?\//, "").replace(/\/$/, "/**");
  // Without a slash a pattern matches at any depth (`*.pem` covers `deploy/key.pem`), as in .gitignore.
  // A leading `/` anchors it at the top instead.
  const anchored = /^\.?\//.test(glob);
  const scoped = anchored || trimmed.includes("/") ? trimmed : `**/${trimmed}`;
  // `dir/**` covers `dir` itself too: a file or symlink named `.github/workflows` is as protected as its content.
  const pattern = scoped.endsWith("/**") ? scoped.slice(0, -3) : scoped;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      out += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else out += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A bare folder name (`infra`) protects the folder too, as people mean it.
  return new RegExp(`^${out}(?:/.*)?$`);
}
