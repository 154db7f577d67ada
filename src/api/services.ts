import type { Apps } from "../engine/apps.js";
import type { Deployer } from "../engine/deployer.js";
import type { Processes } from "../engine/processes.js";
import type { CronScheduler } from "../cron/scheduler.js";
import type { Runs } from "../runs/runs.js";
import type { EngineContext } from "../engine/context.js";
import type { Accounts } from "../accounts/accounts.js";
import type { Audit } from "../accounts/audit.js";
import type { ViewContext } from "./views.js";
import type { Gitflow } from "../gitflow/service.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import type { Logger } from "../lib/logger.js";
import type { Certificates } from "../certs/service.js";
import type { Operations } from "../ops/operations.js";
import type { Backups } from "../ops/backup/service.js";
import type { Check } from "../ops/doctor.js";
import type { Cluster } from "../cluster/cluster.js";
import type { ExternalRegistrySettings } from "../cluster/registry/external.js";

/** The swarm's nodes (through the engine DOCKER_HOST names) and a team's own registry. */
export interface ClusterServices {
  /** null when the server has no swarm engine to talk to */
  cluster: Cluster | null;
  registry: ExternalRegistrySettings;
}

/** Yadokari itself: what runs, the host's checks, the control plane's backups (issue 16). */
export interface OpsServices {
  operations: Operations;
  backups: Backups;
  doctor: () => Promise<Check[]>;
}

/** What the HTTP routes call; wired in src/main/server.ts. */
export interface ApiServices {
  ctx: EngineContext;
  apps: Apps;
  deployer: Deployer;
  processes: Processes;
  cron: CronScheduler;
  runs: Runs;
  accounts: Accounts;
  audit: Audit;
  views: ViewContext;
  version: string;
  /** git connect, webhooks, review apps, promotion */
  gitflow: Gitflow;
  metrics: RouterMetrics;
  /** the server log; each request logs through a child carrying its request id */
  log: Logger;
  /** the largest build upload accepted, in bytes (YADOKARI_MAX_UPLOAD_BYTES) */
  maxUploadBytes: number;
  /** host directories storage mounts may use (YADOKARI_STORAGE_ROOTS) */
  storageRoots: string[];
  /** how often the UI's event stream looks for changes (YADOKARI_EVENTS_TICK_MS) */
  eventsTickMs: number;
  /** certificates, ACME, TLS settings */
  certs: Certificates;
  /** the swarm's nodes and the registry setting (issue 12) */
  cluster: ClusterServices;
  /** Yadokari itself: status, doctor, backups (issue 16) */
  ops: OpsServices;
}
