import { createHash } from "node:crypto";
import { AppError, isAppError } from "../errors/app-error.js";
import { APP_NAME } from "../domain/ids.js";
import type { Deploy } from "../domain/types.js";
import type { EngineContext } from "../engine/context.js";
import type { Apps } from "../engine/apps.js";
import type { GitflowStore, Delivery } from "./gitflow-store.js";
import type { GitSources } from "./sources.js";
import { WEBHOOK_SECRET } from "./sources.js";
import type { ReviewApps } from "./review-apps.js";
import type { SerialQueues } from "./serial.js";
import { branchOfRef } from "./ref-format.js";
import { pushAction } from "./push-action.js";
import { githubSignatureValid, gitlabTokenValid } from "./signature.js";
import { parseGithub, parseGitlab, type HookEvent, type PushEvent } from "./payload.js";

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
 * Webhook deliveries: verified, recorded, deduplicated, then handled in the
 * background (a push deploys the app's branch, or a review app of another branch).
 */
export class Webhooks {
  constructor(
    private readonly ctx: EngineContext,
    private readonly apps: Apps,
    private readonly store: GitflowStore,
    private readonly sources: GitSources,
    private readonly reviewApps: ReviewApps,
    private readonly serial: SerialQueues,
  ) {}

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
    void this.serial
      .run(app.name, () => this.handlePush(app.name, d, push, branch))
      .catch((e) => {
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
    const review = this.store.reviewSettings(appName);
    const action = pushAction(
      appName,
      { ref: push.ref, branch, deleted: push.deleted, after: push.after },
      {
        sourceBranch: this.store.source(appName)?.branch ?? null,
        reviewAppsEnabled: review?.enabled ?? false,
        reviewAppOfBranch: branch ? (this.store.reviewAppOfBranch(appName, branch)?.app ?? null) : null,
      },
    );
    switch (action.kind) {
      case "ignore":
        return set(`ignored: ${action.reason}`);
      case "deploy":
        return this.track(
          d.id,
          appName,
          await this.sources.deployCommit(appName, appName, action.branch, action.commit),
        );
      case "destroy-review":
        await this.apps.destroy(action.reviewApp);
        return set(`review app ${action.reviewApp} destroyed: branch ${action.branch} was deleted`, {
          targetApp: action.reviewApp,
        });
      case "review": {
        await this.sources.fetch(appName, action.branch, action.commit); // a branch or commit that is not there creates nothing
        const ra = await this.reviewApps.ensure(appName, action.branch);
        set(`review app ${ra.app}: deploying`, { targetApp: ra.app });
        return this.track(d.id, ra.app, await this.sources.deployCommit(ra.app, appName, action.branch, action.commit));
      }
    }
  }

  /** Follows a deploy into the delivery's outcome. */
  private track(deliveryRow: number, target: string, deploy: Deploy): void {
    this.store.setDeliveryOutcome(deliveryRow, `deploying ${target} (deploy #${deploy.id})`, {
      targetApp: target,
      deployId: deploy.id,
    });
    const check = () => {
      const now = this.ctx.store.getDeploy(deploy.id);
      if (now?.status === "superseded" && now.supersededBy !== null) {
        // a newer deploy carries its changes: follow that one
        this.track(deliveryRow, target, { ...deploy, id: now.supersededBy });
        return;
      }
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
}

/** The provider's delivery id when it is a plain token; else the body's hash (so a redelivery still matches). */
function deliveryIdOf(req: HookRequest, bodySha256: string): string {
  const h =
    req.provider === "github"
      ? req.headers("x-github-delivery")
      : (req.headers("x-gitlab-event-uuid") ?? req.headers("idempotency-key"));
  return h && /^[A-Za-z0-9._-]{1,100}$/.test(h) ? h : `sha256-${bodySha256.slice(0, 32)}`;
}
