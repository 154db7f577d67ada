import type { Hono } from "hono";
import type { ApiServices } from "../services.js";
import { appsRoutes } from "./apps.js";
import { deployRoutes } from "./deploys.js";
import { runtimeRoutes } from "./runtime.js";
import { domainRoutes } from "./domains.js";

/** Every route group under /api/v1/apps, one file each. */
export const appRouteGroups: ((s: ApiServices) => Hono)[] = [appsRoutes, deployRoutes, runtimeRoutes, domainRoutes];
