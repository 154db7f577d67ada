import { AppError } from "../errors/app-error.js";
import type { CronJob, DeploySettings, Formation } from "../domain/types.js";
import { parseSchedule } from "../cron/schedule.js";
import { parseStrategySettings, STRATEGY_KEYS } from "../canary/settings.js";
import { JOB_NAME, PROCESS_TYPE } from "../domain/ids.js";

export { DEFAULT_HEALTHCHECK, type HealthCheck } from "../domain/health-check.js";
import { DEFAULT_HEALTHCHECK, type HealthCheck } from "../domain/health-check.js";

export interface AppJson {
  healthcheck: HealthCheck;
  /** Heroku's `formation`: process type → quantity */
  formation: Formation;
  /** Dokku's scripts.dokku.predeploy */
  predeploy: string | null;
  /** Dokku's `cron` */
  cron: CronJob[];
  /** Yadokari's own `yadokari.deploy` */
  deploy: DeploySettings;
}

function num(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new AppError("invalid_manifest", `app.json: ${where}: must be a number from ${min} to ${max}`);
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const bad = (where: string, what: string) => new AppError("invalid_manifest", `app.json: ${where}: ${what}`);

/** Parses app.json text; errors name the path of the bad field. */
export function parseAppJson(text: string | null): AppJson {
  const empty: AppJson = { healthcheck: DEFAULT_HEALTHCHECK, formation: {}, predeploy: null, cron: [], deploy: {} };
  if (text === null) return empty;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AppError("invalid_manifest", `app.json: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new AppError("invalid_manifest", "app.json: must be a JSON object");
  return {
    healthcheck: parseHealthcheck(doc.healthchecks),
    formation: parseFormation(doc.formation),
    predeploy: parsePredeploy(doc.scripts),
    cron: parseCron(doc.cron),
    deploy: parseDeploySettings(isObject(doc.yadokari) ? doc.yadokari.deploy : undefined, "yadokari.deploy"),
  };
}

function parseFormation(f: unknown): Formation {
  if (f === undefined) return {};
  if (!isObject(f)) throw bad("formation", "must be an object of process type → { quantity }");
  const out: Formation = {};
  for (const [type, v] of Object.entries(f)) {
    if (!PROCESS_TYPE.test(type))
      throw bad(`formation.${type}`, "is not a valid process type (letters, digits, '_' and '-')");
    const q = isObject(v) ? v.quantity : undefined;
    if (typeof q !== "number" || !Number.isInteger(q) || q < 0 || q > 50)
      throw bad(`formation.${type}.quantity`, "must be a whole number from 0 to 50");
    out[type] = q;
  }
  return out;
}

function parsePredeploy(scripts: unknown): string | null {
  if (scripts === undefined) return null;
  if (!isObject(scripts)) throw bad("scripts", "must be an object");
  const dokku = scripts.dokku;
  if (dokku === undefined) return null;
  if (!isObject(dokku)) throw bad("scripts.dokku", "must be an object");
  const p = dokku.predeploy;
  if (p === undefined) return null;
  if (typeof p !== "string" || p.trim() === "")
    throw bad("scripts.dokku.predeploy", "must be a non-empty command string");
  return p;
}

function parseCron(cron: unknown): CronJob[] {
  if (cron === undefined) return [];
  if (!Array.isArray(cron)) throw bad("cron", "must be a list of { command, schedule }");
  const names = new Set<string>();
  return cron.map((c, i) => {
    const at = `cron[${i}]`;
    if (!isObject(c)) throw bad(at, "must be an object");
    if (typeof c.command !== "string" || c.command.trim() === "")
      throw bad(`${at}.command`, "must be a non-empty command string");
    if (typeof c.schedule !== "string")
      throw bad(`${at}.schedule`, 'must be a cron expression such as "5 * * * *" or "@daily"');
    try {
      parseSchedule(c.schedule);
    } catch (e) {
      throw bad(`${at}.schedule`, (e as Error).message);
    }
    const policy = c.concurrency_policy ?? "forbid";
    if (policy !== "forbid" && policy !== "allow" && policy !== "replace")
      throw bad(`${at}.concurrency_policy`, "must be forbid, allow or replace");
    // Dokku names jobs by an id; we derive a stable name from the position unless one is given.
    const name = typeof c.name === "string" ? c.name : `job-${i + 1}`;
    if (!JOB_NAME.test(name)) throw bad(`${at}.name`, "must be lowercase letters, digits and '-'");
    if (names.has(name)) throw bad(`${at}.name`, `duplicates the name ${name}`);
    names.add(name);
    return { name, command: c.command, schedule: c.schedule, concurrencyPolicy: policy };
  });
}

/** Deploy settings, from app.json or from `yk deploy:set`. */
export function parseDeploySettings(d: unknown, where: string): DeploySettings {
  if (d === undefined) return {};
  if (!isObject(d)) throw bad(where, "must be an object");
  const out: DeploySettings = {};
  if (d.maxSurge !== undefined) {
    const m = d.maxSurge;
    const ok =
      (typeof m === "number" && Number.isInteger(m) && m >= 1 && m <= 50) ||
      (typeof m === "string" && /^(100|[1-9][0-9]?)%$/.test(m));
    if (!ok) throw bad(`${where}.maxSurge`, 'must be a whole number from 1 to 50 or a percentage such as "25%"');
    out.maxSurge = m as number | string;
  }
  if (d.pauseSec !== undefined) {
    if (typeof d.pauseSec !== "number" || d.pauseSec < 0 || d.pauseSec > 3600)
      throw bad(`${where}.pauseSec`, "must be a number of seconds from 0 to 3600");
    out.pauseSec = d.pauseSec;
  }
  const known = ["maxSurge", "pauseSec", ...STRATEGY_KEYS] as string[];
  for (const k of Object.keys(d))
    if (!known.includes(k)) throw bad(`${where}.${k}`, `is not a setting (${known.join(", ")})`);
  return { ...out, ...parseStrategySettings(d, where) };
}

function parseHealthcheck(hc: unknown): HealthCheck {
  if (hc === undefined) return DEFAULT_HEALTHCHECK;
  if (!isObject(hc)) throw bad("healthchecks", "must be an object of process type → list of checks");
  const web = hc.web;
  if (web === undefined) return DEFAULT_HEALTHCHECK;
  if (!Array.isArray(web))
    throw new AppError("invalid_manifest", "app.json: healthchecks.web: must be a list of checks");
  // Dokku allows several checks; the first with a path (or the first) is the gate.
  const checks = web as unknown[];
  if (checks.length === 0) return DEFAULT_HEALTHCHECK;
  const idx = Math.max(
    0,
    checks.findIndex((c) => typeof c === "object" && c !== null && "path" in c),
  );
  const c = checks[idx];
  const at = `healthchecks.web[${idx}]`;
  if (typeof c !== "object" || c === null) throw new AppError("invalid_manifest", `app.json: ${at}: must be an object`);
  const o = c as Record<string, unknown>;
  const path = o.path ?? "/";
  if (typeof path !== "string" || !path.startsWith("/") || /[\s\0]/.test(path) || path.length > 1024) {
    throw new AppError("invalid_manifest", `app.json: ${at}.path: must be a path starting with '/' without spaces`);
  }
  const timeout = o.timeout === undefined ? 5 : num(o.timeout, `${at}.timeout`, 0.1, 600);
  const wait = o.wait === undefined ? 5 : num(o.wait, `${at}.wait`, 0, 600);
  const initialDelay = o.initialDelay === undefined ? 0 : num(o.initialDelay, `${at}.initialDelay`, 0, 3600);
  const attempts = o.attempts === undefined ? 5 : num(o.attempts, `${at}.attempts`, 1, 1000);
  if (o.content !== undefined && typeof o.content !== "string")
    throw new AppError("invalid_manifest", `app.json: ${at}.content: must be a string`);
  return {
    path,
    timeout,
    wait,
    initialDelay,
    attempts: Math.floor(attempts),
    content: (o.content as string | undefined) ?? null,
    // an explicit check asks for a healthy answer, as Dokku's path checks do
    maxStatus: 400,
    deadline: initialDelay + attempts * (timeout + wait),
  };
}
