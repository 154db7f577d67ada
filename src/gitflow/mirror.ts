import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors/app-error.js";
import { run } from "../lib/run.js";
import { validateAppName } from "../domain/names.js";
import type { SavedUpload } from "../build/upload.js";
import { SHA1, validateBranch } from "./ref-format.js";
import { gitTransport, redact } from "./repo-url.js";

/**
 * git with an argv array, never a shell: no remote helpers, no prompts, no
 * user config. Every user value comes after `--` or inside a refspec we build.
 */
const GIT_ENV = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_TERMINAL_PROMPT: "0",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_PROTOCOL_FROM_USER: "0",
  GIT_SSH_COMMAND: "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
  LANG: "C",
});
const SAFE = [
  "-c",
  "protocol.ext.allow=never",
  "-c",
  "protocol.fd.allow=never",
  "-c",
  "protocol.file.allow=never",
  "-c",
  "core.hooksPath=/dev/null",
];
/** A local path connected by an admin is fetched with the file transport; nothing else ever is. */
const FILE_ALLOWED = ["-c", "protocol.file.allow=always"];

async function git(
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
  extra: string[] = [],
): Promise<string> {
  const r = await run("git", [...SAFE, ...extra, ...args], { env: { ...GIT_ENV(), ...env }, timeoutMs });
  if (r.code !== 0)
    throw new AppError(
      "fetch_failed",
      `git ${args.find((a) => !a.startsWith("-")) ?? ""} failed: ${redactAll(r.stderr.trim()).slice(-500) || `exit ${r.code ?? r.signal}`}`,
    );
  return r.stdout;
}
const redactAll = (s: string) => s.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s]+/gi, (u) => redact(u));

/** `git check-ref-format --branch NAME` as git itself sees it (argv, after the shared rules passed). */
export async function gitAcceptsBranch(name: string): Promise<boolean> {
  validateBranch(name);
  const r = await run("git", ["check-ref-format", "--branch", name], { env: GIT_ENV(), timeoutMs: 10_000 });
  return r.code === 0;
}

/** A bare cache per app under <data-dir>/git-cache, fetched from the connected repository. */
export class Mirrors {
  constructor(
    readonly root: string,
    private readonly uploadsDir: string,
  ) {}

  path(app: string): string {
    return join(this.root, `${validateAppName(app)}.git`);
  }

  private async ensure(app: string): Promise<string> {
    const dir = this.path(app);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    if (!existsSync(join(dir, "HEAD"))) await git(["init", "--bare", "--quiet", "--", dir]);
    return dir;
  }

  /** Fetches `branch` from `url`; returns the branch's head commit. */
  async fetchBranch(app: string, url: string, branch: string, opts: { allowFile?: boolean } = {}): Promise<string> {
    validateBranch(branch);
    if (!(await gitAcceptsBranch(branch)))
      throw new AppError("invalid_ref", `git refuses the branch name ${JSON.stringify(branch.slice(0, 80))}`);
    const dir = await this.ensure(app);
    const local = `refs/yk/${Buffer.from(branch, "utf8").toString("hex")}`; // never a name git could misread
    const t = gitTransport(url);
    await git(
      [
        "-C",
        dir,
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-recurse-submodules",
        "--force",
        "--",
        t.url,
        `+refs/heads/${branch}:${local}`,
      ],
      120_000,
      t.env,
      opts.allowFile ? FILE_ALLOWED : [],
    );
    const sha = (
      await git(["-C", dir, "rev-parse", "--verify", "--quiet", "--end-of-options", `${local}^{commit}`])
    ).trim();
    if (!SHA1.test(sha)) throw new AppError("fetch_failed", `branch ${branch} did not resolve to a commit`);
    return sha;
  }

  /** True when the cache has the commit (the pushed one, or an ancestor of the fetched head). */
  async hasCommit(app: string, sha: string): Promise<boolean> {
    if (!SHA1.test(sha)) return false;
    const r = await run("git", [...SAFE, "-C", this.path(app), "cat-file", "-e", `${sha}^{commit}`], {
      env: GIT_ENV(),
      timeoutMs: 10_000,
    });
    return r.code === 0;
  }

  /** `git archive` of a commit to a file: the same upload the tar and git-push paths build from. */
  async archive(app: string, sha: string): Promise<SavedUpload> {
    if (!SHA1.test(sha)) throw new AppError("invalid_request", "commit must be a 40-character hex SHA-1");
    mkdirSync(this.uploadsDir, { recursive: true });
    const path = join(this.uploadsDir, `git-${sha.slice(0, 12)}-${randomBytes(4).toString("hex")}.tar`);
    const child = spawn("git", [...SAFE, "-C", this.path(app), "archive", "--format=tar", sha], {
      env: GIT_ENV(),
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    try {
      await pipeline(child.stdout, createWriteStream(path, { mode: 0o600 }));
      const code = await exited;
      if (code !== 0) throw new AppError("fetch_failed", `git archive failed: ${stderr.trim().slice(-300)}`);
      const hash = createHash("sha256");
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      return { path, sha256: hash.digest("hex"), bytes: statSync(path).size, gzip: false };
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
  }

  remove(app: string): void {
    rmSync(this.path(app), { recursive: true, force: true });
  }
}
