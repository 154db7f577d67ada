import { realpathSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import { resolveThroughLinks } from "../storage/mount-rules.js";

const realpath = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};
const within = (p: string, dir: string) => p === dir || p.startsWith(dir + "/");

/**
 * A local path as a repository: only an admin may connect one (it reads the
 * server's own file system), and never one inside the data dir, where every
 * app's push repository and fetch cache live (<data-dir>/git/B.git is B's
 * source). Checked with links resolved, when connecting and before every fetch.
 */
export function checkLocalRepo(path: string, dataDir: string, isAdmin: boolean): void {
  if (!isAdmin)
    throw new AppError(
      "forbidden",
      "connecting a local path as a repository needs the admin role: it reads the server's own files",
      "Connect an https://, ssh:// or git:// URL, or ask an admin to connect the local path.",
    );
  const data = realpath(dataDir) ?? dataDir;
  const real = resolveThroughLinks(path, realpath);
  if (within(path, dataDir) || within(real, data) || within(path, data))
    throw new AppError(
      "invalid_repo_url",
      `invalid repository URL ${JSON.stringify(path.slice(0, 100))}: it is inside the server's data dir, which holds every app's repositories`,
    );
}
