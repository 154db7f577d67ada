import { z } from "@hono/zod-openapi";
import { Timestamp } from "./ids.js";

/** Apps, releases, deploys, containers, processes and domains: the shapes the CLI and the UI read. */

export const AppStatus = z.enum(["new", "running", "deploying", "failed", "crashed", "stopped"]).openapi({
  description:
    "new: never deployed; deploying: a deploy is queued or running; running; crashed: a process is crash-looping; stopped: ps:stop; failed: the last deploy failed and nothing is live",
});

export const Formation = z
  .record(z.string(), z.int().min(0))
  .openapi({ description: "process type → containers", example: { web: 2, worker: 1 } });

export const AppView = z
  .strictObject({
    name: z.string(),
    createdAt: Timestamp,
    webReplicas: z.int(),
    formation: Formation,
    liveRelease: z.int().nullable().openapi({ description: "version of the live release (v3 → 3)" }),
    status: AppStatus,
    urls: z.array(z.string()).openapi({ description: "the http URLs the app answers at through the router" }),
    domains: z.array(z.string()),
    gitUrl: z.string(),
    reviewOf: z
      .strictObject({ parent: z.string(), branch: z.string() })
      .nullable()
      .openapi({ description: "a review app: its parent app and branch" }),
  })
  .openapi("App");

export const DeploySource = z
  .enum(["tar", "git", "config", "rollback", "restart", "promote"])
  .openapi({ description: "what started the deploy" });
export const DeployStatus = z.enum(["queued", "building", "deploying", "succeeded", "failed", "superseded"]).openapi({
  description: "superseded: a newer queued deploy took over this one's changes (supersededBy)",
});

export const DeployStepView = z
  .strictObject({
    name: z.string(),
    status: z.enum(["running", "done", "failed"]),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    detail: z.string().nullable(),
  })
  .openapi("DeployStep");

export const deployFields = {
  id: z.int(),
  app: z.string(),
  status: DeployStatus,
  source: DeploySource,
  commit: z.string().nullable(),
  ref: z.string().nullable(),
  releaseVersion: z.int().nullable(),
  reason: z.string().nullable(),
  errorCode: z.string().nullable().openapi({
    description:
      "a failed deploy's stable error code (docs/errors.md): build_failed, no_dockerfile, invalid_manifest, health_check_failed, release_phase_failed, canary_aborted, interrupted, standby_gone, image_gone, deploy_failed, …",
  }),
  supersededBy: z
    .int()
    .nullable()
    .openapi({ description: "a superseded deploy: the newer queued deploy that took over its changes" }),
  containerLog: z.string().nullable().openapi({ description: "the failing container's last log lines" }),
  steps: z.array(DeployStepView),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  urls: z.array(z.string()),
};

export const DeployView = z.strictObject(deployFields).openapi("Deploy");

const releaseFields = {
  version: z.int(),
  image: z.string(),
  commit: z.string().nullable(),
  description: z.string(),
  createdAt: Timestamp,
  createdBy: z.string().openapi({ description: "a user's email, or admin for the bootstrap token" }),
  processes: z
    .record(z.string(), z.string().nullable())
    .openapi({ description: "process type → command (null: the image's CMD)" }),
  live: z.boolean(),
};

export const ReleaseView = z.strictObject(releaseFields).openapi("Release");

export const ReleaseDetailView = z
  .strictObject({
    ...releaseFields,
    configKeys: z.array(z.string()).openapi({ description: "names only: values stay behind the config routes" }),
    formation: Formation,
    releaseCommand: z.string().nullable(),
    cron: z.array(z.strictObject({ name: z.string(), schedule: z.string() })),
    imageAvailable: z.boolean(),
  })
  .openapi("ReleaseDetail");

export const ContainerView = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    process: z.string(),
    release: z.int(),
    state: z.string().openapi({ description: "Docker's state: running, exited, …" }),
    status: z.string().openapi({ description: 'Docker\'s human status ("Up 3 minutes")' }),
    address: z.string().nullable(),
    node: z.string().nullable().openapi({ description: "the node it runs on (null on the local engine)" }),
    startedAt: z.string().nullable(),
    routed: z.boolean(),
  })
  .openapi("Container");

export const ProcessView = z
  .strictObject({
    type: z.string(),
    quantity: z.int(),
    command: z.string().nullable(),
    running: z.int(),
    restarts: z.int(),
    crashLoop: z.boolean().openapi({ description: "three or more crashes in a row: Yadokari is backing off" }),
    lastExitCode: z.int().nullable(),
    backoffUntil: Timestamp.nullable(),
  })
  .openapi("Process");

export const FormationView = z
  .strictObject({ stopped: z.boolean(), processes: z.array(ProcessView) })
  .openapi("FormationStatus");

export const DomainView = z
  .strictObject({ hostname: z.string(), kind: z.enum(["default", "custom"]) })
  .openapi("Domain");

const percent = z.string().regex(/^(100|[1-9][0-9]?)%$/, { error: 'expected a percentage such as "25%"' });

/** Rolling and progressive deploy settings (app.json `yadokari.deploy`, `yk deploy:set`). */
export const DeploySettingsView = z
  .strictObject({
    maxSurge: z
      .union([z.int().min(1).max(50), percent])
      .optional()
      .openapi({
        description: 'containers above the formation during a deploy: a count, or "25%" of the web replicas',
      }),
    pauseSec: z.number().min(0).max(3600).optional(),
    strategy: z.enum(["rolling", "canary", "blue-green"]).optional(),
    steps: z
      .union([z.array(z.int().min(1).max(100)).min(1).max(20), z.string().max(200)])
      .optional()
      .openapi({ description: 'the new release\'s share per step, ascending to 100: [5, 25, 50, 100] or "5,25,50"' }),
    stepSec: z.number().min(1).max(86400).optional(),
    stepRequests: z.int().min(1).max(1e9).optional(),
    maxErrorPct: z.number().min(0).max(100).optional(),
    errorMarginPct: z.number().min(0).max(100).optional(),
    latencyFactor: z.number().min(1).max(100).optional(),
    latencyFloorMs: z.number().min(0).max(600000).optional(),
    minRequests: z.int().min(1).max(1e7).optional(),
    idleSec: z.number().min(0).max(86400).optional(),
    sticky: z.boolean().optional(),
  })
  .openapi("DeploySettings");
