import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import type { Deploy, Release } from "../domain/types.js";
import type { ReleaseContent } from "../engine/lifecycle/intent.js";
import type { EngineContext } from "../engine/context.js";
import type { Apps } from "../engine/apps.js";
import type { Deployer } from "../engine/deployer.js";
import type { GitflowStore } from "./gitflow-store.js";
import type { Mirrors } from "./mirror.js";
import type { SerialQueues } from "./serial.js";
import { validateBranch } from "./ref-format.js";
import { parseRepoUrl } from "./repo-url.js";
import { checkLocalRepo } from "./local-repo.js";
import { DEFAULT_TTL_SEC } from "./review-apps.js";

export const REPO_URL = "repo_url";
export const WEBHOOK_SECRET = "webhook_secret";

/**
 * An app's connected repository: connecting it, what it shows, the webhook
 * secret, and deploying a commit of it (fetched into the app's cache, built
 * through the build path, or its image reused when that commit was built before).
 */
export class GitSources {
  constructor(
    private readonly ctx: EngineContext,
    private readonly apps: Apps,
    private readonly deployer: Deployer,
    private readonly store: GitflowStore,
    private readonly mirrors: Mirrors,
    private readonly serial: SerialQueues,
    private readonly publicUrl?: string,
  ) {}

  connect(
    appName: string,
    url: unknown,
    branch: unknown = "main",
    caller: { admin: boolean } = { admin: false },
  ): Promise<{ url: string; branch: string }> {
    const app = this.apps.get(appName);
    const repo = parseRepoUrl(url);
    if (repo.kind === "path") checkLocalRepo(repo.url, this.ctx.dataDir, caller.admin);
    const b = validateBranch(branch);
    // After any fetch in progress: the cache of the previous repository is dropped.
    return this.serial.run(app.name, async () => {
      this.ctx.store.tx(() => {
        this.store.setSecret(app.name, REPO_URL, repo.url);
        this.store.setSource(app.name, repo.display, b);
      });
      this.mirrors.remove(app.name);
      return { url: repo.display, branch: b };
    });
  }

  info(appName: string, apiBase: string) {
    const app = this.apps.get(appName);
    const src = this.store.source(app.name);
    const review = this.store.reviewSettings(app.name);
    const parent = this.store.reviewApp(app.name);
    return {
      app: app.name,
      repository: src ? { url: src.urlDisplay, branch: src.branch, connectedAt: src.createdAt } : null,
      webhooks: {
        github: `${this.publicUrl ?? apiBase}/hooks/github/${app.name}`,
        gitlab: `${this.publicUrl ?? apiBase}/hooks/gitlab/${app.name}`,
        secretSet: this.store.secret(app.name, WEBHOOK_SECRET) !== null,
      },
      reviewApps: review
        ? { enabled: review.enabled, ttlSec: review.ttlSec }
        : { enabled: false, ttlSec: DEFAULT_TTL_SEC },
      reviewOf: parent ? { parent: parent.parent, branch: parent.branch } : null,
    };
  }

  /** The webhook secret, made on first use; `rotate` replaces it. */
  secret(appName: string, rotate: boolean): string {
    const app = this.apps.get(appName);
    const current = this.store.secret(app.name, WEBHOOK_SECRET);
    if (current && !rotate) return current;
    const next = randomBytes(32).toString("hex");
    this.store.setSecret(app.name, WEBHOOK_SECRET, next);
    return next;
  }

  // ---- deploying a commit of the connected repository

  /**
   * Fetches `branch` of `source`'s repository into its cache and deploys
   * `sha` (default: the branch head) to `target`. A commit `target` already
   * built is deployed from its image, without a rebuild.
   */
  async deployCommit(
    target: string,
    source: string,
    branch: string,
    sha: string | null,
    actor = "webhook",
  ): Promise<Deploy> {
    const commit = await this.fetch(source, branch, sha);
    const built = await this.builtRelease(target, commit);
    const app = this.ctx.store.getApp(target)!;
    if (built && app.liveReleaseId) {
      return this.deployer.submitChanges(
        target,
        "git",
        [{ kind: "content", content: contentOf(built) }],
        `Deploy ${commit.slice(0, 7)} (image reused)`,
        actor,
        { commit },
      ).deploy;
    }
    const upload = await this.mirrors.archive(source, commit);
    try {
      return this.deployer.submitBuild(target, upload, { source: "git", commit, ref: `refs/heads/${branch}` }, actor)
        .deploy;
    } catch (e) {
      rmSync(upload.path, { force: true });
      throw e;
    }
  }

  /** Fetches the branch into `source`'s cache; returns `sha` once it is there (default: the branch head). */
  async fetch(source: string, branch: string, sha: string | null): Promise<string> {
    const url = this.store.secret(source, REPO_URL);
    if (!url) throw new AppError("not_connected", `app ${source} has no connected repository`);
    // git's file transport only for a local path, which only an admin could have connected
    const local = parseRepoUrl(url).kind === "path";
    if (local) checkLocalRepo(url, this.ctx.dataDir, true);
    const head = await this.mirrors.fetchBranch(source, url, branch, { allowFile: local });
    if (sha && !(await this.mirrors.hasCommit(source, sha)))
      throw new AppError(
        "fetch_failed",
        `commit ${sha.slice(0, 12)} is not on branch ${branch} of ${source}'s repository (was it force-pushed away?)`,
      );
    return sha ?? head;
  }

  private async builtRelease(app: string, commit: string): Promise<Release | null> {
    for (const r of this.ctx.store.listReleases(app))
      if (r.commit === commit && (await this.ctx.engine.images.exists(r.image))) return r;
    return null;
  }
}

/** What a release runs, to run it again elsewhere (a promotion) or later (a commit built before). */
export const contentOf = (r: Release): ReleaseContent => ({
  image: r.image,
  commit: r.commit,
  processes: r.processes,
  healthcheck: r.healthcheck,
  manifest: r.manifest,
});
