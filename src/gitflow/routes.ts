import { validateBranch } from "./ref-format.js";
import { clientIp, principalOf } from "../accounts/principal.js";
import { authorize } from "../accounts/policy.js";
import { Hono } from "hono";
import { AppError } from "../errors/app-error.js";
import type { ApiServices } from "../api/services.js";
import { deployView } from "../api/views.js";
import { readJson } from "../api/read-json.js";
import { formatTtl } from "./payload.js";
import type { ReviewApp } from "./gitflow-store.js";

/** Webhook bodies are small (GitHub caps push payloads at 25 MB; a real push is a few KB). */
export const MAX_HOOK_BYTES = 5 * 1024 * 1024;

async function readRaw(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > max) throw new AppError("payload_too_large", `the webhook body is larger than ${max >> 20} MiB`);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of req.body as unknown as AsyncIterable<Uint8Array>) {
    n += c.length;
    if (n > max) throw new AppError("payload_too_large", `the webhook body is larger than ${max >> 20} MiB`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * POST /hooks/github/:app and /hooks/gitlab/:app. Not under /api/v1 and not
 * behind the API token: a delivery authenticates with its signature
 * (X-Hub-Signature-256) or token (X-Gitlab-Token), checked in Gitflow.receive.
 */
export function hookRoutes(s: ApiServices): Hono {
  const r = new Hono();
  for (const provider of ["github", "gitlab"] as const) {
    r.post(`/${provider}/:app`, async (c) => {
      const app = c.req.param("app");
      const name = provider === "github" ? "GitHub" : "GitLab";
      // every delivery is in the audit log, under the provider's name: who pushed is the provider's business
      const audit = (status: number, summary: string, delivery: string | null) =>
        s.ctx.store.getApp(app) &&
        s.audit.record({
          actor: `${provider} webhook`,
          action: `POST /hooks/${provider}/${app}`,
          app,
          ip: clientIp(c),
          status,
          ok: status < 400,
          summary,
          link: delivery ? { delivery: { app, provider, id: delivery } } : null,
        });
      try {
        const raw = await readRaw(c.req.raw, MAX_HOOK_BYTES);
        const answer = await s.gitflow.receive({ provider, app, headers: (n) => c.req.header(n), raw });
        const body = answer.body as { delivery?: string; outcome?: string };
        audit(
          answer.status,
          `${name} webhook delivery to ${app}: ${body.outcome ?? "received"}`,
          body.delivery ?? null,
        );
        return c.json(answer.body, answer.status);
      } catch (e) {
        const err = e as AppError;
        audit(err.status ?? 500, `${name} webhook delivery to ${app} refused: ${err.code ?? "error"}`, null);
        throw e;
      }
    });
  }
  return r;
}

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

/** /api/v1/apps/:app/{git,hooks,review-apps,promote}: behind the API token like every app route. */
export function gitflowRoutes(s: ApiServices): Hono {
  const r = new Hono();
  const g = () => s.gitflow;

  r.get("/:app/git", (c) => c.json(g().info(c.req.param("app"), s.views.apiBase)));
  r.put("/:app/git", async (c) => {
    const body = await readJson(c.req.raw);
    await g().connect(c.req.param("app"), body.url, body.branch ?? "main");
    return c.json(g().info(c.req.param("app"), s.views.apiBase));
  });
  r.post("/:app/git/deploy", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const body = await readJson(c.req.raw);
    const src = g().store.source(app.name);
    if (!src) throw new AppError("not_connected", `app ${app.name} has no connected repository`);
    if (body.commit !== undefined && (typeof body.commit !== "string" || !/^[0-9a-f]{40}$/.test(body.commit)))
      throw new AppError("invalid_request", "commit must be a full 40-character lowercase hex SHA-1");
    // another branch than the connected one deploys that branch's head (or the commit given) to this app
    const branch = body.branch === undefined ? src.branch : validateBranch(body.branch);
    const deploy = await g().deployCommit(
      app.name,
      app.name,
      branch,
      (body.commit as string | undefined) ?? null,
      principalOf(c).name,
    );
    return c.json(deployView(s.views, deploy), 202);
  });

  r.get("/:app/hooks/deliveries", (c) => c.json(g().deliveries(c.req.param("app"))));
  r.post("/:app/hooks/secret", async (c) => {
    const body = await readJson(c.req.raw);
    return c.json({ secret: g().secret(c.req.param("app"), body.rotate === true) });
  });

  r.get("/:app/review-apps", (c) => {
    const info = g().info(c.req.param("app"), s.views.apiBase);
    return c.json({
      enabled: info.reviewApps.enabled,
      ttl: formatTtl(info.reviewApps.ttlSec),
      apps: g()
        .reviewApps(info.app)
        .map((ra) => reviewView(s, ra)),
    });
  });
  r.post("/:app/review-apps", async (c) => {
    const body = await readJson(c.req.raw);
    const { reviewApp, deploy } = await g().createReviewApp(
      c.req.param("app"),
      body.branch,
      body.commit,
      principalOf(c).name,
    );
    return c.json({ reviewApp: reviewView(s, reviewApp), deploy: deployView(s.views, deploy) }, 202);
  });
  r.delete("/:app/review-apps", async (c) =>
    c.json({ destroyed: await g().destroyReviewApp(c.req.param("app"), c.req.query("branch")) }),
  );
  r.post("/:app/review-apps/enable", async (c) => {
    const body = await readJson(c.req.raw);
    const out = g().enableReviewApps(c.req.param("app"), body.ttl);
    return c.json({ enabled: true, ttl: formatTtl(out.ttlSec) });
  });
  r.post("/:app/review-apps/disable", async (c) => c.json(await g().disableReviewApps(c.req.param("app"))));
  r.get("/:app/review-apps/config", (c) => c.json(g().reviewConfig(c.req.param("app"))));
  r.patch("/:app/review-apps/config", async (c) => {
    const body = await readJson(c.req.raw);
    const set = body.set ?? {};
    const unset = body.unset ?? [];
    if (typeof set !== "object" || set === null || Array.isArray(set) || !Array.isArray(unset))
      throw new AppError("invalid_request", `send {"set": {"KEY": "value"}, "unset": ["KEY"]}`);
    const changes: Record<string, string | null> = { ...(set as Record<string, string>) };
    for (const k of unset) changes[String(k)] = null;
    return c.json(g().setReviewConfig(c.req.param("app"), changes));
  });

  r.post("/:app/promote", async (c) => {
    const body = await readJson(c.req.raw);
    // the path names the source; the target must be the caller's to change too
    const decision =
      typeof body.to === "string"
        ? authorize(principalOf(c), "POST", `/api/v1/apps/${encodeURIComponent(body.to)}/releases`)
        : { allow: true as const };
    if (!decision.allow)
      throw new AppError(decision.status === 404 ? "not_found" : "forbidden", decision.message, decision.hint);
    const { deploy, image } = await g().promote(c.req.param("app"), body.to, principalOf(c).name);
    return c.json({ ...deployView(s.views, deploy), image }, 202);
  });
  return r;
}
