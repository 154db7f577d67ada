import { z } from "@hono/zod-openapi";
import { MAX_ARGS, MAX_ARG_BYTES } from "../../runs/validate.js";
import { Timestamp } from "./ids.js";
import { rule } from "../validation.js";
import { checkContainerPath } from "../../storage/mount-rules.js";

/** Cron jobs and their runs, one-off runs, storage mounts. */

export const CronRunStatus = z.enum(["running", "succeeded", "failed", "timed_out", "skipped", "replaced"]);

const cronRunSummary = {
  id: z.int(),
  status: CronRunStatus,
  exitCode: z.int().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
};

export const CronJobView = z
  .strictObject({
    name: z.string(),
    command: z.string(),
    schedule: z.string(),
    concurrencyPolicy: z.enum(["forbid", "allow", "replace"]),
    nextRun: Timestamp.nullable().openapi({
      description: "the next scheduled minute (UTC); null when none or stopped",
    }),
    lastRun: z.strictObject(cronRunSummary).nullable(),
  })
  .openapi("CronJob");

export const CronRunView = z
  .strictObject({
    ...cronRunSummary,
    app: z.string(),
    job: z.string(),
    release: z.int(),
    trigger: z.enum(["schedule", "manual"]),
    scheduledFor: Timestamp.nullable(),
    output: z.string().openapi({ description: "the last lines of its output (up to 200 lines, 64 KiB)" }),
  })
  .openapi("CronRun");

const Arg = z
  .string()
  .refine((a) => Buffer.byteLength(a, "utf8") <= MAX_ARG_BYTES, { error: "is longer than 64 KiB" })
  .refine((a) => !a.includes("\0"), { error: "contains a NUL byte" });

export const RunRequest = z
  .strictObject({
    command: z
      .array(Arg)
      .min(1)
      .max(MAX_ARGS)
      .refine((c) => c[0] !== "", { error: "the program name is empty" })
      .openapi({ description: "argv, passed to the container as is (no shell anywhere)" }),
    tty: z.boolean().optional(),
    detach: z.boolean().optional(),
  })
  .openapi("RunRequest");

export const RunCreated = z.strictObject({ id: z.string(), name: z.string() }).openapi("RunCreated");

export const RunView = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    state: z.string().openapi({ description: "Docker's state; exited also once an attached run's container is gone" }),
    exitCode: z.int().nullable(),
  })
  .openapi("Run");

const Side = z.int().min(1).max(1000);
export const TerminalSize = z.strictObject({ rows: Side, cols: Side }).openapi("TerminalSize");

export const MountView = z
  .strictObject({
    type: z.enum(["bind", "volume"]).openapi({ description: "bind: a host directory; volume: a named volume" }),
    source: z.string().openapi({ description: "the host path or the volume name" }),
    containerPath: z.string(),
  })
  .openapi("Mount");

/** A container path to mount at: absolute, normalized, not `/` (the rule's message says which). */
export const ContainerPath = rule(z.string().max(4096), checkContainerPath).openapi({
  description: "an absolute path inside the container, not /",
  example: "/data",
});

export const MountRequest = z
  .strictObject({
    source: z.string().max(4096).openapi({
      description:
        "the app's own host directory (ROOT/APP/… under a storage root), or a volume name [a-zA-Z0-9][a-zA-Z0-9_.-]+",
    }),
    containerPath: ContainerPath,
    shared: z.boolean().optional().openapi({
      description:
        "admins only: a directory or volume that is not the app's own (another app's, or a shared one), shared deliberately",
    }),
  })
  .openapi("MountRequest");
