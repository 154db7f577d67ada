import { AppError } from "../errors/app-error.js";

export interface RepoUrl {
  /** what git is given (credentials included, stored sealed) */
  url: string;
  /** what is shown: the URL without its password */
  display: string;
  kind: "https" | "ssh" | "git" | "path";
}

const MAX_URL = 2048;

/**
 * A repository the server fetches from: https://, ssh:// or git:// URLs, or an
 * absolute local path. Nothing that git could read as an option or a remote
 * helper (`-…`, `ext::`, `fd::`, `transport::address`), no control characters.
 */
export function parseRepoUrl(input: unknown): RepoUrl {
  const bad = (why: string): never => {
    throw new AppError(
      "invalid_repo_url",
      `invalid repository URL ${JSON.stringify(typeof input === "string" ? redact(input).slice(0, 100) : input)}: ${why}`,
    );
  };
  if (typeof input !== "string" || input.length === 0) return bad("it must be a non-empty string");
  if (input.length > MAX_URL) return bad(`it is longer than ${MAX_URL} characters`);
  if (input.startsWith("-")) return bad("it begins with '-'");

  if (/[\x00-\x20\x7f]/.test(input)) return bad("it contains a space or a control character");
  if (input.includes("::")) return bad("git remote helpers (ext::, fd::, …) are not allowed");
  if (input === "/") return bad("the root directory is not a repository");
  if (input.startsWith("/")) {
    if (input.split("/").some((c) => c === ".." || c === "."))
      return bad("a local path must not contain '..' or '.' components");
    return { url: input, display: input, kind: "path" };
  }
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return bad("use https://…, ssh://…, git://… or an absolute local path");
  }
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme !== "https" && scheme !== "ssh" && scheme !== "git")
    return bad(`the scheme ${scheme}: is not allowed (https, ssh, git or a local path)`);
  if (!u.hostname || u.hostname.startsWith("-")) return bad("it has no valid host");
  if (u.search || u.hash) return bad("it must not have a query or fragment");
  if (u.password && scheme !== "https") return bad("a password is only accepted in https URLs");
  return { url: input, display: redact(input), kind: scheme };
}

/** The URL with its password replaced, for display and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:***@");
}

/**
 * An https URL's user and password become an Authorization header that git
 * gets through its environment (GIT_CONFIG_*), so they never appear in the
 * process list as an argument would.
 */
export function gitTransport(url: string): { url: string; env: Record<string, string> } {
  if (!url.startsWith("https://")) return { url, env: {} };
  const u = new URL(url);
  if (!u.username && !u.password) return { url, env: {} };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`, "utf8").toString(
    "base64",
  );
  u.username = "";
  u.password = "";
  return {
    url: u.toString(),
    env: {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    },
  };
}
