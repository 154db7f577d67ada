import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/lib/run.js";
import { signGithub } from "../../src/gitflow/signature.js";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "t@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const r = await run("git", args, { cwd, env: GIT_ENV, timeoutMs: 60000 });
  if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A working repository with a fixture app committed on main, pushed to a bare
 * repository (the "remote" the server fetches from, by its local path).
 */
export class LocalRemote {
  private constructor(
    readonly dir: string,
    readonly work: string,
    readonly bare: string,
  ) {}

  static async create(fixture: string): Promise<LocalRemote> {
    const dir = mkdtempSync(join(tmpdir(), "yk-git-"));
    const r = new LocalRemote(dir, join(dir, "work"), join(dir, "remote.git"));
    cpSync(fixture, r.work, { recursive: true });
    await git(dir, "init", "--bare", "--quiet", "--", r.bare);
    await git(r.work, "init", "--quiet", "-b", "main");
    await git(r.work, "add", "-A");
    await git(r.work, "commit", "--quiet", "-m", "first");
    await git(r.work, "push", "--quiet", "--", r.bare, "main");
    return r;
  }

  /** Commits a change on `branch` (created from main if new) and pushes it; returns the commit. */
  async commit(branch: string, file: string, content: string): Promise<string> {
    await git(this.work, "checkout", "--quiet", "-B", branch, "main");
    writeFileSync(join(this.work, file), content);
    await git(this.work, "add", "-A");
    await git(this.work, "commit", "--quiet", "-m", `change ${file}`);
    const sha = await git(this.work, "rev-parse", "HEAD");
    await git(this.work, "push", "--quiet", "--force", "--", this.bare, `HEAD:refs/heads/${branch}`);
    await git(this.work, "checkout", "--quiet", "main");
    return sha;
  }

  head(branch: string): Promise<string> {
    return git(this.bare, "rev-parse", "--verify", "--end-of-options", `refs/heads/${branch}`);
  }

  async deleteBranch(branch: string): Promise<void> {
    await git(this.work, "push", "--quiet", "--", this.bare, `:refs/heads/${branch}`);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const require = createRequire(import.meta.url);
const examples = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples"), "utf8")) as {
  name: string;
  examples: Record<string, any>[];
}[];
/** A copy of one of GitHub's example payloads (from @octokit/webhooks-examples) that matches `pick`. */
export function githubExample(
  name: string,
  pick: (e: Record<string, any>) => boolean = () => true,
): Record<string, any> {
  const e = examples.find((x) => x.name === name)!.examples.find(pick);
  if (!e) throw new Error(`no ${name} example matches`);
  return structuredClone(e);
}

/** GitHub's push example for a new commit on a branch. */
export const githubPush = (branch: string, after: string) => ({
  ...githubExample("push", (e) => e.ref === "refs/heads/master" && !e.deleted),
  ref: `refs/heads/${branch}`,
  after,
});
/** GitHub's branch-delete example (after = 40 zeros). */
export const githubDelete = (branch: string) => ({
  ...githubExample("push", (e) => e.deleted === true),
  ref: `refs/heads/${branch}`,
});

/** Delivers a webhook the way GitHub or GitLab sends it. */
export async function deliver(
  apiUrl: string,
  provider: "github" | "gitlab",
  app: string,
  body: unknown,
  opts: { secret?: string; signature?: string; delivery?: string; event?: string; raw?: string } = {},
): Promise<{ status: number; body: any }> {
  const raw = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": provider === "github" ? "GitHub-Hookshot/abc123" : "GitLab/16.0.0",
  };
  if (provider === "github") {
    headers["x-github-event"] = opts.event ?? "push";
    headers["x-github-delivery"] = opts.delivery ?? crypto.randomUUID();
    const sig = opts.signature ?? (opts.secret !== undefined ? signGithub(opts.secret, raw) : undefined);
    if (sig !== undefined) headers["x-hub-signature-256"] = sig;
  } else {
    headers["x-gitlab-event"] = opts.event ?? "Push Hook";
    headers["x-gitlab-event-uuid"] = opts.delivery ?? crypto.randomUUID();
    const tok = opts.signature ?? opts.secret;
    if (tok !== undefined) headers["x-gitlab-token"] = tok;
  }
  const r = await fetch(`${apiUrl}/hooks/${provider}/${app}`, { method: "POST", headers, body: raw });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: r.status, body: parsed };
}

/** `yk …` as a user runs it against a test server (a child process; YADOKARI_APP unset). */
export function ykFor(s: { url: string; token: string; dataDir: string }, cli: string) {
  return (...args: string[]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      YADOKARI_URL: s.url,
      YADOKARI_TOKEN: s.token,
      YADOKARI_CONFIG: join(s.dataDir, "cli.json"),
    };
    delete env.YADOKARI_APP;
    return run(process.execPath, [cli, ...args], { env, timeoutMs: 180000 });
  };
}
