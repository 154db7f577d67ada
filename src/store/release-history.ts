import type { Db } from "./db.js";
import type { Clock } from "../lib/clock.js";
import type { DeployStatus } from "../domain/types.js";
import type { ReleaseOutcome } from "../domain/release-status.js";

interface Row {
  id: number;
  last_live_at: string | null;
  deploy_id: number | null;
  status: DeployStatus | null;
  error_code: string | null;
  reason: string | null;
  failed_step: string | null;
}

/**
 * Which releases went live, and how the deploy that made each one ended: a
 * release's status (live, previously live, never live) and the release a
 * plain rollback goes to come from here (src/domain/release-status.ts).
 */
export class ReleaseHistory {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** A deploy of this release succeeded: it is live now (called when the deploy ends). */
  wentLive(releaseId: number): void {
    this.db.prepare("UPDATE releases SET last_live_at = ? WHERE id = ?").run(this.clock.now().toISOString(), releaseId);
  }

  /** release id → outcome, for every release of the app. */
  outcomes(app: string): Map<number, ReleaseOutcome> {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.last_live_at, d.id AS deploy_id, d.status, d.error_code, d.reason,
           (SELECT s.name FROM deploy_steps s WHERE s.deploy_id = d.id AND s.status = 'failed' ORDER BY s.id LIMIT 1) AS failed_step
         FROM releases r
         LEFT JOIN deploys d ON d.id = (SELECT MIN(x.id) FROM deploys x WHERE x.release_id = r.id)
         WHERE r.app = ?`,
      )
      .all(app) as Row[];
    return new Map(
      rows.map((r) => [
        r.id,
        {
          lastLiveAt: r.last_live_at,
          deploy:
            r.deploy_id === null
              ? null
              : {
                  id: r.deploy_id,
                  status: r.status!,
                  errorCode: r.error_code,
                  reason: r.reason,
                  failedStep: r.failed_step,
                },
        },
      ]),
    );
  }
}
