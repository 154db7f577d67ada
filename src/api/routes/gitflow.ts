import { z } from "@hono/zod-openapi";
import { access, decide } from "../../accounts/policy.js";
import { principalOf } from "../../accounts/principal.js";
import { AppError } from "../../errors/app-error.js";
import { formatTtl } from "../../gitflow/payload.js";
import type { ReviewApp } from "../../gitflow/gitflow-store.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { LIMITS } from "../body-limit.js";
import { defineRoute } from "../route.js";
import { json, jsonBody, optionalJsonBody } from "../schemas/common.js";
import { AppName, Branch } from "../schemas/ids.js";
import { DeployView } from "../schemas/apps.js";
import { ConfigVars, ReviewConfigChange } from "../schemas/config.js";
import {
  DeliveryView,
  GitConnect,
  GitDeploy,
  GitInfo,
  Promotion,
  ReviewAppCreated,
  ReviewAppsView,
  Ttl,
} from "../schemas/gitflow.js";
import { deployView } from "../views.js";

const AppParams = z.strictObject({ app: AppName });

const gitInfo = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/git",
  summary: "The connected repository (password hidden), webhook URLs, review app settings",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(GitInfo) },
});

const connect = defineRoute({
  method: "put",
  path: "/api/v1/apps/{app}/git",
  summary:
    "Connect a repository: an https://, ssh://, git:// URL, or (admins only) an absolute local path outside the server's data dir, and the app's branch",
  access: access.app("deployer"),
  request: { params: AppParams, body: jsonBody(GitConnect) },
  responses: { 200: json(GitInfo) },
  errors: [403],
});

const gitDeploy = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/git/deploy",
  summary:
    "Fetch a branch of the connected repository (default: the app's) and deploy its head or the commit given; a commit already built reuses its image",
  access: access.app("deployer"),
  request: { params: AppParams, body: optionalJsonBody(GitDeploy) },
  responses: { 202: json(DeployView, "Accepted: the deploy is queued") },
  errors: [409],
});

const deliveries = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/hooks/deliveries",
  summary: "Webhook deliveries, newest first, with their outcome",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(z.array(DeliveryView)) },
});

const hookSecret = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/hooks/secret",
  summary: "The webhook secret (made on first call); rotate: true replaces it",
  access: access.app("deployer", "revealed"),
  request: {
    params: AppParams,
    body: optionalJsonBody(z.strictObject({ rotate: z.boolean().optional() }).openapi("HookSecretRequest")),
  },
  responses: { 200: json(z.strictObject({ secret: z.string() }).openapi("HookSecret")) },
});

const listReviewApps = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/review-apps",
  summary: "Review app settings and the review apps of this app",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(ReviewAppsView) },
});

const createReviewApp = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/review-apps",
  summary: "Create or update the review app of a branch from the connected repository (for CI without webhooks)",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: jsonBody(GitDeploy.required({ branch: true }).openapi("NewReviewApp")),
  },
  responses: { 202: json(ReviewAppCreated, "Accepted: the review app's deploy is queued") },
  errors: [409],
});

const destroyReviewApp = defineRoute({
  method: "delete",
  path: "/api/v1/apps/{app}/review-apps",
  summary: "Destroy the review app of a branch",
  access: access.app("deployer"),
  request: { params: AppParams, query: z.strictObject({ branch: Branch }) },
  responses: { 200: json(z.strictObject({ destroyed: z.string() })) },
});

const enableReviewApps = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/review-apps/enable",
  summary: "Enable review apps, with a TTL since the last push (default 7d)",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: optionalJsonBody(z.strictObject({ ttl: Ttl.optional() }).openapi("EnableReviewApps")),
  },
  responses: { 200: json(z.strictObject({ enabled: z.literal(true), ttl: z.string() })) },
});

const disableReviewApps = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/review-apps/disable",
  summary: "Disable review apps and destroy the existing ones",
  access: access.app("deployer"),
  request: { params: AppParams },
  responses: { 200: json(z.strictObject({ enabled: z.literal(false), destroyed: z.array(z.string()) })) },
});

const reviewConfig = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/review-apps/config",
  summary: "Config vars review apps get on top of the parent's (values: not for viewers)",
  access: access.app("deployer", "revealed"),
  request: { params: AppParams },
  responses: { 200: json(ConfigVars) },
});

const changeReviewConfig = defineRoute({
  method: "patch",
  path: "/api/v1/apps/{app}/review-apps/config",
  summary: "Set and unset review app config overrides",
  access: access.app("deployer", "revealed"),
  bodyLimit: LIMITS.large,
  request: { params: AppParams, body: jsonBody(ReviewConfigChange) },
  responses: { 200: json(ConfigVars) },
});

