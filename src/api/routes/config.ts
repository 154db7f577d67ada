import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { principalOf } from "../../accounts/principal.js";
import { AppError } from "../../errors/app-error.js";
import { describeChange, parseConfigChange, validateTotal } from "../../config-vars/validate.js";
import { checkQuota } from "../../domain/quotas.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { LIMITS } from "../body-limit.js";
import { defineRoute } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import { AppName, ConfigKey } from "../schemas/ids.js";
import { ConfigChange, ConfigChanged, MaskedConfigVars } from "../schemas/config.js";
import { deployView } from "../views.js";

const AppParams = z.strictObject({ app: AppName });

const listConfig = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/config",
  summary: "The app's config vars; a viewer gets the names with null values",
  access: access.app("viewer", "masked"),
  request: { params: AppParams },
  responses: { 200: json(MaskedConfigVars) },
});

const showConfigVar = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/config/{key}",
  summary: "One config var's value (404 when unset)",
  access: access.app("viewer", "revealed"),
  request: { params: z.strictObject({ app: AppName, key: ConfigKey }) },
  responses: { 200: json(z.strictObject({ key: z.string(), value: z.string() }).openapi("ConfigVar")) },
});

const changeConfig = defineRoute({
  method: "patch",
  path: "/api/v1/apps/{app}/config",
  summary:
    "Set and unset config vars in one change; with restart (default true) and a live release, a new release is deployed with zero downtime",
  access: access.app("deployer", "revealed"),
  bodyLimit: LIMITS.large,
  request: { params: AppParams, body: jsonBody(ConfigChange) },
  responses: { 200: json(ConfigChanged) },
});

const rotateKey = defineRoute({
  method: "post",
  path: "/api/v1/config/rotate-key",
  summary: "Rotate the master key: re-encrypt every config var, release snapshot and secret, then drop the old key",
  access: access.admin(),
  responses: { 200: json(z.strictObject({ resealed: z.int(), keyId: z.string() }).openapi("KeyRotated")) },
});

/**
 * Config vars of an app. A change (unless restart is false, or the app has
 * no release yet) is a queued deploy of a new release of the live image,
 * with zero downtime; the vars change when that release goes live, in the
 * same transaction. Without a restart they are stored at once and the next
 * deploy picks them up. Descriptions, logs and errors name keys only, never values.
 */
export function registerConfig(r: ApiRouter, s: ApiServices): void {
  const { store, keyring } = s.ctx;

  r.openapi(listConfig, (c) => {
    const vars = store.configVars(s.apps.get(c.req.valid("param").app).name);
    // the viewer role sees which keys are set, never their values
    const masked = principalOf(c).role === "viewer";
    return c.json(masked ? Object.fromEntries(Object.keys(vars).map((k) => [k, null])) : vars, 200);
  });

  r.openapi(showConfigVar, (c) => {
    const { app: name, key } = c.req.valid("param");
    const app = s.apps.get(name);
    const config = new Map(Object.entries(store.configVars(app.name)));
    if (!config.has(key))
      throw new AppError(
        "not_found",
        `${key} is not set on ${app.name}`,
        `'yk config -a ${app.name}' lists the config vars that are set.`,
      );
    return c.json({ key, value: config.get(key)! }, 200);
  });

  r.openapi(changeConfig, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    // the schema checked every key and value; the change's own rules (something to change, not both) are here
    const change = parseConfigChange(c.req.valid("json"));
    // A Map, not an object: "__proto__" is a valid name and must stay a plain key.
    const next = new Map(Object.entries(store.configVars(app.name)));
    for (const [k, v] of change.set) next.set(k, v);
    for (const k of change.unset) next.delete(k);
    validateTotal(Object.fromEntries(next));
    checkQuota("config vars", app.name, next.size, s.ctx.quotas.configVars);
    const live = store.getApp(app.name)?.liveReleaseId;
    if (!change.restart || !live) {
      store.changeConfigVars(
        app.name,
        Object.fromEntries([...change.set, ...change.unset.map((k) => [k, null] as const)]),
      );
      return c.json({ config: store.configVars(app.name), deploy: null }, 200);
    }
    // A change with a restart is the deploy's to make: the config vars change when its release goes live,
    // so a deploy that fails leaves them as the live release has them. The answer shows them as they will be.
    const description = describeChange(
      change.set.map(([k]) => k),
      change.unset,
    );
    const { deploy } = s.deployer.submitChanges(
      app.name,
      "config",
      [{ kind: "config", set: Object.fromEntries(change.set), unset: change.unset }],
      description,
      principalOf(c).name,
    );
    return c.json({ config: Object.fromEntries(next), deploy: deployView(s.views, deploy) }, 200);
  });

  // One rotation at a time: a second one dropping keys midway through the first would strand values.
  let queue: Promise<unknown> = Promise.resolve();
  r.openapi(rotateKey, async (c) => {
    const run = queue.then(async () => {
      await keyring.rotate();
      const resealed = store.resealAll() + s.gitflow.store.resealSecrets() + s.certs.store.resealKeys();
      await keyring.dropOldKeys();
      c.get("log").info("master key rotated", { keyId: keyring.currentId, resealed });
      return { resealed, keyId: keyring.currentId };
    });
    queue = run.catch(() => {});
    return c.json(await run, 200);
  });
}
