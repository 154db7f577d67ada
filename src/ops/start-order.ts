/**
 * The order in which the reconciler brings containers up when many are
 * missing (a cold start after a reboot, dockerd restarted): every app's web
 * first (adopting running ones, then starting missing ones), then the other
 * process types, so the most apps serve soonest. Within a phase, tasks run in
 * parallel up to a limit: 50 apps starting at once on 2 cores would make
 * every health gate slower than starting them a few at a time.
 */
export interface Repair {
  app: string;
  process: string;
  kind: "adopt" | "start";
}

export function repairPhases<T extends Repair>(repairs: T[]): T[][] {
  const web = repairs.filter((r) => r.process === "web");
  const rest = repairs.filter((r) => r.process !== "web");
  const byApp = (a: T, b: T) => a.app.localeCompare(b.app) || (a.kind === b.kind ? 0 : a.kind === "adopt" ? -1 : 1);
  return [web.sort(byApp), rest.sort(byApp)].filter((p) => p.length > 0);
}

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
