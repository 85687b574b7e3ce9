import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/**
 * The files `actions/upload-artifact` would upload for `path:` (one path a line, relative ones against the
 * workspace; `!` exclusions and globs are not interpreted). Inside the artifact, names are relative to the
 * least common ancestor of the paths (the folder itself for one folder). Hidden files and folders are left
 * out unless `include-hidden-files` is true, as in upload-artifact v4.4+. Folder symlinks are not followed.
 */
export async function collectFiles(
  pathInput: string,
  workspace: string,
  includeHidden: boolean,
): Promise<Record<string, Buffer>> {
  const paths = pathInput
    .split("\n")
    .map((p) => p.trim())
    .filter((p) => p !== "" && !p.startsWith("!"))
    .map((p) => (isAbsolute(p) ? resolve(p) : resolve(workspace, p)));
  const found: string[] = [];
  const roots: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) continue;
    if (info.isDirectory()) {
      roots.push(path);
      found.push(...(await walk(path)));
    } else if (info.isFile()) {
      roots.push(dirname(path));
      found.push(path);
    }
  }
  const root = commonAncestor(roots);
  const files: Record<string, Buffer> = {};
  for (const file of found) {
    const name = relative(root, file).split(sep).join("/");
    if (!includeHidden && name.split("/").some((part) => part.startsWith("."))) continue;
    files[name] = await readFile(file);
  }
  return files;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
    else if (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isFile()) out.push(path);
  }
  return out;
}

function commonAncestor(paths: string[]): string {
  const [first, ...rest] = paths.map((p) => p.split(sep));
  if (!first) return "/";
  let length = first.length;
  for (const parts of rest) {
    let i = 0;
    while (i < length && parts[i] === first[i]) i += 1;
    length = i;
  }
  return first.slice(0, length).join(sep) || sep;
}
