import { access } from "../../accounts/policy.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, jsonBody, optionalJsonBody } from "../schemas/common.js";
import {
  BackupMade,
  BackupRequest,
  BackupScheduleView,
  BackupsView,
  DoctorView,
  ScheduleRequest,
  StatusView,
} from "../schemas/ops.js";
import { parseEvery } from "../../ops/backup/service.js";
import { z } from "@hono/zod-openapi";

// About Yadokari itself and its host (paths, processes, backups on the host's disks): admins only.

const status = defineRoute({
  method: "get",
  path: "/api/v1/status",
  summary: "What runs: server, router, Docker, versions, apps serving / expected, the cold start's time",
  access: access.admin(),
  responses: { 200: json(StatusView) },
});

const doctor = defineRoute({
  method: "get",
  path: "/api/v1/doctor",
  summary: "Checks of the host with what to do about each problem; ok is false when a check fails",
  access: access.admin(),
  responses: { 200: json(DoctorView) },
});

const listBackups = defineRoute({
  method: "get",
  path: "/api/v1/backups",
  summary: "The backup schedule and the last backups",
  access: access.admin(),
  responses: { 200: json(BackupsView) },
});

const makeBackup = defineRoute({
  method: "post",
  path: "/api/v1/backups",
  summary:
    "Back up the control plane now: store (online backup API), master key, admin token, router certificates and ACME account, git sources, optionally live images; encrypted with a passphrase file",
  access: access.admin(),
  request: { body: optionalJsonBody(BackupRequest) },
  responses: { 201: json(BackupMade, "Created: where it went and what it holds") },
  errors: [409, 422],
});

const setSchedule = defineRoute({
  method: "put",
  path: "/api/v1/backups/schedule",
  summary: "Back up on a schedule, keeping the newest `keep` at the target",
  access: access.admin(),
  request: { body: jsonBody(ScheduleRequest) },
  responses: { 200: json(BackupScheduleView) },
  errors: [422],
});

const removeSchedule = defineRoute({
  method: "delete",
  path: "/api/v1/backups/schedule",
  summary: "No more scheduled backups",
  access: access.admin(),
  responses: { 200: json(z.strictObject({ schedule: z.null() })) },
});

/** Yadokari itself (issue 16): status, doctor, backups. */
export function registerOps(r: ApiRouter, s: ApiServices): void {
  r.openapi(status, async (c) => c.json(await s.ops.operations.status(), 200));
  r.openapi(doctor, async (c) => {
    const checks = await s.ops.doctor();
    return c.json({ ok: !checks.some((x) => x.status === "fail"), checks }, 200);
  });
  r.openapi(listBackups, (c) =>
    c.json({ schedule: s.ops.backups.state.schedule(), history: s.ops.backups.state.history() }, 200),
  );
  r.openapi(makeBackup, async (c) => {
    const b = c.req.valid("json") ?? {};
    const { record, manifest } = await s.ops.backups.run({
      to: b.to ?? null,
      withImages: b.withImages === true,
      passphraseFile: b.passphraseFile ?? null,
    });
    return c.json({ ...record, apps: manifest.apps }, 201);
  });
  r.openapi(setSchedule, (c) => {
    const b = c.req.valid("json");
    const schedule = s.ops.backups.setSchedule({
      everyHours: parseEvery(b.every ?? "24h"),
      keep: b.keep ?? 7,
      to: b.to,
      withImages: b.withImages === true,
      passphraseFile: b.passphraseFile ?? null,
    });
    return c.json(schedule!, 200);
  });
  r.openapi(removeSchedule, (c) => c.json({ schedule: s.ops.backups.setSchedule(null) as null }, 200));
}
