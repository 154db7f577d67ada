import type { DeployStatus } from "../api/contract.js";
import type { HealthCheck } from "../manifest/app-json.js";

export interface App {
  name: string;
  createdAt: string;
  webReplicas: number;
  liveReleaseId: number | null;
}

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
  createdAt: string;
}

export interface Deploy {
  id: number;
  app: string;
  status: DeployStatus;
  source: "tar" | "git";
  commit: string | null;
  ref: string | null;
  releaseId: number | null;
  reason: string | null;
  containerLog: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A server the router should have, as recorded in the store (the router config is rendered from these). */
export interface RoutedServer {
  app: string;
  process: string;
  name: string;
  containerId: string;
  releaseId: number;
  address: string;
  port: number;
  weight: number;
  state: "ready" | "drain";
}
