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
import type { Certificates } from "../certs/service.js";
import type { ClusterServices } from "../cluster/routes.js";
import type { OpsServices } from "../ops/routes.js";

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
  /** certificates, ACME, TLS settings */
  certs: Certificates;
  /** the swarm's nodes and the registry setting (issue 12) */
  cluster: ClusterServices;
  /** Yadokari itself: status, doctor, backups (issue 16) */
  ops: OpsServices;
}
