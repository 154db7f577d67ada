import { Hono } from "hono";
import { AppError } from "../errors/app-error.js";
import { readJson } from "../api/read-json.js";
import type { Operations } from "./operations.js";
import type { Backups } from "./backup/service.js";
import { parseEvery } from "./backup/service.js";
import type { Check } from "./doctor.js";

export interface OpsServices {
  operations: Operations;
  backups: Backups;
  doctor: () => Promise<Check[]>;
}

const str = (v: unknown, what: string): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v.length === 0 || v.length > 1024)
    throw new AppError("invalid_request", `${what} must be a non-empty string`);
  return v;
};
const bool = (v: unknown, what: string): boolean => {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new AppError("invalid_request", `${what} must be true or false`);
  return v;
};

/**
 * /api/v1/status, /doctor, /backups: about Yadokari itself, so admins only
 * (the policy's default for areas other than apps).
 */
export function opsRoutes(s: OpsServices): Hono {
  const r = new Hono();
  r.get("/status", async (c) => c.json(await s.operations.status()));
  r.get("/doctor", async (c) => {
    const checks = await s.doctor();
    return c.json({ ok: !checks.some((x) => x.status === "fail"), checks });
  });
  r.get("/backups", (c) => c.json({ schedule: s.backups.state.schedule(), history: s.backups.state.history() }));
  r.post("/backups", async (c) => {
    const b = (await readJson(c.req.raw)) as Record<string, unknown>;
    const { record, manifest } = await s.backups.run({
      to: str(b.to, "to"),
      withImages: bool(b.withImages, "withImages"),
      passphraseFile: str(b.passphraseFile, "passphraseFile"),
    });
    return c.json({ ...record, apps: manifest.apps }, 201);
  });
  r.put("/backups/schedule", async (c) => {
    const b = (await readJson(c.req.raw)) as Record<string, unknown>;
    const to = str(b.to, "to");
    if (!to) throw new AppError("invalid_backup_target", "a schedule needs --to (a directory or s3://bucket/prefix)");
    const keep = b.keep === undefined ? 7 : b.keep;
    return c.json(
      s.backups.setSchedule({
        everyHours: parseEvery(str(b.every, "every") ?? "24h"),
        keep: keep as number,
        to,
        withImages: bool(b.withImages, "withImages"),
        passphraseFile: str(b.passphraseFile, "passphraseFile"),
      }),
    );
  });
  r.delete("/backups/schedule", (c) => c.json({ schedule: s.backups.setSchedule(null) }));
  return r;
}
