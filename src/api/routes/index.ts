import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { registerEvents } from "../../ui/events.js";
import { registerUi } from "../../ui/static.js";
import { registerMeta } from "./meta.js";
import { registerAccounts } from "./accounts.js";
import { registerApps } from "./apps.js";
import { registerDeploys } from "./deploys.js";
import { registerRuntime } from "./runtime.js";
import { registerDomains } from "./domains.js";
import { registerProcesses } from "./processes.js";
import { registerReleases } from "./releases.js";
import { registerConfig } from "./config.js";
import { registerCron } from "./cron.js";
import { registerRuns } from "./runs.js";
import { registerStorage } from "./storage.js";
import { registerGitflow } from "./gitflow.js";
import { registerHooks } from "./hooks.js";
import { registerProgressive } from "./progressive.js";
import { registerCerts } from "./certs.js";
import { registerCluster } from "./cluster.js";
import { registerOps } from "./ops.js";

/**
 * Every route of the server's HTTP side but git (src/git/http-backend.ts)
 * and run attach (an upgrade: src/api/run-attach.ts), one module per
 * resource. Each module declares its routes with defineRoute
 * (src/api/route.ts, which shows the pattern) and registers their handlers.
 */
export function registerRoutes(r: ApiRouter, s: ApiServices): void {
  for (const register of [
    registerMeta,
    registerAccounts,
    registerApps,
    registerDeploys,
    registerRuntime,
    registerDomains,
    registerProcesses,
    registerReleases,
    registerConfig,
    registerCron,
    registerRuns,
    registerStorage,
    registerGitflow,
    registerHooks,
    registerProgressive,
    registerCerts,
    registerCluster,
    registerOps,
    registerEvents,
  ])
    register(r, s);
  registerUi(r);
}