const promote = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/promote",
  summary:
    "Make a release of the target with this app's live image (no rebuild, same image id) and the target's config; deployed with zero downtime. The caller must be a deployer of both apps.",
  access: access.app("deployer"),
  request: { params: AppParams, body: jsonBody(z.strictObject({ to: AppName }).openapi("PromoteRequest")) },
  responses: { 202: json(Promotion, "Accepted: the promotion's deploy is queued") },
});

const reviewView = (s: ApiServices, ra: ReviewApp) => {
  const app = s.ctx.store.getApp(ra.app);
  const live = app?.liveReleaseId ? s.ctx.store.getRelease(app.liveReleaseId) : null;
  const port = s.views.httpPort === 80 ? "" : `:${s.views.httpPort}`;
  return {
    app: ra.app,
    parent: ra.parent,
    branch: ra.branch,
    slug: ra.slug,
    url: `http://${ra.slug}.${ra.parent}.${s.views.domain}${port}/`,
    liveRelease: live?.version ?? null,
    commit: live?.commit ?? null,
    lastPushAt: ra.lastPushAt,
    createdAt: ra.createdAt,
  };
};

/** /api/v1/apps/:app/{git,hooks,review-apps,promote}: connected repositories, review apps, promotion. */
export function registerGitflow(r: ApiRouter, s: ApiServices): void {
  const g = () => s.gitflow;

  r.openapi(gitInfo, (c) => c.json(g().sources.info(c.req.valid("param").app, s.views.apiBase), 200));
  r.openapi(connect, async (c) => {
    const { app } = c.req.valid("param");
    const body = c.req.valid("json");
    // a local path is an admin's choice only (another app's push repository is a local path too)
    await g().sources.connect(app, body.url, body.branch ?? "main", { admin: principalOf(c).role === "admin" });
    return c.json(g().sources.info(app, s.views.apiBase), 200);
  });
  r.openapi(gitDeploy, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const body = c.req.valid("json");
    const src = g().store.source(app.name);
    if (!src) throw new AppError("not_connected", `app ${app.name} has no connected repository`);
    // another branch than the connected one deploys that branch's head (or the commit given) to this app
    const deploy = await g().sources.deployCommit(
      app.name,
      app.name,
      body.branch ?? src.branch,
      body.commit ?? null,
      principalOf(c).name,
    );
    return c.json(deployView(s.views, deploy), 202);
  });

  r.openapi(deliveries, (c) => c.json(g().webhooks.deliveries(c.req.valid("param").app), 200));
  r.openapi(hookSecret, (c) =>
    c.json({ secret: g().sources.secret(c.req.valid("param").app, c.req.valid("json").rotate === true) }, 200),
  );

  r.openapi(listReviewApps, (c) => {
    const info = g().sources.info(c.req.valid("param").app, s.views.apiBase);
    return c.json(
      {
        enabled: info.reviewApps.enabled,
        ttl: formatTtl(info.reviewApps.ttlSec),
        apps: g()
          .reviewApps.list(info.app)
          .map((ra) => reviewView(s, ra)),
      },
      200,
    );
  });
  r.openapi(createReviewApp, async (c) => {
    const body = c.req.valid("json");
    const { reviewApp, deploy } = await g().reviewApps.create(
      c.req.valid("param").app,
      body.branch,
      body.commit,
      principalOf(c).name,
    );
    return c.json({ reviewApp: reviewView(s, reviewApp), deploy: deployView(s.views, deploy) }, 202);
  });
  r.openapi(destroyReviewApp, async (c) =>
    c.json({ destroyed: await g().reviewApps.destroy(c.req.valid("param").app, c.req.valid("query").branch) }, 200),
  );
  r.openapi(enableReviewApps, (c) => {
    const out = g().reviewApps.enable(c.req.valid("param").app, c.req.valid("json").ttl);
    return c.json({ enabled: true as const, ttl: formatTtl(out.ttlSec) }, 200);
  });
  r.openapi(disableReviewApps, async (c) => c.json(await g().reviewApps.disable(c.req.valid("param").app), 200));
  r.openapi(reviewConfig, (c) => c.json(g().reviewApps.config(c.req.valid("param").app), 200));
  r.openapi(changeReviewConfig, (c) => {
    const { set = {}, unset = [] } = c.req.valid("json");
    const changes: Record<string, string | null> = { ...set };
    for (const k of unset) changes[k] = null;
    return c.json(g().reviewApps.setConfig(c.req.valid("param").app, changes), 200);
  });

  r.openapi(promote, async (c) => {
    const { to } = c.req.valid("json");
    // the path names the source; the target must be the caller's to change too
    const decision = decide(principalOf(c), promote["x-access"], to);
    if (!decision.allow)
      throw new AppError(decision.status === 404 ? "not_found" : "forbidden", decision.message, decision.hint);
    const { deploy, image } = await g().promotion.promote(c.req.valid("param").app, to, principalOf(c).name);
    return c.json({ ...deployView(s.views, deploy), image }, 202);
  });
}
