import { AppError } from "../errors/app-error.js";

/** Longest branch name accepted (git has no limit; hostnames, logs and tables do). */
export const MAX_BRANCH_BYTES = 255;

/**
 * git check-ref-format's rules for a full ref name (`refs/heads/main`), as a
 * pure function: null when valid, else what is wrong. See git-check-ref-format(1).
 */
export function refFormatProblem(ref: string): string | null {
  if (ref.length === 0) return "it is empty";
  if (ref === "@") return "it is the single character '@'";
  if (ref.startsWith("/") || ref.endsWith("/")) return "it begins or ends with '/'";
  if (ref.includes("//")) return "it contains consecutive slashes";
  if (!ref.includes("/")) return "it has no '/' (a full ref is refs/heads/NAME)";
  if (ref.endsWith(".")) return "it ends with '.'";
  if (ref.includes("..")) return "it contains '..'";
  if (ref.includes("@{")) return "it contains '@{'";

  if (/[\x00-\x20\x7f]/.test(ref)) return "it contains a space or a control character";
  const bad = /[~^:?*[\\]/.exec(ref);
  if (bad) return `it contains '${bad[0]}'`;
  for (const c of ref.split("/")) {
    if (c.startsWith(".")) return "a component begins with '.'";
    if (c.endsWith(".lock")) return "a component ends with '.lock'";
  }
  return null;
}

/** Branch names: git's rules for refs/heads/NAME, plus no leading '-' (it would read as an option) and a length bound. */
export function branchProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "a branch name must be a non-empty string";
  if (Buffer.byteLength(name, "utf8") > MAX_BRANCH_BYTES) return `it is longer than ${MAX_BRANCH_BYTES} bytes`;
  if (name.startsWith("-")) return "it begins with '-'";
  if (name === "HEAD") return "HEAD is not a branch";
  // invisible and bidirectional-control characters make one name look like another (git accepts them)
  if (/[\p{Cf}\p{Co}\p{Cn}]/u.test(name)) return "it contains an invisible or text-direction character";
  return refFormatProblem(`refs/heads/${name}`);
}

export function validateBranch(name: unknown): string {
  const p = branchProblem(name);
  if (p)
    throw new AppError(
      "invalid_ref",
      `invalid branch name ${JSON.stringify(typeof name === "string" ? name.slice(0, 80) : name)}: ${p}`,
    );
  return name as string;
}

/** refs/heads/NAME → NAME (validated); null for any other ref (tags, notes…). */
export function branchOfRef(ref: unknown): string | null {
  if (typeof ref !== "string" || !ref.startsWith("refs/heads/")) return null;
  return validateBranch(ref.slice("refs/heads/".length));
}

export { COMMIT_SHA as SHA1 } from "../domain/ids.js";
export const ZERO_SHA = "0".repeat(40);
