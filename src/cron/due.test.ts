import { test } from "node:test";
import assert from "node:assert/strict";
import type { CronJob } from "../domain/types.js";
import { dueRuns, latestScheduled, policyAction, type DueInput } from "./due.js";
import { parseSchedule } from "./schedule.js";

const job = (name: string, schedule: string, concurrencyPolicy: CronJob["concurrencyPolicy"] = "forbid"): CronJob => ({
  name,
  command: `echo ${name}`,
  schedule,
  concurrencyPolicy,
});
const at = (iso: string) => new Date(iso);
const RELEASED = at("2026-03-01T09:00:30Z");

function due(
  jobs: CronJob[],
  now: string,
  opts: { last?: Record<string, string | null>; running?: string[]; since?: Date } = {},
) {
  const input: DueInput = {
    jobs,
    lastScheduled: new Map(Object.entries(opts.last ?? {}).map(([k, v]) => [k, v === null ? null : at(v)])),
    running: new Set(opts.running ?? []),
    now: at(now),
    since: opts.since ?? RELEASED,
  };
  return dueRuns(input).map((d) => ({
    job: d.job,
    at: d.scheduledFor.toISOString(),
    action: d.action,
    catchUp: d.catchUp,
  }));
}

test("a job runs at each scheduled minute, once per minute however often the clock ticks", () => {
  const j = job("tick", "* * * * *");
  // ticks every 15 s: the first tick after 09:05 starts the 09:05 run
  assert.deepEqual(due([j], "2026-03-01T09:05:07Z", { last: { tick: "2026-03-01T09:04:00Z" } }), [
    { job: "tick", at: "2026-03-01T09:05:00.000Z", action: "start", catchUp: false },
  ]);
  // the next ticks in the same minute find it already scheduled
  assert.deepEqual(due([j], "2026-03-01T09:05:22Z", { last: { tick: "2026-03-01T09:05:00Z" } }), []);
  assert.deepEqual(due([j], "2026-03-01T09:05:59.999Z", { last: { tick: "2026-03-01T09:05:00Z" } }), []);
  assert.deepEqual(
    due([j], "2026-03-01T09:06:00Z", { last: { tick: "2026-03-01T09:05:00Z" } }).map((d) => d.at),
    ["2026-03-01T09:06:00.000Z"],
  );
});

test("a job that is not due yet starts nothing; other jobs are decided on their own", () => {
  const jobs = [job("hourly", "0 * * * *"), job("quarter", "*/15 * * * *")];
  const last = { hourly: "2026-03-01T10:00:00Z", quarter: "2026-03-01T10:15:00Z" };
  assert.deepEqual(due(jobs, "2026-03-01T10:29:50Z", { last }), []);
  assert.deepEqual(
    due(jobs, "2026-03-01T10:30:03Z", { last }).map((d) => d.job),
    ["quarter"],
  );
  assert.deepEqual(
    due(jobs, "2026-03-01T11:00:03Z", { last }).map((d) => d.job),
    ["hourly", "quarter"],
  );
});

test("a new job starts at its first minute after the release went live, not before", () => {
  const j = job("nightly", "@daily");
  // released 09:00:30 on March 1st: the midnight before is not caught up
  assert.deepEqual(due([j], "2026-03-01T09:01:00Z", { last: { nightly: null } }), []);
  assert.deepEqual(due([j], "2026-03-01T23:59:59Z"), []);
  assert.deepEqual(due([j], "2026-03-02T00:00:04Z"), [
    { job: "nightly", at: "2026-03-02T00:00:00.000Z", action: "start", catchUp: false },
  ]);
  // the release's own minute (09:00) is before it went live (09:00:30)
  assert.deepEqual(due([job("every", "* * * * *")], "2026-03-01T09:00:45Z"), []);
  assert.deepEqual(due([job("every", "* * * * *")], "2026-03-01T09:01:01Z").length, 1);
});

