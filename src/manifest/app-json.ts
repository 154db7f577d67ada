import { AppError } from "../errors/app-error.js";

/**
 * The web health check, from app.json `healthchecks.web` (Dokku's format) or
 * the default: GET / answers below 500 within 60 s of start.
 */
export interface HealthCheck {
  path: string;
  /** seconds one attempt may take */
  timeout: number;
  /** seconds between attempts */
  wait: number;
  /** seconds before the first attempt */
  initialDelay: number;
  /** attempts before giving up; the default check polls until `deadline` instead */
  attempts: number;
  /** text the body must contain, or null */
  content: string | null;
  /** statuses below this pass */
  maxStatus: number;
  /** seconds after start by which the check must pass */
  deadline: number;
}

export const DEFAULT_HEALTHCHECK: HealthCheck = {
  path: "/",
  timeout: 5,
  wait: 0.1,
  initialDelay: 0,
  attempts: 600,
  content: null,
  maxStatus: 500,
  deadline: 60,
};

export interface AppJson {
  healthcheck: HealthCheck;
}

function num(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new AppError("invalid_manifest", `app.json: ${where}: must be a number from ${min} to ${max}`);
  }
  return v;
}

/** Parses app.json text; errors name the path of the bad field. */
export function parseAppJson(text: string | null): AppJson {
  if (text === null) return { healthcheck: DEFAULT_HEALTHCHECK };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AppError("invalid_manifest", `app.json: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new AppError("invalid_manifest", "app.json: must be a JSON object");
  const hc = (doc as Record<string, unknown>).healthchecks;
  if (hc === undefined) return { healthcheck: DEFAULT_HEALTHCHECK };
  if (typeof hc !== "object" || hc === null || Array.isArray(hc)) throw new AppError("invalid_manifest", "app.json: healthchecks: must be an object of process type → list of checks");
  const web = (hc as Record<string, unknown>).web;
  if (web === undefined) return { healthcheck: DEFAULT_HEALTHCHECK };
  if (!Array.isArray(web)) throw new AppError("invalid_manifest", "app.json: healthchecks.web: must be a list of checks");
  // Dokku allows several checks; the first with a path (or the first) is the gate.
  const checks = web as unknown[];
  if (checks.length === 0) return { healthcheck: DEFAULT_HEALTHCHECK };
  const idx = Math.max(0, checks.findIndex((c) => typeof c === "object" && c !== null && "path" in c));
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
  if (o.content !== undefined && typeof o.content !== "string") throw new AppError("invalid_manifest", `app.json: ${at}.content: must be a string`);
  return {
    healthcheck: {
      path,
      timeout,
      wait,
      initialDelay,
      attempts: Math.floor(attempts),
      content: (o.content as string | undefined) ?? null,
      // an explicit check asks for a healthy answer, as Dokku's path checks do
      maxStatus: 400,
      deadline: initialDelay + attempts * (timeout + wait),
    },
  };
}
