import type { Hono } from "hono";
import type { ApiServices } from "../services.js";
import { appsRoutes } from "./apps.js";
import { deployRoutes } from "./deploys.js";
import { runtimeRoutes } from "./runtime.js";
import { domainRoutes } from "./domains.js";
import { processRoutes } from "./processes.js";
import { releaseRoutes } from "./releases.js";
import { configRoutes } from "./config.js";
import { cronRoutes } from "./cron.js";
import { runRoutes } from "../../runs/routes.js";
import { storageRoutes } from "../../storage/routes.js";
import { gitflowRoutes } from "../../gitflow/routes.js";
import { metricsRoutes } from "./metrics.js";
import { canaryRoutes } from "./canary.js";
import { certRoutes } from "../../certs/routes.js";

/** Every route group under /api/v1/apps, one file each. */
export const appRouteGroups: ((s: ApiServices) => Hono)[] = [
  appsRoutes,
  deployRoutes,
  runtimeRoutes,
  domainRoutes,
  processRoutes,
  releaseRoutes,
  configRoutes,
  cronRoutes,
  runRoutes,
  storageRoutes,
  gitflowRoutes,
  // Request metrics (router counters per release) and progressive delivery
  metricsRoutes,
  canaryRoutes,
  // HTTPS: certificates and TLS settings
  certRoutes,
];
