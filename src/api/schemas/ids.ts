import { z } from "@hono/zod-openapi";
import {
  APP_NAME,
  APP_NAME_MAX,
  COMMIT_SHA,
  JOB_NAME,
  PROCESS_TYPE,
  RELEASE_VERSION,
  ROW_ID,
  RUN_ID,
} from "../../domain/ids.js";
import { validateAppName, validateHostname } from "../../domain/names.js";
import { validateBranch, MAX_BRANCH_BYTES } from "../../gitflow/ref-format.js";
import { validateKey } from "../../config-vars/validate.js";
import { rule } from "../validation.js";

/**
 * One schema per identifier, used by every route that takes one. Where a
 * domain validator has the better message (app names, hostnames, branches,
 * config var names), it runs as a refinement and keeps its code; the
 * document still shows the pattern.
 */

export const AppName = rule(z.string(), validateAppName).openapi({
  pattern: APP_NAME.source,
  maxLength: APP_NAME_MAX,
  description: "a lowercase DNS label: a-z, 0-9 and '-', starting with a letter, at most 30 characters",
  example: "shop",
});

export const Hostname = rule(z.string(), validateHostname).openapi({
  maxLength: 253,
  description: "a DNS name: labels of a-z, 0-9 and '-' separated by dots",
  example: "www.example.com",
});

export const Branch = rule(z.string(), validateBranch).openapi({
  description: `a branch name git accepts (git check-ref-format), not starting with '-', at most ${MAX_BRANCH_BYTES} bytes`,
  example: "main",
});

export const ConfigKey = rule(z.string(), validateKey).openapi({
  pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
  maxLength: 255,
  description: "a POSIX environment variable name; PORT and YADOKARI_* are reserved",
  example: "DATABASE_URL",
});

export const CommitSha = z
  .string()
  .regex(COMMIT_SHA, { error: "expected a full 40-character lowercase hex SHA-1" })
  .openapi({ example: "3f786850e387550fdab836ed7e6dc881de23001b" });

export const JobName = z
  .string()
  .regex(JOB_NAME, { error: "expected a cron job name: lowercase letters, digits and '-', at most 63" })
  .openapi({ example: "nightly-report" });

export const ProcessType = z
  .string()
  .regex(PROCESS_TYPE, { error: "expected a process type: letters, digits, '_' and '-', at most 63" })
  .openapi({ example: "worker" });

export const RunId = z
  .string()
  .regex(RUN_ID, { error: "expected a run id: 64 lowercase hex digits" })
  .openapi({ description: "the run container's full id" });

export const ReleaseVersion = z
  .string()
  .regex(RELEASE_VERSION, { error: "expected a release version such as v7 or 7" })
  .transform((s) => Number(RELEASE_VERSION.exec(s)![1]))
  .openapi({ type: "string", example: "v7" });

export const RowId = z
  .string()
  .regex(ROW_ID, { error: "expected a positive whole number" })
  .transform(Number)
  .openapi({ type: "string", example: "12" });

/** `?limit=N` of a list that pages: a whole number from 1 to `max` (the route's default when left out). */
export const PageLimit = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, { error: `expected a whole number from 1 to ${max}` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, { error: `expected a whole number from 1 to ${max}` })
    .optional()
    .openapi({ type: "string", description: `how many (default ${dflt}, at most ${max})` });

/** `?follow=1`: keep streaming until the thing ends. */
export const Follow = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true")
  .openapi({ type: "string", description: "1 or true: keep streaming until it ends" });

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-03-01T10:00:00.000Z" });
