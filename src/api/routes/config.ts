import { Hono } from "hono";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { deployView } from "../views.js";
import { readJson } from "../read-json.js";
import { principalOf } from "../../accounts/principal.js";
import { describeChange, parseConfigChange, validateKey, validateTotal } from "../../config-vars/validate.js";

/**
 * Config vars of an app. A change (unless restart is false, or the app has
 * no release yet) is a queued deploy of a new release of the live image,
 * with zero downtime; the vars change when that release goes live, in the
 * same transaction. Without a restart they are stored at once and the next
 * deploy picks them up. Descriptions, logs and errors name keys only, never values.
 */
export function configRoutes(s: ApiServices): Hono {
  const r = new Hono();
  const { store } = s.ctx;

  r.get("/:app/config", (c) => {
    const vars = store.configVars(s.apps.get(c.req.param("app")).name);
    // the viewer role sees which keys are set, never their values
    return c.json(
      principalOf(c).role === "viewer" ? Object.fromEntries(Object.keys(vars).map((k) => [k, null])) : vars,
    );
  });

  r.get("/:app/config/:key", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const key = validateKey(c.req.param("key"));
    const config = new Map(Object.entries(store.configVars(app.name)));
    if (!config.has(key))
      throw new AppError(
        "not_found",
        `${key} is not set on ${app.name}`,
        `'yk config -a ${app.name}' lists the config vars that are set.`,
      );
    return c.json({ key, value: config.get(key)! });
  });

  r.patch("/:app/config", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const change = parseConfigChange(await readJson(c.req.raw));
    // A Map, not an object: "__proto__" is a valid name and must stay a plain key.
    const next = new Map(Object.entries(store.configVars(app.name)));
    for (const [k, v] of change.set) next.set(k, v);
    for (const k of change.unset) next.delete(k);
    validateTotal(Object.fromEntries(next));
    const live = store.getApp(app.name)?.liveReleaseId;
    if (!change.restart || !live) {
      store.changeConfigVars(
        app.name,
        Object.fromEntries([...change.set, ...change.unset.map((k) => [k, null] as const)]),
      );
      return c.json({ config: store.configVars(app.name), deploy: null });
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
    return c.json({ config: Object.fromEntries(next), deploy: deployView(s.views, deploy) });
  });
  return r;
}

/** Install-wide config routes, mounted at /api/v1/config (behind the same token check). */
export function configAdminRoutes(s: ApiServices): Hono {
  const r = new Hono();
  const { store, keyring } = s.ctx;
  // One rotation at a time: a second one dropping keys midway through the first would strand values.
  let queue: Promise<unknown> = Promise.resolve();

  r.post("/rotate-key", async (c) => {
    const run = queue.then(async () => {
      await keyring.rotate();
      const resealed = store.resealAll() + s.gitflow.store.resealSecrets();
      await keyring.dropOldKeys();
      s.ctx.log(`master key rotated to ${keyring.currentId}; ${resealed} sealed values re-encrypted`);
      return { resealed, keyId: keyring.currentId };
    });
    queue = run.catch(() => {});
    return c.json(await run);
  });
  return r;
}
