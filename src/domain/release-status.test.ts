import { test } from "node:test";
import assert from "node:assert/strict";
import { howItEnded, lastLiveBefore, releaseStatus, type ReleaseOutcome } from "./release-status.js";

const failed = (id: number, step: string | null): ReleaseOutcome => ({
  lastLiveAt: null,
  deploy: { id, status: "failed", errorCode: "health_check_failed", reason: "exited", failedStep: step },
});
const wasLive = (at: string): ReleaseOutcome => ({ lastLiveAt: at, deploy: null });

test("a release's status: live, previously live, deploying, never live", () => {
  assert.equal(releaseStatus(3, 3, failed(9, "gate web-1")), "live");
  assert.equal(releaseStatus(1, 3, wasLive("2026-01-01T00:00:00.000Z")), "previously-live");
  assert.equal(releaseStatus(2, 3, failed(9, "gate web-1")), "never-live");
  assert.equal(
    releaseStatus(4, 3, {
      lastLiveAt: null,
      deploy: { id: 10, status: "deploying", errorCode: null, reason: null, failedStep: null },
    }),
    "deploying",
  );
  assert.equal(releaseStatus(5, 3, undefined), "never-live");
  assert.equal(howItEnded(failed(9, "gate web-1")), "its deploy #9 failed at step gate web-1 (health_check_failed)");
});

test("a plain rollback goes to the release live last before the live one, never to a failed one", () => {
  const releases = [1, 2, 3, 4, 5].map((v) => ({ id: v * 10, version: v }));
  const outcomes = new Map<number, ReleaseOutcome>([
    [10, wasLive("2026-01-01T00:00:01.000Z")],
    [20, wasLive("2026-01-01T00:00:02.000Z")],
    [30, failed(3, "gate web-1")],
    [40, failed(4, "build")],
    [50, wasLive("2026-01-01T00:00:05.000Z")],
  ]);
  assert.equal(lastLiveBefore(releases, 50, outcomes)?.version, 2);
  // after a rollback to v2 (a new v6 live), the next plain rollback goes back to v5: the last one live before
  const more = [...releases, { id: 60, version: 6 }];
  outcomes.set(60, wasLive("2026-01-01T00:00:06.000Z"));
  assert.equal(lastLiveBefore(more, 60, outcomes)?.version, 5);
  assert.equal(lastLiveBefore([{ id: 30, version: 3 }], 50, outcomes), null);
});
