import { AppError } from "../errors/app-error.js";

/**
 * Per-app quotas: what one tenant may pile up on the shared server (router
 * map entries, environment size, bind mounts, scheduled containers). Server
 * settings (src/main/settings.ts), in EngineContext.quotas; docs/security.md
 * lists them.
 */
export interface Quotas {
  /** custom domains per app (YADOKARI_MAX_DOMAINS) */
  domains: number;
  /** config vars per app (YADOKARI_MAX_CONFIG_VARS); review app overrides count apart */
  configVars: number;
  /** storage mounts per app (YADOKARI_MAX_MOUNTS) */
  mounts: number;
  /** cron jobs in an app's app.json (YADOKARI_MAX_CRON_JOBS) */
  cronJobs: number;
}

export const DEFAULT_QUOTAS: Quotas = { domains: 100, configVars: 500, mounts: 20, cronJobs: 50 };

const SETTING_OF = {
  domains: "YADOKARI_MAX_DOMAINS",
  "config vars": "YADOKARI_MAX_CONFIG_VARS",
  mounts: "YADOKARI_MAX_MOUNTS",
  "cron jobs": "YADOKARI_MAX_CRON_JOBS",
} as const;

/** Throws quota_exceeded when `count` (what the app would have after the change) passes `limit`. */
export function checkQuota(what: keyof typeof SETTING_OF, app: string, count: number, limit: number, where = ""): void {
  if (count <= limit) return;
  throw new AppError(
    "quota_exceeded",
    `${app} would have ${count} ${what}${where ? ` (${where})` : ""}; an app may have at most ${limit} (${SETTING_OF[what]})`,
  );
}
