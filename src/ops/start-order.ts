import type { AppRepairs } from "../engine/plan/traffic-plans.js";

/**
 * The order in which the reconciler repairs apps when many units are missing
 * (a cold start after a reboot, dockerd restarted): every app's web first
 * (routes fixed, running units adopted, missing ones started), then the other
 * process types, so the most apps serve soonest. Within a phase, apps are
 * repaired in parallel up to a limit: 50 apps starting at once on 2 cores
 * would make every health gate slower than starting them a few at a time.
 * Pure: the repairs in, the phases out.
 */
export function startPhases<T extends { app: string; repairs: AppRepairs }>(apps: T[]): T[][] {
  const sorted = [...apps].sort((a, b) => a.app.localeCompare(b.app));
  const web = sorted
    .map((a) => ({ ...a, repairs: { ...a.repairs, start: a.repairs.start.filter((s) => s.process === "web") } }))
    .filter((a) => !isEmpty(a.repairs));
  const rest = sorted
    .map((a) => ({
      ...a,
      repairs: {
        unroute: [],
        readdress: [],
        remove: [],
        adopt: [],
        start: a.repairs.start.filter((s) => s.process !== "web"),
        healthcheck: a.repairs.healthcheck,
      },
    }))
    .filter((a) => a.repairs.start.length > 0);
  return [web, rest].filter((p) => p.length > 0);
}

const isEmpty = (r: AppRepairs) =>
  !r.unroute.length && !r.readdress.length && !r.remove.length && !r.adopt.length && !r.start.length;

/** Runs tasks with at most `limit` at a time; resolves when all have settled (a failure does not stop the others). */
export async function runLimited(tasks: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const t = tasks[next++];
      await t().catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, lane));
}