test("catch-up: a server down over several scheduled times runs the job once, for the latest of them", () => {
  const j = job("tick", "*/5 * * * *");
  // last scheduled 10:00, down until 12:07: 10:05 … 12:05 were missed (25 minutes), one run stands for them
  const runs = due([j], "2026-03-01T12:07:30Z", { last: { tick: "2026-03-01T10:00:00Z" } });
  assert.deepEqual(runs, [{ job: "tick", at: "2026-03-01T12:05:00.000Z", action: "start", catchUp: true }]);
  // once it is recorded, the next tick does not run it again
  assert.deepEqual(due([j], "2026-03-01T12:07:45Z", { last: { tick: "2026-03-01T12:05:00Z" } }), []);
  // a daily job missed for a week runs once
  const daily = due([job("nightly", "0 3 * * *")], "2026-03-09T08:00:00Z", {
    last: { nightly: "2026-03-02T03:00:00Z" },
  });
  assert.deepEqual(daily, [{ job: "nightly", at: "2026-03-09T03:00:00.000Z", action: "start", catchUp: true }]);
  // a yearly job down over new year, and an every-minute job down for months: still once, and quick
  const t0 = Date.now();
  assert.deepEqual(
    due([job("y", "@yearly")], "2027-02-01T00:00:00Z", { last: { y: "2026-01-01T00:00:00Z" } }).map((d) => d.at),
    ["2027-01-01T00:00:00.000Z"],
  );
  assert.deepEqual(
    due([job("m", "* * * * *")], "2026-09-01T00:00:30Z", { last: { m: "2026-03-01T10:00:00Z" } }).map((d) => d.at),
    ["2026-09-01T00:00:00.000Z"],
  );
  assert.deepEqual(
    due([job("jan", "* * * 1 *")], "2026-12-31T00:00:00Z", { last: { jan: "2025-12-01T00:00:00Z" } }).map((d) => d.at),
    ["2026-01-31T23:59:00.000Z"],
  );
  assert.ok(Date.now() - t0 < 2000, `catch-up search took ${Date.now() - t0} ms`);
});

test("forbid (the default): a job still running is skipped, and the skip is a decision to record", () => {
  const j = job("slow", "* * * * *");
  assert.deepEqual(due([j], "2026-03-01T10:01:05Z", { last: { slow: "2026-03-01T10:00:00Z" }, running: ["slow"] }), [
    { job: "slow", at: "2026-03-01T10:01:00.000Z", action: "skip", catchUp: false },
  ]);
  // another job running does not matter
  assert.equal(
    due([j], "2026-03-01T10:01:05Z", { last: { slow: "2026-03-01T10:00:00Z" }, running: ["other"] })[0].action,
    "start",
  );
});

test("allow starts an overlapping run; replace stops the running one first", () => {
  const last = { a: "2026-03-01T10:00:00Z", r: "2026-03-01T10:00:00Z" };
  const runs = due([job("a", "* * * * *", "allow"), job("r", "* * * * *", "replace")], "2026-03-01T10:01:02Z", {
    last,
    running: ["a", "r"],
  });
  assert.deepEqual(
    runs.map((d) => [d.job, d.action]),
    [
      ["a", "start"],
      ["r", "replace"],
    ],
  );
  const idle = due([job("a", "* * * * *", "allow"), job("r", "* * * * *", "replace")], "2026-03-01T10:01:02Z", {
    last,
  });
  assert.deepEqual(
    idle.map((d) => d.action),
    ["start", "start"],
  );
});

test("overlap under forbid over several minutes: each minute while it runs is skipped once, then it starts again", () => {
  const j = job("slow", "* * * * *");
  const minutes = ["10:01", "10:02", "10:03", "10:04"];
  let last = "2026-03-01T10:00:00Z";
  const actions: string[] = [];
  for (const m of minutes) {
    for (const s of ["05", "20", "35", "50"]) {
      const running = m !== "10:04"; // the 10:00 run ends at 10:03:59
      for (const d of due([j], `2026-03-01T${m}:${s}Z`, { last: { slow: last }, running: running ? ["slow"] : [] })) {
        actions.push(`${d.at} ${d.action}`);
        last = d.at;
      }
    }
  }
  assert.deepEqual(actions, [
    "2026-03-01T10:01:00.000Z skip",
    "2026-03-01T10:02:00.000Z skip",
    "2026-03-01T10:03:00.000Z skip",
    "2026-03-01T10:04:00.000Z start",
  ]);
});

test("a bad schedule from an old release runs nothing and does not stop the other jobs", () => {
  assert.deepEqual(
    due([job("bad", "61 * * * *"), job("ok", "* * * * *")], "2026-03-01T10:01:02Z", {
      last: { ok: "2026-03-01T10:00:00Z" },
    }).map((d) => d.job),
    ["ok"],
  );
});

test("a clock that went back runs nothing twice", () => {
  assert.deepEqual(due([job("t", "* * * * *")], "2026-03-01T10:00:30Z", { last: { t: "2026-03-01T10:05:00Z" } }), []);
  assert.equal(
    latestScheduled(parseSchedule("* * * * *"), at("2026-03-01T10:05:00Z"), at("2026-03-01T10:05:00Z")),
    null,
  );
});

test("policyAction: forbid skips, allow starts, replace replaces; nothing running always starts", () => {
  assert.equal(policyAction({ concurrencyPolicy: "forbid" }, true), "skip");
  assert.equal(policyAction({ concurrencyPolicy: "allow" }, true), "start");
  assert.equal(policyAction({ concurrencyPolicy: "replace" }, true), "replace");
  for (const p of ["forbid", "allow", "replace"] as const)
    assert.equal(policyAction({ concurrencyPolicy: p }, false), "start");
});
