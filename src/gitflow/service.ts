import { createHash, randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { AppError, isAppError } from "../errors/app-error.js";
import { validateHostname } from "../domain/names.js";
import { APP_NAME } from "../domain/ids.js";
import type { Deploy, Release } from "../domain/types.js";
import type { EngineContext } from "../engine/context.js";
import type { Apps } from "../engine/apps.js";
import type { Deployer } from "../engine/deployer.js";
import { keyProblem, valueProblem } from "../config-vars/validate.js";
import { resolveFormation } from "../build/build-release.js";
import type { GitflowStore, Provider, ReviewApp, Delivery } from "./gitflow-store.js";
import type { Mirrors } from "./mirror.js";
import { branchOfRef, SHA1, validateBranch } from "./ref-format.js";
import { parseRepoUrl } from "./repo-url.js";
import { checkLocalRepo } from "./local-repo.js";
import { checkQuota } from "../domain/quotas.js";
import { branchSlug, reviewAppName } from "./slug.js";
import { githubSignatureValid, gitlabTokenValid } from "./signature.js";
import { parseGithub, parseGitlab, parseTtl, type HookEvent, type PushEvent } from "./payload.js";

const REPO_URL = "repo_url";
const WEBHOOK_SECRET = "webhook_secret";
const REVIEW_CONFIG = "review-config:";
export const DEFAULT_TTL_SEC = 7 * 86400;

export interface HookRequest {
  provider: "github" | "gitlab";
  app: string;
  headers: (name: string) => string | undefined;
  raw: Uint8Array;
}
export interface HookAnswer {
  status: 200 | 202;
  body: { delivery: string; outcome: string; duplicate?: boolean };
}

/**
 * From git to running environments: a connected repository per app, webhook
 * deliveries (verified, recorded, deduplicated, then handled in the
 * background), review apps per branch with a TTL, and promotion of an image
 * from one app to another. Builds and deploys go through the Deployer, like
 * tar uploads and git pushes.
 */
export class Gitflow {
  private readonly queues = new Map<string, Promise<unknown>>();
  private cleanupTimer: NodeJS.Timeout | null = null;
  private cleaning: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly apps: Apps,
    private readonly deployer: Deployer,
    readonly store: GitflowStore,
    private readonly mirrors: Mirrors,
    private readonly opts: { cleanupMs: number; publicUrl?: string } = { cleanupMs: 60_000 },
  ) {}

  /** Work for one parent app (fetches into its cache, review app changes) runs one at a time. */
  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    const tail = next.catch(() => {});
    this.queues.set(key, tail);
    void tail.then(() => this.queues.get(key) === tail && this.queues.delete(key));
    return next;
  }

  // ---- connecting a repository

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
    return this.serial(app.name, async () => {
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
        github: `${this.opts.publicUrl ?? apiBase}/hooks/github/${app.name}`,
        gitlab: `${this.opts.publicUrl ?? apiBase}/hooks/gitlab/${app.name}`,
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
      const description = `Deploy ${commit.slice(0, 7)} (image reused)`;
      return this.deployer.submitRelease(target, "git", description, () =>
        this.releaseFrom(target, built, description, actor),
      ).deploy;
    }
    const upload = await this.mirrors.archive(source, commit);
    try {
      return this.deployer.submit(target, upload, { source: "git", commit, ref: `refs/heads/${branch}` }, actor).deploy;
    } catch (e) {
      rmSync(upload.path, { force: true });
      throw e;
    }
  }

  /** Fetches the branch into `source`'s cache; returns `sha` once it is there (default: the branch head). */
  private async fetch(source: string, branch: string, sha: string | null): Promise<string> {
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
      if (r.commit === commit && (await this.ctx.docker.imageExists(r.image))) return r;
    return null;
  }

  /** A new release of `target` running `from`'s image and commands with `target`'s own config and formation. */
  private releaseFrom(
    target: string,
    from: Release,
    description: string,
    actor: string,
    image = from.image,
  ): Omit<Release, "id" | "version" | "createdAt"> {
    const app = this.ctx.store.getApp(target)!;
    const formation = resolveFormation(app.formation, from.manifest.formation, Object.keys(from.processes));
    this.ctx.store.setFormation(target, formation);
    return {
      app: target,
      image,
      commit: from.commit,
      description,
      processes: from.processes,
      config: this.ctx.store.configVars(target),
      healthcheck: from.healthcheck,
      formation,
      manifest: from.manifest,
      createdBy: actor,
    };
  }

  // ---- webhooks

  /** Verifies, records and dispatches one delivery. Throws AppError (401/404/400/422) when refused: nothing is triggered then. */
  async receive(req: HookRequest): Promise<HookAnswer> {
    const app = this.ctx.store.getApp(typeof req.app === "string" && APP_NAME.test(req.app) ? req.app : "");
    if (!app) throw new AppError("not_found", `no app named ${JSON.stringify(String(req.app).slice(0, 40))}`);
    const bodySha256 = createHash("sha256").update(req.raw).digest("hex");
    const deliveryId = deliveryIdOf(req, bodySha256);
    const event =
      (req.provider === "github" ? req.headers("x-github-event") : req.headers("x-gitlab-event"))?.slice(0, 40) ?? "";
    const refuse = (e: AppError): never => {
      this.store.recordDelivery({
        app: app.name,
        provider: req.provider,
        deliveryId,
        event,
        accepted: false,
        bodySha256,
        ref: null,
        commit: null,
        outcome: `refused: ${e.code}: ${e.message}`.slice(0, 300),
      });
      throw e;
    };
    const secret = this.store.secret(app.name, WEBHOOK_SECRET);
    const valid =
      secret !== null &&
      (req.provider === "github"
        ? githubSignatureValid(secret, req.raw, req.headers("x-hub-signature-256"))
        : gitlabTokenValid(secret, req.headers("x-gitlab-token")));
    if (!valid) {
      refuse(
        new AppError(
          "bad_signature",
          secret === null
            ? `app ${app.name} has no webhook secret yet`
            : `the ${req.provider === "github" ? "X-Hub-Signature-256" : "X-Gitlab-Token"} header is missing or wrong`,
          secret === null ? `Create one with 'yk hooks:secret -a ${app.name}'.` : undefined,
        ),
      );
    }
    let parsed: HookEvent;
    let branch: string | null = null;
    try {
      parsed =
        req.provider === "github"
          ? parseGithub(req.headers("x-github-event"), req.raw, req.headers("content-type"))
          : parseGitlab(req.headers("x-gitlab-event"), req.raw);
      if (parsed.kind === "push") branch = branchOfRef(parsed.push.ref);
    } catch (e) {
      return refuse(isAppError(e) ? e : new AppError("invalid_request", "malformed webhook body"));
    }
    const push = parsed.kind === "push" ? parsed.push : null;
    const d = this.store.recordDelivery({
      app: app.name,
      provider: req.provider,
      deliveryId,
      event,
      accepted: true,
      bodySha256,
      ref: push?.ref ?? null,
      commit: push?.after ?? null,
      outcome:
        parsed.kind === "ping"
          ? "pong"
          : parsed.kind === "other"
            ? `ignored: ${parsed.name} events are not handled`
            : "queued",
    });
    if (!d) {
      const before = this.store.acceptedDelivery(app.name, req.provider, deliveryId, bodySha256);
      return {
        status: 200,
        body: {
          delivery: deliveryId,
          outcome: `duplicate of delivery ${before?.deliveryId ?? deliveryId} (${before?.outcome ?? "seen"}): nothing done`,
          duplicate: true,
        },
      };
    }
    if (!push) return { status: 200, body: { delivery: deliveryId, outcome: d.outcome } };
    void this.serial(app.name, () => this.handlePush(app.name, d, push, branch)).catch((e) => {
      if (!isAppError(e)) this.ctx.log(`delivery ${deliveryId} of ${app.name}: ${(e as Error).stack}`);
      try {
        this.store.setDeliveryOutcome(d.id, `failed: ${(e as Error).message}`);
      } catch (e2) {
        this.ctx.log(`delivery ${deliveryId} of ${app.name}: its outcome was not recorded: ${(e2 as Error).message}`);
      }
    });
    return { status: 202, body: { delivery: deliveryId, outcome: "queued" } };
  }

  private async handlePush(appName: string, d: Delivery, push: PushEvent, branch: string | null): Promise<void> {
    const set = (outcome: string, extra?: { targetApp?: string; deployId?: number }) =>
      this.store.setDeliveryOutcome(d.id, outcome, extra);
    if (branch === null) return set(`ignored: ${push.ref} is not a branch`);
    const src = this.store.source(appName);
    if (!src) return set("ignored: no repository connected (yk git:connect)");
    if (branch === src.branch) {
      if (push.deleted) return set(`ignored: ${appName}'s own branch ${branch} was deleted; the app keeps running`);
      return this.track(d.id, appName, await this.deployCommit(appName, appName, branch, push.after));
    }
    const review = this.store.reviewSettings(appName);
    if (!review?.enabled)
      return set(`ignored: ${branch} is not ${appName}'s branch ${src.branch}, and review apps are off`);
    if (push.deleted) {
      const ra = this.store.reviewAppOfBranch(appName, branch);
      if (!ra) return set(`ignored: branch ${branch} was deleted; it had no review app`);
      await this.apps.destroy(ra.app);
      return set(`review app ${ra.app} destroyed: branch ${branch} was deleted`, { targetApp: ra.app });
    }
    await this.fetch(appName, branch, push.after); // a branch or commit that is not there creates nothing
    const ra = await this.ensureReviewApp(appName, branch);
    set(`review app ${ra.app}: deploying`, { targetApp: ra.app });
    return this.track(d.id, ra.app, await this.deployCommit(ra.app, appName, branch, push.after));
  }

  /** Follows a deploy into the delivery's outcome. */
  private track(deliveryRow: number, target: string, deploy: Deploy): void {
    this.store.setDeliveryOutcome(deliveryRow, `deploying ${target} (deploy #${deploy.id})`, {
      targetApp: target,
      deployId: deploy.id,
    });
    const check = () => {
      const now = this.ctx.store.getDeploy(deploy.id);
      if (!now || now.status === "succeeded" || now.status === "failed") {
        const rel = now?.releaseId ? this.ctx.store.getRelease(now.releaseId) : null;
        this.store.setDeliveryOutcome(
          deliveryRow,
          now?.status === "succeeded"
            ? `deployed ${target} v${rel?.version} (deploy #${deploy.id})`
            : `failed: deploy #${deploy.id} of ${target}: ${now?.reason ?? "gone"}`,
        );
        return;
      }
      setTimeout(check, 250).unref();
    };
    check();
  }

  deliveries(appName: string): Delivery[] {
    return this.store.deliveries(this.apps.get(appName).name);
  }

  // ---- review apps

  enableReviewApps(appName: string, ttl: unknown): { enabled: true; ttlSec: number } {
    const app = this.apps.get(appName);
    if (this.store.reviewApp(app.name)) throw new AppError("invalid_request", `${app.name} is itself a review app`);
    const ttlSec = ttl === undefined ? (this.store.reviewSettings(app.name)?.ttlSec ?? DEFAULT_TTL_SEC) : parseTtl(ttl);
    this.store.setReviewSettings(app.name, true, ttlSec);
    return { enabled: true, ttlSec };
  }

  /** Disables review apps and destroys the existing ones. */
  async disableReviewApps(appName: string): Promise<{ enabled: false; destroyed: string[] }> {
    const app = this.apps.get(appName);
    const s = this.store.reviewSettings(app.name);
    this.store.setReviewSettings(app.name, false, s?.ttlSec ?? DEFAULT_TTL_SEC);
    const destroyed: string[] = [];
    for (const ra of this.store.reviewApps(app.name)) {
      await this.serial(app.name, () => this.apps.destroy(ra.app));
      destroyed.push(ra.app);
    }
    return { enabled: false, destroyed };
  }

  reviewApps(appName: string): ReviewApp[] {
    return this.store.reviewApps(this.apps.get(appName).name);
  }

  /** Creates (or updates) the review app of a branch from the connected repository: for CI systems without webhooks. */
  async createReviewApp(
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
    return this.serial(app.name, async () => {
      await this.fetch(app.name, b, (commit as string | undefined) ?? null);
      const ra = await this.ensureReviewApp(app.name, b);
      const deploy = await this.deployCommit(ra.app, app.name, b, (commit as string | undefined) ?? null, actor);
      return { reviewApp: this.store.reviewApp(ra.app)!, deploy };
    });
  }

  async destroyReviewApp(appName: string, branch: unknown): Promise<string> {
    const app = this.apps.get(appName);
    const b = validateBranch(branch);
    const ra = this.store.reviewAppOfBranch(app.name, b);
    if (!ra)
      throw new AppError(
        "not_found",
        `${app.name} has no review app for branch ${b}`,
        `'yk review-apps -a ${app.name}' lists them.`,
      );
    await this.serial(app.name, () => this.apps.destroy(ra.app));
    return ra.app;
  }

  /** Config vars every review app of `appName` gets on top of the parent's (null unsets). */
  setReviewConfig(appName: string, changes: Record<string, string | null>): Record<string, string> {
    const app = this.apps.get(appName);
    for (const [k, v] of Object.entries(changes)) {
      const p = keyProblem(k) ?? (v === null ? null : valueProblem(k, v));
      if (p) throw new AppError("invalid_request", p.message, p.hint);
    }
    const after = new Set(Object.keys(this.reviewConfig(app.name)));
    for (const [k, v] of Object.entries(changes))
      if (v === null) after.delete(k);
      else after.add(k);
    checkQuota("config vars", app.name, after.size, this.ctx.quotas.configVars, "review app overrides");
    this.ctx.store.tx(() => {
      for (const [k, v] of Object.entries(changes)) this.store.setSecret(app.name, REVIEW_CONFIG + k, v);
    });
    // Existing review apps get them at their next deploy.
    for (const ra of this.store.reviewApps(app.name)) this.ctx.store.changeConfigVars(ra.app, changes);
    return this.reviewConfig(app.name);
  }

  reviewConfig(appName: string): Record<string, string> {
    return this.store.secretsWithPrefix(this.apps.get(appName).name, REVIEW_CONFIG);
  }

  /** The review app of a branch, created with the parent's config and formation (one web) if it does not exist. */
  private async ensureReviewApp(parent: string, branch: string): Promise<ReviewApp> {
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
  async cleanup(now = Date.now()): Promise<string[]> {
    const destroyed: string[] = [];
    for (const ra of this.store.reviewApps()) {
      const parent = this.ctx.store.getApp(ra.parent);
      const ttlSec = this.store.reviewSettings(ra.parent)?.ttlSec ?? DEFAULT_TTL_SEC;
      const expired = now - Date.parse(ra.lastPushAt) > ttlSec * 1000;
      if (parent && !expired) continue;
      try {
        await this.serial(ra.parent, async () => {
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
        if (!this.stopped) this.cleanupTimer = setTimeout(tick, this.opts.cleanupMs);
      });
    };
    this.cleanupTimer = setTimeout(tick, Math.min(this.opts.cleanupMs, 5_000));
  }

  /** Stops the cleanup; waits (up to 10 s) for fetches and review app changes in progress, before the store closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.cleanupTimer) clearTimeout(this.cleanupTimer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.cleaning, ...this.queues.values()]),
      new Promise((r) => (timer = setTimeout(r, 10_000))),
    ]);
    clearTimeout(timer);
  }

  // ---- promotion

  /** A release of `to` with `from`'s live image (tagged for `to`, same image id) and `to`'s own config, deployed with zero downtime. */
  async promote(fromName: string, toName: unknown, actor = "admin"): Promise<{ deploy: Deploy; image: string }> {
    const from = this.apps.get(fromName);
    if (typeof toName !== "string") throw new AppError("invalid_request", 'give the target app: {"to": "production"}');
    const to = this.apps.get(toName);
    if (to.name === from.name) throw new AppError("invalid_request", "an app cannot be promoted to itself");
    const rel = from.liveReleaseId ? this.ctx.store.getRelease(from.liveReleaseId) : null;
    if (!rel)
      throw new AppError("not_found", `app ${from.name} has no live release to promote`, `Deploy ${from.name} first.`);
    if (!(await this.ctx.docker.imageExists(rel.image))) {
      throw new AppError(
        "image_gone",
        `the image of ${from.name} v${rel.version} (${rel.image}) was removed: there is nothing to promote`,
        `Deploy ${from.name} again, then promote.`,
      );
    }
    const tag = `promoted-${from.name}-v${rel.version}`;
    const image = await this.ctx.docker.tagImage(rel.image, `yadokari/${to.name}`, tag);
    const description = `Promote ${from.name} v${rel.version} (${rel.image})`;
    const { deploy } = this.deployer.submitRelease(
      to.name,
      "promote",
      description,
      () => this.releaseFrom(to.name, rel, description, actor, image),
      { firstRelease: true },
    );
    return { deploy, image };
  }
}

/** The provider's delivery id when it is a plain token; else the body's hash (so a redelivery still matches). */
function deliveryIdOf(req: HookRequest, bodySha256: string): string {
  const h =
    req.provider === "github"
      ? req.headers("x-github-delivery")
      : (req.headers("x-gitlab-event-uuid") ?? req.headers("idempotency-key"));
  return h && /^[A-Za-z0-9._-]{1,100}$/.test(h) ? h : `sha256-${bodySha256.slice(0, 32)}`;
}

export type { Provider };
