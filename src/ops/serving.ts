/** A recorded process unit as `serving` needs it (an OwnedUnit). */
export interface ServingUnit {
  id: string;
  app: string;
  process: string;
  releaseVersion: number;
  state: string;
}
import type { RoutedServer } from "../domain/types.js";

/** One app as `serving` needs it: its wanted containers per process type (zeros or {} when stopped or never deployed). */
export interface AppWant {
  name: string;
  liveVersion: number | null;
  formation: Record<string, number>;
}

export interface AppServing {
  app: string;
  liveVersion: number | null;
  /** every wanted container of the live release runs, and the web ones are routed */
  serving: boolean;
  /** process type → [running (web: routed and running), wanted] */
  processes: Record<string, [number, number]>;
  /** what is missing, in words ("web 0/2 routed") */
  missing: string[];
}

/**
 * Which apps serve: an app is expected when it has a live release and wants
 * containers; it serves when the live release's containers run at its
 * formation and web ones are in the router. Pure: status, doctor and the
 * cold-start clock read it.
 */
export function servingApps(apps: AppWant[], observed: ServingUnit[], routed: RoutedServer[]): AppServing[] {
  return apps
    .filter((a) => a.liveVersion !== null && Object.values(a.formation).some((n) => n > 0))
    .map((a) => {
      const processes: Record<string, [number, number]> = {};
      const missing: string[] = [];
      for (const [type, want] of Object.entries(a.formation)) {
        if (want <= 0) continue;
        const running = observed.filter(
          (c) => c.app === a.name && c.process === type && c.releaseVersion === a.liveVersion && c.state === "running",
        );
        const ids = new Set(running.map((c) => c.id));
        const have =
          type === "web"
            ? routed.filter((s) => s.app === a.name && s.process === "web" && s.state === "ready" && ids.has(s.unitId))
                .length
            : running.length;
        processes[type] = [have, want];
        if (have < want) missing.push(`${type} ${have}/${want}${type === "web" ? " routed" : " running"}`);
      }
      return { app: a.name, liveVersion: a.liveVersion, serving: missing.length === 0, processes, missing };
    });
}
