import { Hono } from "hono";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { deployView } from "../views.js";
import { readJson } from "../read-json.js";
import { principalOf } from "../../accounts/principal.js";
import { describeChange, parseConfigChange, validateKey, validateTotal } from "../../config-vars/validate.js";

/**
 * Config vars of an app. A change is stored in one transaction, then (unless
 * restart is false) becomes a new release of the live image, deployed with
 * zero downtime in the app's queue. Descriptions, logs and errors name keys
 * only, never values.
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
    store.changeConfigVars(
      app.name,
      Object.fromEntries([...change.set, ...change.unset.map((k) => [k, null] as const)]),
    );

    let deploy = null;
    const live = store.getApp(app.name)?.liveReleaseId;
    if (change.restart && live) {
      const description = describeChange(
        change.set.map(([k]) => k),
        change.unset,
      );
      // `change` runs when the deploy's turn comes, so it snapshots the config as it is then.
      deploy = s.deployer.submitRelease(
        app.name,
        "config",
        description,
        ({ id: _id, version: _v, createdAt: _c, ...fields }) => ({
          ...fields,
          config: store.configVars(app.name),
          description,
          createdBy: principalOf(c).name,
        }),
      ).deploy;
    }
    return c.json({ config: store.configVars(app.name), deploy: deploy ? deployView(s.views, deploy) : null });
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
      const resealed = store.resealAll() + s.gitflow.store.resealSecrets() + s.certs.store.resealKeys();
      await keyring.dropOldKeys();
      s.ctx.log(`master key rotated to ${keyring.currentId}; ${resealed} sealed values re-encrypted`);
      return { resealed, keyId: keyring.currentId };
    });
    queue = run.catch(() => {});
    return c.json(await run);
  });
  return r;
}
