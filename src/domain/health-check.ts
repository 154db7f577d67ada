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
