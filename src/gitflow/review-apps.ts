import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import { validateHostname } from "../domain/names.js";
import type { Deploy } from "../domain/types.js";
import type { EngineContext } from "../engine/context.js";
import type { Apps } from "../engine/apps.js";
import { keyProblem, valueProblem } from "../config-vars/validate.js";
import type { GitflowStore, ReviewApp } from "./gitflow-store.js";
import type { GitSources } from "./sources.js";
import type { SerialQueues } from "./serial.js";
import { SHA1, validateBranch } from "./ref-format.js";
import { branchSlug, reviewAppName } from "./slug.js";
import { parseTtl } from "./payload.js";
import { checkQuota } from "../domain/quotas.js";

const REVIEW_CONFIG = "review-config:";
export const DEFAULT_TTL_SEC = 7 * 86400;

/**
 * Review apps: one app per branch of a parent's repository (its own hostname,
 * the parent's config with overrides, one web), destroyed when the branch is
 * deleted or after a TTL since its last push (a timer, so a missed webhook is no leak).
 */
export class ReviewApps {
  private cleanupTimer: NodeJS.Timeout | null = null;
  private cleaning: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly apps: Apps,
    private readonly store: GitflowStore,
    private readonly sources: GitSources,
    private readonly serial: SerialQueues,
    private readonly cleanupMs: number,
  ) {}

  enable(appName: string, ttl: unknown): { enabled: true; ttlSec: number } {
    const app = this.apps.get(appName);
    if (this.store.reviewApp(app.name)) throw new AppError("invalid_request", `${app.name} is itself a review app`);
    const ttlSec = ttl === undefined ? (this.store.reviewSettings(app.name)?.ttlSec ?? DEFAULT_TTL_SEC) : parseTtl(ttl);
    this.store.setReviewSettings(app.name, true, ttlSec);
    return { enabled: true, ttlSec };
  }

  /** Disables review apps and destroys the existing ones. */
  async disable(appName: string): Promise<{ enabled: false; destroyed: string[] }> {
    const app = this.apps.get(appName);
    const s = this.store.reviewSettings(app.name);
    this.store.setReviewSettings(app.name, false, s?.ttlSec ?? DEFAULT_TTL_SEC);
    const destroyed: string[] = [];
    for (const ra of this.store.reviewApps(app.name)) {
      await this.serial.run(app.name, () => this.apps.destroy(ra.app));
      destroyed.push(ra.app);
    }
    return { enabled: false, destroyed };
  }

  list(appName: string): ReviewApp[] {
    return this.store.reviewApps(this.apps.get(appName).name);
  }

  /** Creates (or updates) the review app of a branch from the connected repository: for CI systems without webhooks. */
  async create(
    appName: string,
    branch: unknown,
    commit: unknown,
    actor = "admin",
  ): Promise<{ reviewApp: ReviewApp; deploy: Deploy }> {
    const app = this.apps.get(appName);
    const b = validateBranch(branch);
    if (commit !== undefined && commit !== null && (typeof commit !== "string" || !SHA1.test(commit)))
      throw new AppError("invalid_request", "commit must be a full 40-character lowercase hex SHA-1");
    const src = this.store.source(app.name);
    if (!src) throw new AppError("not_connected", `app ${app.name} has no connected repository`);
    if (b === src.branch)
      throw new AppError("invalid_request", `${b} is ${app.name}'s own branch: it deploys to ${app.name} itself`);
    if (!this.store.reviewSettings(app.name)?.enabled)
      throw new AppError("review_apps_disabled", `review apps are not enabled on ${app.name}`);
    return this.serial.run(app.name, async () => {
      await this.sources.fetch(app.name, b, (commit as string | undefined) ?? null);
      const ra = await this.ensure(app.name, b);
      const deploy = await this.sources.deployCommit(
        ra.app,
        app.name,
        b,
        (commit as string | undefined) ?? null,
        actor,
      );
      return { reviewApp: this.store.reviewApp(ra.app)!, deploy };
    });
  }

  async destroy(appName: string, branch: unknown): Promise<string> {
    const app = this.apps.get(appName);
    const b = validateBranch(branch);
    const ra = this.store.reviewAppOfBranch(app.name, b);
    if (!ra)
      throw new AppError(
        "not_found",
        `${app.name} has no review app for branch ${b}`,
        `'yk review-apps -a ${app.name}' lists them.`,
      );
    await this.serial.run(app.name, () => this.apps.destroy(ra.app));
    return ra.app;
  }

  /** Config vars every review app of `appName` gets on top of the parent's (null unsets). */
  setConfig(appName: string, changes: Record<string, string | null>): Record<string, string> {
    const app = this.apps.get(appName);
    for (const [k, v] of Object.entries(changes)) {
      const p = keyProblem(k) ?? (v === null ? null : valueProblem(k, v));
      if (p) throw new AppError("invalid_request", p.message, p.hint);
    }
    const after = new Set(Object.keys(this.config(app.name)));
    for (const [k, v] of Object.entries(changes))
      if (v === null) after.delete(k);
      else after.add(k);
    checkQuota("config vars", app.name, after.size, this.ctx.quotas.configVars, "review app overrides");
    this.ctx.store.tx(() => {
      for (const [k, v] of Object.entries(changes)) this.store.setSecret(app.name, REVIEW_CONFIG + k, v);
    });
    // Existing review apps get them at their next deploy.
    for (const ra of this.store.reviewApps(app.name)) this.ctx.store.changeConfigVars(ra.app, changes);
    return this.config(app.name);
  }

  config(appName: string): Record<string, string> {
    return this.store.secretsWithPrefix(this.apps.get(appName).name, REVIEW_CONFIG);
  }

  /** The review app of a branch, created with the parent's config and formation (one web) if it does not exist. */
  async ensure(parent: string, branch: string): Promise<ReviewApp> {
    const existing = this.store.reviewAppOfBranch(parent, branch);
    if (existing) {
      this.store.touchReviewApp(existing.app);
      return existing;
    }
    const slug = branchSlug(branch, new Map(this.store.reviewApps(parent).map((r) => [r.slug, r.branch])));
    // Another app may already have the name (e.g. parent "a-b" with slug "c", parent "a" with slug "b-c"): a hash of parent and branch then.
    let name = reviewAppName(parent, slug);
    if (this.ctx.store.getApp(name))
      name = reviewAppName(
        parent,
        `${slug}-${createHash("sha256").update(`${parent}\0${branch}`).digest("hex").slice(0, 6)}`,
      );
    if (this.ctx.store.getApp(name))
      throw new AppError("app_exists", `the review app name ${name} (branch ${branch}) is taken by another app`);
    const host = validateHostname(`${slug}.${parent}.${this.ctx.domain}`);
    await this.apps.create(name);
    try {
      this.store.addReviewApp(name, parent, branch, slug);
      await this.apps.addDomain(name, host);
      const p = this.ctx.store.getApp(parent)!;
      this.ctx.store.changeConfigVars(name, {
        ...this.ctx.store.configVars(parent),
        ...this.store.secretsWithPrefix(parent, REVIEW_CONFIG),
      });
      this.ctx.store.setFormation(
        name,
        Object.fromEntries(Object.entries({ web: 1, ...p.formation }).map(([t, n]) => [t, Math.min(n, 1)])),
      );
      // A review app of a review app would be a loop: the cleanup and listing key on the parent.
    } catch (e) {
      await this.apps.destroy(name).catch(() => {});
      throw e;
    }
    this.ctx.log(`review app ${name} created for ${parent} branch ${branch} at ${host}`);
    return this.store.reviewApp(name)!;
  }

  /** Destroys review apps past their TTL (by their last push) or whose parent is gone. Runs on a timer, so a missed webhook is no leak. */
  async cleanup(now = this.ctx.clock.now().getTime()): Promise<string[]> {
    const destroyed: string[] = [];
    for (const ra of this.store.reviewApps()) {
      const parent = this.ctx.store.getApp(ra.parent);
      const ttlSec = this.store.reviewSettings(ra.parent)?.ttlSec ?? DEFAULT_TTL_SEC;
      const expired = now - Date.parse(ra.lastPushAt) > ttlSec * 1000;
      if (parent && !expired) continue;
      try {
        await this.serial.run(ra.parent, async () => {
          if (this.ctx.store.getApp(ra.app)) await this.apps.destroy(ra.app);
        });
        destroyed.push(ra.app);
        this.ctx.log(
          `review app ${ra.app} destroyed: ${parent ? `no push for its TTL of ${ttlSec} s` : `its parent ${ra.parent} is gone`}`,
        );
      } catch (e) {
        this.ctx.log(`review app cleanup of ${ra.app}: ${(e as Error).message}`);
      }
    }
    return destroyed;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.cleaning = this.cleanup().then(
        () => {},
        (e) => this.ctx.log(`review app cleanup: ${(e as Error).message}`),
      );
      void this.cleaning.then(() => {
        if (!this.stopped) this.cleanupTimer = setTimeout(tick, this.cleanupMs);
      });
    };
    this.cleanupTimer = setTimeout(tick, Math.min(this.cleanupMs, 5_000));
  }

  /** Stops the cleanup; waits (up to 10 s) for fetches and review app changes in progress, before the store closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.cleanupTimer) clearTimeout(this.cleanupTimer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.cleaning, this.serial.pending()]),
      new Promise((r) => (timer = setTimeout(r, 10_000))),
    ]);
    clearTimeout(timer);
  }
}
