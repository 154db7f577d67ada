import { realpathSync } from "node:fs";
import { Hono } from "hono";
import type { ApiServices } from "../api/services.js";
import { readJson } from "../api/read-json.js";
import { AppError } from "../errors/app-error.js";
import { LABEL } from "../docker/port.js";
import type { Mount } from "../domain/types.js";
import type { MountView } from "./contract.js";
import {
  checkContainerPath,
  MAX_MOUNTS,
  mountKind,
  resolveThroughLinks,
  storageRoots,
  validateMount,
} from "./mount-rules.js";

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
 * Storage mounts of an app: host directories under the allowed roots, or
 * named volumes. They apply to every container of the app started after the
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
    const rules = { roots: storageRoots(process.env.YADOKARI_STORAGE_ROOTS), dataDir: s.ctx.dataDir };
    const mount = validateMount({ source: body.source, containerPath: body.containerPath }, rules, (p) =>
      resolveThroughLinks(p, realpath),
    );
    const existing = s.ctx.store.mounts(app.name);
    if (existing.some((m) => m.containerPath === mount.containerPath))
      throw new AppError("mount_exists", `${app.name} already has a mount at ${mount.containerPath}`);
    if (existing.length >= MAX_MOUNTS)
      throw new AppError(
        "invalid_mount",
        `storage: ${app.name} has ${MAX_MOUNTS} mounts, the most an app may have`,
        "Unmount one first.",
      );
    if (mountKind(mount.hostPath) === "volume") {
      await s.ctx.engine.ensureVolume(mount.hostPath, {
        [LABEL.managed]: "true",
        [LABEL.app]: app.name,
        [LABEL.kind]: "volume",
      });
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
