import { realpathSync } from "node:fs";
import { Hono } from "hono";
import type { ApiServices } from "../api/services.js";
import { readJson } from "../api/read-json.js";
import { AppError } from "../errors/app-error.js";
import { LABEL } from "../docker/port.js";
import type { Mount } from "../domain/types.js";
import type { MountView } from "./contract.js";
import { principalOf } from "../accounts/principal.js";
import { checkQuota, quotaSettings } from "../domain/quotas.js";
import { ensurePlainDirs, nested, rootOf } from "./host-dirs.js";
import { allBindSources } from "./storage-store.js";
import { checkContainerPath, mountKind, resolveThroughLinks, storageRoots, validateMount } from "./mount-rules.js";

const view = (m: Mount): MountView => ({
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

/**
 * Storage mounts of an app: its own host directories (ROOT/<app>/…, made by
 * Yadokari, plain directories all the way, none inside another mount), or
 * its own named volumes; an admin can share others deliberately. They apply to every container of the app started after the
 * change (the next deploy, run, cron or release phase).
 */
export function storageRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/:app/storage", (c) => {
    const app = s.apps.get(c.req.param("app"));
    return c.json(s.ctx.store.mounts(app.name).map(view));
  });

  r.post("/:app/storage", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const body = await readJson(c.req.raw);
    if (body.shared !== undefined && typeof body.shared !== "boolean")
      throw new AppError("invalid_request", "shared must be true or false");
    const shared = body.shared === true;
    if (shared && principalOf(c).role !== "admin")
      throw new AppError("forbidden", "only an admin can share storage with another app (shared: true)");
    const roots = storageRoots(process.env.YADOKARI_STORAGE_ROOTS);
    const rules = { roots, dataDir: s.ctx.dataDir, app: app.name, shared };
    const mount = validateMount({ source: body.source, containerPath: body.containerPath }, rules, (p) =>
      resolveThroughLinks(p, realpath),
    );
    const existing = s.ctx.store.mounts(app.name);
    if (existing.some((m) => m.containerPath === mount.containerPath))
      throw new AppError("mount_exists", `${app.name} already has a mount at ${mount.containerPath}`);
    checkQuota("mounts", app.name, existing.length + 1, quotaSettings().mounts);
    if (mountKind(mount.hostPath) === "bind") {
      // No bind source inside another (any app's): a container could swap the inner one for a link.
      const clash = allBindSources(s.ctx.store.db).find((b) => nested(b.hostPath, mount.hostPath));
      if (clash) {
        const how = clash.hostPath.startsWith(mount.hostPath + "/") ? "contains" : "is inside";
        const what =
          clash.app === app.name ? `${app.name}'s mount ${clash.hostPath}` : "another app's mounted directory";
        throw new AppError(
          "invalid_mount",
          `storage: ${mount.hostPath} ${how} ${what}: mounted directories may not be nested`,
          "Mount directories side by side (ROOT/APP/a and ROOT/APP/b), never one inside another.",
        );
      }
      ensurePlainDirs(rootOf(mount.hostPath, roots)!, mount.hostPath, "invalid_mount");
    } else {
      await s.ctx.docker.ensureVolume(
        mount.hostPath,
        { [LABEL.managed]: "true", [LABEL.app]: app.name, [LABEL.kind]: "volume" },
        { share: shared },
      );
    }
    s.ctx.store.addMount(app.name, mount);
    return c.json(view(mount), 201);
  });

  r.delete("/:app/storage", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const path = c.req.query("path");
    if (path === undefined)
      throw new AppError("invalid_request", "pass the container path to unmount as ?path=/container/path");
    const containerPath = checkContainerPath(path);
    if (!s.ctx.store.removeMount(app.name, containerPath))
      throw new AppError(
        "not_found",
        `${app.name} has no mount at ${containerPath}`,
        `'yk storage -a ${app.name}' lists the mounts.`,
      );
    return c.json({ removed: containerPath });
  });
  return r;
}
