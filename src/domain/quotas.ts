import { AppError } from "../errors/app-error.js";

/**
 * Per-app quotas: what one tenant may pile up on the shared server (router
 * map entries, environment size, bind mounts, scheduled containers). Server
 * settings, read where they are checked so a test server's environment
 * applies; docs/security.md lists them.
 */
export interface Quotas {
  /** custom domains per app (YADOKARI_MAX_DOMAINS, default 100) */
  domains: number;
  /** config vars per app (YADOKARI_MAX_CONFIG_VARS, default 500); review app overrides count apart */
  configVars: number;
  /** storage mounts per app (YADOKARI_MAX_MOUNTS, default 20) */
  mounts: number;
  /** cron jobs in an app's app.json (YADOKARI_MAX_CRON_JOBS, default 50) */
  cronJobs: number;
}

export const DEFAULT_QUOTAS: Quotas = { domains: 100, configVars: 500, mounts: 20, cronJobs: 50 };

const SETTING: Record<keyof Quotas, string> = {
  domains: "YADOKARI_MAX_DOMAINS",
  configVars: "YADOKARI_MAX_CONFIG_VARS",
  mounts: "YADOKARI_MAX_MOUNTS",
  cronJobs: "YADOKARI_MAX_CRON_JOBS",
};

export function quotaSettings(env: NodeJS.ProcessEnv = process.env): Quotas {
  const read = (k: keyof Quotas) => {
    const v = env[SETTING[k]];
    const n = Number(v);
    return v !== undefined && v.trim() !== "" && Number.isSafeInteger(n) && n >= 0 ? n : DEFAULT_QUOTAS[k];
  };
  return {
    domains: read("domains"),
    configVars: read("configVars"),
    mounts: read("mounts"),
    cronJobs: read("cronJobs"),
  };
}

const settingOf: Record<string, string> = {
  domains: SETTING.domains,
  "config vars": SETTING.configVars,
  mounts: SETTING.mounts,
  "cron jobs": SETTING.cronJobs,
};

/** Throws quota_exceeded when `count` (what the app would have after the change) passes `limit`. */
export function checkQuota(
  what: "domains" | "config vars" | "mounts" | "cron jobs",
  app: string,
  count: number,
  limit: number,
  where = "",
): void {
  if (count <= limit) return;
  throw new AppError(
    "quota_exceeded",
    `${app} would have ${count} ${what}${where ? ` (${where})` : ""}; an app may have at most ${limit} (${settingOf[what]})`,
  );
}
