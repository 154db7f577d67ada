import { z } from "@hono/zod-openapi";
import { rule } from "../validation.js";
import { checkBackupTarget, checkHostPath, parseEvery } from "../../ops/backup/service.js";

/** Schemas of Yadokari's own operation (issue 16): status, doctor, backups. */

const nullableInt = z.number().int().nullable();

export const StatusView = z
  .strictObject({
    server: z.strictObject({
      pid: z.number().int(),
      version: z.string(),
      schemaVersion: z.number().int(),
      startedAt: z.string(),
      uptimeSec: z.number().int(),
      dataDir: z.string(),
      draining: z.boolean().openapi({ description: "stopping: changes get 503 shutting_down" }),
    }),
    router: z.strictObject({
      pid: nullableInt,
      running: z.boolean(),
      workerPid: nullableInt,
      uptimeSec: nullableInt,
      version: z.string().nullable(),
    }),
    docker: z.strictObject({
      reachable: z.boolean(),
      version: z.string().nullable(),
      apiVersion: z.string().nullable(),
      error: z.string().nullable(),
    }),
    apps: z.strictObject({
      expected: z.number().int().openapi({ description: "apps with a live release that want containers" }),
      serving: z
        .number()
        .int()
        .openapi({ description: "of those, the ones whose live release runs at its formation, routed" }),
      notServing: z.array(z.strictObject({ app: z.string(), missing: z.array(z.string()) })),
    }),
    coldStart: z
      .strictObject({ expected: nullableInt, durationMs: nullableInt, finishedAt: z.string().nullable() })
      .openapi({ description: "from the server's start until every app served" }),
  })
  .openapi("Status");

export const Check = z
  .strictObject({
    name: z
      .string()
      .openapi({ description: "docker, router, disk, clock, ports, dns, certificates, apps, cron, backups" }),
    status: z.enum(["ok", "warn", "fail"]),
    detail: z.string(),
    fix: z.string().openapi({ description: "what to do (empty when ok)" }),
  })
  .openapi("DoctorCheck");

export const DoctorView = z.strictObject({
  ok: z.boolean().openapi({ description: "false when a check failed" }),
  checks: z.array(Check),
});

export const BackupRecord = z
  .strictObject({
    ok: z.boolean(),
    at: z.string(),
    target: z.string().nullable().openapi({ description: "a file path on the server's host, or s3://bucket/key" }),
    bytes: z.number().int(),
    durationMs: z.number().int(),
    withImages: z.boolean(),
    encrypted: z.boolean(),
    trigger: z.enum(["manual", "schedule"]),
    message: z.string(),
  })
  .openapi("BackupRecord");

export const BackupScheduleView = z
  .strictObject({
    everyHours: z.number(),
    keep: z.number().int(),
    to: z.string(),
    withImages: z.boolean(),
    passphraseFile: z.string().nullable(),
  })
  .openapi("BackupSchedule");

export const BackupsView = z.strictObject({
  schedule: BackupScheduleView.nullable(),
  history: z.array(BackupRecord).openapi({ description: "the last backups, newest first" }),
});

export const BackupMade = BackupRecord.extend({
  apps: z.array(
    z.strictObject({
      name: z.string(),
      liveVersion: nullableInt,
      image: z.string().nullable(),
      commit: z.string().nullable(),
      imageIncluded: z.boolean().openapi({ description: "the live image is in the backup" }),
    }),
  ),
});

/** A path on the server's host or an s3:// URL: its shape here, where it may go in the backup service. */
const Target = rule(
  z
    .string()
    .min(1)
    .max(1024)
    .regex(/^(\/|s3:\/\/)/, "must be an absolute path or s3://bucket/prefix"),
  (v) => (v.startsWith("s3://") ? v : checkBackupTarget(v)),
);
const HostFile = rule(z.string().min(1).max(1024), (v) => checkHostPath(v, "passphraseFile"));

export const BackupRequest = z.strictObject({
  to: Target.optional().openapi({
    description:
      "an absolute file or directory path on the server's host, or s3://bucket/prefix (default DATA_DIR/backups/)",
  }),
  withImages: z.boolean().optional().openapi({ description: "docker save of every app's live image" }),
  passphraseFile: HostFile.optional().openapi({
    description: "an absolute path of a file on the server's host holding the passphrase: encrypts the backup",
  }),
});

export const ScheduleRequest = z.strictObject({
  every: rule(z.string().max(20), parseEvery)
    .optional()
    .openapi({ description: "6h, 1d, 90m (15m to 30d); default 24h" }),
  keep: z.number().int().min(1).max(1000).optional().openapi({ description: "backups kept at the target; default 7" }),
  to: Target.openapi({ description: "a directory on the server's host, or s3://bucket/prefix" }),
  withImages: z.boolean().optional(),
  passphraseFile: HostFile.optional(),
});
