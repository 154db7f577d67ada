import { realpathSync } from "node:fs";
import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { AppError } from "../../errors/app-error.js";
import { LABEL } from "../../docker/port.js";
import type { Mount } from "../../domain/types.js";
import { mountKind, resolveThroughLinks, validateMount } from "../../storage/mount-rules.js";
import { ensurePlainDirs, nested, rootOf } from "../../storage/host-dirs.js";
import { principalOf } from "../../accounts/principal.js";
import { checkQuota } from "../../domain/quotas.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import { AppName } from "../schemas/ids.js";
import { ContainerPath, MountRequest, MountView } from "../schemas/work.js";

const AppParams = z.strictObject({ app: AppName });

const view = (m: Mount): z.output<typeof MountView> => ({
  type: mountKind(m.hostPath),
  source: m.hostPath,
  containerPath: m.containerPath,
});

const realpath = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};

const listMounts = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/storage",
  summary: "The app's storage mounts",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(z.array(MountView)) },
});

const mount = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/storage",
  summary:
    "Mount the app's own host directory (ROOT/APP/… under a root in YADOKARI_STORAGE_ROOTS, made by Yadokari, plain directories all the way, none nested in another mount) or its own named volume into every container of the app started from now on; an admin may share others (shared: true)",
  access: access.app("deployer"),
  request: { params: AppParams, body: jsonBody(MountRequest) },
  responses: { 201: json(MountView, "Created") },
  errors: [403, 409, 503],
});

const unmount = defineRoute({
  method: "delete",
  path: "/api/v1/apps/{app}/storage",
  summary: "Remove the mount at a container path",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    query: z.strictObject({ path: ContainerPath.openapi({ description: "the container path to unmount" }) }),
  },
  responses: { 200: json(z.strictObject({ removed: z.string() })) },
});

/**
 * Storage mounts of an app: its own host directories (ROOT/<app>/…, made by
 * Yadokari, plain directories all the way, none inside another mount), or
 * its own named volumes; an admin can share others deliberately. They apply
 * to every container of the app started after the change (the next deploy,
 * run, cron or release phase); the bind guard checks the directories again
 * before each (src/storage/bind-guard.ts).
 */
export function registerStorage(r: ApiRouter, s: ApiServices): void {
  r.openapi(listMounts, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    return c.json(s.ctx.store.mounts(app.name).map(view), 200);
  });

  r.openapi(mount, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const body = c.req.valid("json");
    const shared = body.shared === true;
    if (shared && principalOf(c).role !== "admin")
      throw new AppError("forbidden", "only an admin can share storage with another app (shared: true)");
    const roots = s.storageRoots;
    const rules = { roots, dataDir: s.ctx.dataDir, app: app.name, shared };
    const m = validateMount({ source: body.source, containerPath: body.containerPath }, rules, (p) =>
      resolveThroughLinks(p, realpath),
    );
    const existing = s.ctx.store.mounts(app.name);
    if (existing.some((x) => x.containerPath === m.containerPath))
      throw new AppError("mount_exists", `${app.name} already has a mount at ${m.containerPath}`);
    checkQuota("mounts", app.name, existing.length + 1, s.ctx.quotas.mounts);
    if (mountKind(m.hostPath) === "bind") {
      // No bind source inside another (any app's): a container could swap the inner one for a link.
      const clash = s.ctx.store.allBindSources().find((b) => nested(b.hostPath, m.hostPath));
      if (clash) {
        const how = clash.hostPath.startsWith(m.hostPath + "/") ? "contains" : "is inside";
        const what =
          clash.app === app.name ? `${app.name}'s mount ${clash.hostPath}` : "another app's mounted directory";
        throw new AppError(
          "invalid_mount",
          `storage: ${m.hostPath} ${how} ${what}: mounted directories may not be nested`,
          "Mount directories side by side (ROOT/APP/a and ROOT/APP/b), never one inside another.",
        );
      }
      ensurePlainDirs(rootOf(m.hostPath, roots)!, m.hostPath, "invalid_mount");
    } else {
      await s.ctx.engine.ensureVolume(
        m.hostPath,
        { [LABEL.managed]: "true", [LABEL.app]: app.name, [LABEL.kind]: "volume" },
        { share: shared },
      );
    }
    s.ctx.store.addMount(app.name, m);
    return c.json(view(m), 201);
  });

  r.openapi(unmount, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const containerPath = c.req.valid("query").path;
    if (!s.ctx.store.removeMount(app.name, containerPath))
      throw new AppError(
        "not_found",
        `${app.name} has no mount at ${containerPath}`,
        `'yk storage -a ${app.name}' lists the mounts.`,
      );
    return c.json({ removed: containerPath }, 200);
  });
}
