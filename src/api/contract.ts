/**
 * The JSON shapes of the REST API under /api/v1, shared by the server and the
 * CLI. The routes are listed once, in src/api/openapi.ts (served at
 * /api/openapi.json). Errors are always `{ error: { code, message, hint } }`
 * with the status from src/errors/codes.ts.
 */

export type AppStatus = "new" | "running" | "deploying" | "failed" | "crashed" | "stopped";

export interface AppView {
  name: string;
  createdAt: string;
  webReplicas: number;
  /** process type → containers */
  formation: Record<string, number>;
  /** Version number of the live release (v3 → 3), null before the first deploy. */
  liveRelease: number | null;
  status: AppStatus;
  /** http URLs the app answers at through the router. */
  urls: string[];
  domains: string[];
  gitUrl: string;
  /** a review app: its parent app and branch */
  reviewOf?: { parent: string; branch: string } | null;
}

export interface ReleaseView {
  version: number;
  image: string;
  commit: string | null;
  description: string;
  createdAt: string;
  /** who made it: a user's email, or "admin" for the bootstrap token */
  createdBy: string;
  processes: Record<string, string | null>;
  live: boolean;
}

export type { DeploySource, DeployStatus, DeployStepView } from "../domain/types.js";
import type { DeploySource, DeployStatus, DeployStepView } from "../domain/types.js";

export interface DeployView {
  id: number;
  app: string;
  status: DeployStatus;
  source: DeploySource;
  commit: string | null;
  ref: string | null;
  releaseVersion: number | null;
  reason: string | null;
  /** A failed deploy's stable error code (docs/errors.md): build_failed, health_check_failed, release_phase_failed, canary_aborted, interrupted, … */
  errorCode: string | null;
  /** A superseded deploy: the newer deploy that carries its changes. */
  supersededBy: number | null;
  /** Last lines of the failing container's log, when a container failed. */
  containerLog: string | null;
  steps: DeployStepView[];
  createdAt: string;
  finishedAt: string | null;
  urls: string[];
}

export interface ContainerView {
  id: string;
  name: string;
  process: string;
  release: number;
  state: string; // running, exited, ...
  status: string; // Docker's human status ("Up 3 minutes")
  address: string | null;
  /** the node it runs on (null on the local engine) */
  node: string | null;
  startedAt: string | null;
  routed: boolean;
}

/** One process type of the live release, for `yk ps`. */
export interface ProcessView {
  type: string;
  quantity: number;
  command: string | null;
  running: number;
  restarts: number;
  /** three or more crashes in a row: Yadokari is backing off */
  crashLoop: boolean;
  lastExitCode: number | null;
  backoffUntil: string | null;
}

export interface DomainView {
  hostname: string;
  kind: "default" | "custom";
}

export interface ErrorBody {
  error: { code: string; message: string; hint: string; details?: Record<string, unknown> };
}
