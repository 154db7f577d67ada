import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule, nextRun } from "./schedule.js";

const next = (expr: string, iso: string) => nextRun(parseSchedule(expr), new Date(iso))?.toISOString() ?? null;

test("next runs of common schedules (UTC)", () => {
  assert.equal(next("5 * * * *", "2026-01-01T10:04:30Z"), "2026-01-01T10:05:00.000Z");
  assert.equal(next("5 * * * *", "2026-01-01T10:05:00Z"), "2026-01-01T11:05:00.000Z");
  assert.equal(next("*/15 * * * *", "2026-01-01T10:16:00Z"), "2026-01-01T10:30:00.000Z");
  assert.equal(next("@daily", "2026-01-01T10:00:00Z"), "2026-01-02T00:00:00.000Z");
  assert.equal(next("0 9 * * 1-5", "2026-01-03T12:00:00Z"), "2026-01-05T09:00:00.000Z"); // Saturday → Monday
  assert.equal(next("0 0 1 1 *", "2026-06-01T00:00:00Z"), "2027-01-01T00:00:00.000Z");
  assert.equal(next("0 0 * * 7", "2026-01-01T00:00:00Z"), "2026-01-04T00:00:00.000Z"); // 7 is Sunday
  assert.equal(next("0 0 31 2 *", "2026-01-01T00:00:00Z"), null);
});

test("bad schedules say what is wrong", () => {
  assert.throws(() => parseSchedule("* * * *"), /five fields/);
  assert.throws(() => parseSchedule("60 * * * *"), /minute field "60" is outside 0-59/);
  assert.throws(() => parseSchedule("a * * * *"), /minute field "a"/);
  assert.throws(() => parseSchedule("*/0 * * * *"), /step below 1/);
  assert.throws(() => parseSchedule("; rm -rf / * * * *"), /five fields|minute field/);
});
