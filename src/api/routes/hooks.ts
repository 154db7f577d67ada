import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { access } from "../../accounts/policy.js";
import { clientIp } from "../../accounts/principal.js";
import type { ApiEnv } from "../context.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { LIMITS } from "../body-limit.js";
import { defineRoute, documentOnly } from "../route.js";
import { json } from "../schemas/common.js";
import { HookAnswer } from "../schemas/gitflow.js";

const hookRoute = (provider: "github" | "gitlab") =>
  defineRoute({
    method: "post",
    path: `/hooks/${provider}/{app}`,
    summary: `${provider === "github" ? "GitHub" : "GitLab"} webhook (push, ping), signed with the app's webhook secret`,
    description: `Not behind the API token: a delivery authenticates with ${provider === "github" ? "X-Hub-Signature-256 (an HMAC of the raw body)" : "X-Gitlab-Token"}. 202 with the delivery id when a deploy was queued, 200 for ping, ignored events and redeliveries; 401 bad signature, 404 unknown app, 400 malformed body, 422 invalid branch name: nothing is triggered then.`,
    access: access.public("GitHub and GitLab cannot send the API token: each delivery is checked by its signature"),
    bodyLimit: LIMITS.hook,
    // The path's app is checked by Gitflow.receive (an unknown or malformed name is a 404 there), so that a
    // signature is never checked against a name that was rewritten.
    request: {
      params: z.strictObject({ app: z.string() }),
      body: {
        required: true,
        content: { "application/json": { schema: z.unknown().openapi({ description: "the provider's payload" }) } },
      },
    },
    responses: {
      200: json(HookAnswer, "Done, ignored, or a redelivery"),
      202: json(HookAnswer, "Accepted: a deploy is queued"),
    },
    errors: [401, 404, 422],
  });

/**
 * Every delivery goes in the audit log under the provider's name (who pushed
 * is the provider's business), refused ones too: this runs outside the body
 * limit and the handler, so it sees the answer whatever it was.
 */
const auditDelivery =
  (provider: "github" | "gitlab", s: ApiServices): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    await next();
    const app = c.req.param("app") ?? "";
    if (!s.ctx.store.getApp(app)) return;
    const name = provider === "github" ? "GitHub" : "GitLab";
    const status = c.res.status;
    const body = (await c.res
      .clone()
      .json()
      .catch(() => ({}))) as { delivery?: string; outcome?: string; error?: { code?: string } };
    const delivery = status < 400 ? (body.delivery ?? null) : null;
    s.audit.record({
      actor: `${provider} webhook`,
      action: `POST /hooks/${provider}/${app}`,
      app,
      ip: clientIp(c),
      status,
      ok: status < 400,
      summary:
        status < 400
          ? `${name} webhook delivery to ${app}: ${body.outcome ?? "received"}`
          : `${name} webhook delivery to ${app} refused: ${body.error?.code ?? "error"}`,
      link: delivery ? { delivery: { app, provider, id: delivery } } : null,
    });
  };

/**
 * POST /hooks/github/:app and /hooks/gitlab/:app: outside /api/v1, and read
 * raw (the signature covers the exact bytes), so the route declares the body
 * for the document only and hands the bytes to Gitflow.receive.
 */
export function registerHooks(r: ApiRouter, s: ApiServices): void {
  for (const provider of ["github", "gitlab"] as const) {
    const route = hookRoute(provider);
    // the JSON validator would parse (and re-serialize) the body: the handler reads the raw bytes instead
    const { request: _request, ...raw } = route;
    r.openAPIRegistry.registerPath(documentOnly(route));
    r.openapi({ ...raw, middleware: [auditDelivery(provider, s), ...raw.middleware], hide: true }, async (c) => {
      const bytes = new Uint8Array(await c.req.raw.arrayBuffer());
      const answer = await s.gitflow.webhooks.receive({
        provider,
        app: c.req.param("app"),
        headers: (n) => c.req.header(n),
        raw: bytes,
      });
      return c.json(answer.body, answer.status);
    });
  }
}
