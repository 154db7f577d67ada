import type { Db } from "../store/db.js";

/** Every app's bind sources, for the rule that no bind source lies inside another (SQL only). */
export function allBindSources(db: Db): { app: string; hostPath: string; containerPath: string }[] {
  return (
    db.prepare("SELECT app, host_path, container_path FROM mounts WHERE host_path LIKE '/%' ORDER BY app").all() as {
      app: string;
      host_path: string;
      container_path: string;
    }[]
  ).map((r) => ({ app: r.app, hostPath: r.host_path, containerPath: r.container_path }));
}
