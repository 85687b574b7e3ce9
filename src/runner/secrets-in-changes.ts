import { type Changeset, readChangedFile } from "./changeset.js";
import { secretForms } from "./redact.js";

/**
 * The changed files whose new content holds one of the agent's secrets (in any form the redactor knows:
 * as is, JSON-escaped, URL-encoded, base64), with the secret's name. Redaction cannot help here (it would
 * corrupt the file), so a changeset with a secret in it is not published at all: an agent that wrote its
 * API key into the code must not get it committed, nor into an artifact.
 */
export async function secretsInChanges(
  workspace: string,
  changeset: Changeset,
  secrets: Record<string, string>,
): Promise<{ path: string; secret: string }[]> {
  const wanted = Object.entries(secrets)
    .map(([name, value]) => ({ name, forms: secretForms(value).map((form) => Buffer.from(form)) }))
    .filter(({ forms }) => forms.length > 0);
  if (wanted.length === 0) return [];
  const found: { path: string; secret: string }[] = [];
  for (const change of changeset.files) {
    if (change.status === "deleted") continue;
    const content = await readChangedFile(workspace, change);
    for (const { name, forms } of wanted) {
      if (forms.some((form) => content.includes(form))) found.push({ path: change.path, secret: name });
    }
  }
  return found;
}
