import type { HealthCheck } from "./health-check.js";
import type { Strategy, StrategySettings } from "./strategy.js";

/** what started a deploy: an upload, a push, or a change that made a new release of the same image */
export type DeploySource = "tar" | "git" | "config" | "rollback" | "restart" | "promote";

/** queued → building → deploying → succeeded | failed; a queued deploy a newer one took over is superseded */
export type DeployStatus = "queued" | "building" | "deploying" | "succeeded" | "failed" | "superseded";

export interface DeployStepView {
  name: string;
  status: "running" | "done" | "failed";
  startedAt: string;
  finishedAt: string | null;
  detail: string | null;
}

/** process type → number of containers (Heroku's formation) */
export type Formation = Record<string, number>;

/** How a deploy rolls: at most `maxSurge` containers above the formation, a pause between batches. */
export interface DeploySettings extends StrategySettings {
  /** a count, or a percentage of the web replicas ("25%"), rounded up */
  maxSurge?: number | string;
  pauseSec?: number;
}

export interface CronJob {
  name: string;
  command: string;
  schedule: string;
  concurrencyPolicy: "forbid" | "allow" | "replace";
}

/** What a release takes from its app.json and Procfile besides the commands. */
export interface ReleaseManifest {
  /** Procfile `release:` or app.json scripts.dokku.predeploy: runs once before new containers start */
  releaseCommand: string | null;
  cron: CronJob[];
  deploy: DeploySettings;
  /** app.json formation: the initial scale */
  formation: Formation;
}

export const EMPTY_MANIFEST: ReleaseManifest = { releaseCommand: null, cron: [], deploy: {}, formation: {} };

export interface App {
  name: string;
  createdAt: string;
  formation: Formation;
  deploySettings: DeploySettings;
  /** `ps:stop`: nothing runs until `ps:start` */
  stopped: boolean;
  liveReleaseId: number | null;
}

export const webCount = (app: Pick<App, "formation">) => app.formation.web ?? 1;

/** Immutable once written: a rollback or a config change makes a new one. */
export interface Release {
  id: number;
  app: string;
  version: number;
  image: string;
  commit: string | null;
  description: string;
  /** process type → command (null: the image's own CMD) */
  processes: Record<string, string | null>;
  config: Record<string, string>;
  healthcheck: HealthCheck;
  formation: Formation;
  manifest: ReleaseManifest;
  /** who made it (an actor name) */
  createdBy: string;
  createdAt: string;
}

export interface Deploy {
  id: number;
  app: string;
  status: DeployStatus;
  source: DeploySource;
  commit: string | null;
  ref: string | null;
  releaseId: number | null;
  reason: string | null;
  /** a failed deploy's stable error code (docs/errors.md) */
  errorCode: string | null;
  containerLog: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** who asked for it */
  actor: string;
  /** its own strategy (yk deploy --strategy), beside the app's setting */
  strategy: Strategy | null;
  /** a superseded deploy: the newer deploy that carries its changes */
  supersededBy: number | null;
}

/** A server the router should have, as recorded in the store (the router config is rendered from these). */
export interface RoutedServer {
  app: string;
  process: string;
  name: string;
  /** the unit the server reaches (its engine's id) */
  unitId: string;
  releaseId: number;
  address: string;
  port: number;
  weight: number;
  state: "ready" | "drain";
}

/** A host path or named volume mounted into every container of an app. */
export interface Mount {
  /** an absolute host path under the allow-list, or a Docker volume name */
  hostPath: string;
  containerPath: string;
}
