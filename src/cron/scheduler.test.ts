import { test, after } from "node:test";
import assert from "node:assert/strict";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { Keyring } from "../secrets/keyring.js";
import type { Clock } from "../lib/clock.js";
import type { EngineContext } from "../engine/context.js";
import { FakeEngine } from "../engines/testing/fake-engine.js";
import { Units } from "../engine/units.js";
import { UnitRepo } from "../store/units-repo.js";
import { OneOffs } from "../engine/one-offs.js";
import type { CronJob } from "../domain/types.js";
import { DEFAULT_HEALTHCHECK } from "../manifest/app-json.js";
import { CronScheduler, CRON_LABEL } from "./scheduler.js";
import { CronStore, KEEP_RUNS } from "./cron-store.js";

/** The fake engine, with the cron runs' units found by their job's label. */
class FakeDocker extends FakeEngine {
  get containers() {
    return this.units;
  }
  byJob(job: string) {
    return [...this.units.entries()].filter(([, c]) => c.labels[CRON_LABEL.job] === job);
  }
}

const job = (name: string, concurrencyPolicy: CronJob["concurrencyPolicy"] = "forbid"): CronJob => ({
  name,
  command: `echo ${name}`,
  schedule: "* * * * *",
  concurrencyPolicy,
});

const keyring = Keyring.ephemeral();
/** Schedulers still following runs when a test fails: stopped at the end, so the process can exit. */
const started: CronScheduler[] = [];
after(() => Promise.all(started.map((c) => c.stop())));

function setup(jobs: CronJob[], opts: { db?: ReturnType<typeof openDb>; docker?: FakeDocker; now?: Date } = {}) {
  const clock = {
    t: opts.now ?? new Date("2026-03-01T10:00:30Z"),
    now() {
      return new Date(this.t);
    },
  } as Clock & { t: Date };
  const db = opts.db ?? openDb(":memory:");
  const store = new Store(db, clock, keyring);
  const docker = opts.docker ?? new FakeDocker();
  if (!store.getApp("shop")) {
    store.createApp("shop");
    const rel = store.createRelease({
      app: "shop",
      image: "img",
      commit: null,
      description: "Deploy",
      processes: { web: null },
      config: { SECRET: "s" },
      healthcheck: DEFAULT_HEALTHCHECK,
      formation: {},
      manifest: { releaseCommand: null, cron: jobs, deploy: {}, formation: {} },
      createdBy: "admin",
    });
    store.setLiveRelease("shop", rel.id);
  }
  const logs: string[] = [];
  const units = new Units(docker, new UnitRepo(db, clock), () => clock.now().getTime());
  const ctx = {
    store,
    units,
    oneOffs: new OneOffs(units, () => clock.now().getTime()),
    clock,
    stopTimeoutSec: 1,
    log: (m: string) => logs.push(m),
  } as unknown as EngineContext;
  const cron = new CronScheduler(ctx, { tickMs: 1e9, timeoutSec: 3600, pollMs: 5, clock }, new CronStore(db, clock));
  started.push(cron);
  return { cron, clock, docker, store, db, logs };
}

const settle = async (cron: CronScheduler, id: number) => {
  for (let i = 0; i < 400 && cron.runs.get(id)?.status === "running"; i++) await new Promise((r) => setTimeout(r, 5));
  return cron.runs.get(id)!;
};

test("a tick starts due jobs as cron containers of the live release, records output and exit code, removes the container", async () => {
  const { cron, clock, docker } = setup([job("report")]);
  docker.behave = () => ({ lines: ["hello", "done"], exitCode: 0 });
  await cron.tick(); // 10:00:30, release created 10:00:30: nothing yet
  assert.equal(cron.runs.list("shop", "report").length, 0);
  clock.t = new Date("2026-03-01T10:01:04Z");
  await cron.tick();
  const [run] = cron.runs.list("shop", "report");
  assert.equal(run.trigger, "schedule");
  assert.equal(run.scheduledFor, "2026-03-01T10:01:00.000Z");
  const spec = [...docker.containers.values()][0]?.spec;
  assert.ok(spec, "a unit was started");
  assert.deepEqual(spec.command, ["/bin/sh", "-c", "echo report"]);
  assert.equal(spec.labels?.[CRON_LABEL.job], "report");
  assert.equal(spec.kind, "cron");
  assert.deepEqual(spec.meta, { cronRun: run.id, job: "report" });
  assert.ok(spec.env.YADOKARI_RELEASE === "v1" && spec.env.SECRET === "s");
  const done = await settle(cron, run.id);
  assert.equal(done.status, "succeeded");
  assert.equal(done.exitCode, 0);
  assert.equal(done.output, "hello\ndone\n");
  assert.equal(docker.containers.size, 0, "the container is removed");
  // the same minute is not run twice
  clock.t = new Date("2026-03-01T10:01:40Z");
  await cron.tick();
  assert.equal(cron.runs.list("shop", "report").length, 1);
  await cron.stop();
});

test("forbid: a job still running is skipped (recorded) and cron:run is refused with cron_running", async () => {
  const { cron, clock, docker, store } = setup([job("slow")], { now: new Date("2026-03-01T09:00:00Z") });
  clock.t = new Date("2026-03-01T10:01:02Z");
  await cron.tick();
  const [first] = cron.runs.list("shop", "slow");
  assert.equal(first.status, "running");
  assert.throws(
    () => cron.runNow(store.getApp("shop")!, "slow"),
    (e: unknown) =>
      (e as { code: string; status: number }).code === "cron_running" && (e as { status: number }).status === 409,
  );
  clock.t = new Date("2026-03-01T10:02:01Z");
  await cron.tick();
  const [skipped] = cron.runs.list("shop", "slow");
  assert.equal(skipped.status, "skipped");
  assert.match(skipped.output, new RegExp(`run #${first.id} of slow is still running`));
  assert.equal(docker.byJob("slow").length, 1, "no second container");
  // it ends; the next minute runs again
  docker.exit(docker.byJob("slow")[0][0], 0);
  await settle(cron, first.id);
  clock.t = new Date("2026-03-01T10:03:01Z");
  await cron.tick();
  assert.equal(cron.runs.list("shop", "slow")[0].status, "running");
  await cron.stop();
});

test("allow overlaps; replace stops the running run (recorded as replaced) before the new one starts", async () => {
  const { cron, clock, docker } = setup([job("a", "allow"), job("r", "replace")], {
    now: new Date("2026-03-01T09:00:00Z"),
  });
  clock.t = new Date("2026-03-01T10:01:02Z");
  await cron.tick();
  clock.t = new Date("2026-03-01T10:02:02Z");
  await cron.tick();
  assert.deepEqual(
    cron.runs.list("shop", "a").map((r) => r.status),
    ["running", "running"],
  );
  const [newer, older] = cron.runs.list("shop", "r");
  assert.equal((await settle(cron, older.id)).status, "replaced");
  assert.match(cron.runs.get(older.id)!.output, new RegExp(`replaced by run #${newer.id}`));
  for (let i = 0; i < 100 && docker.byJob("r").length !== 1; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(docker.byJob("r").length, 1, "only the new run's container is left");
  assert.equal(docker.stopped.length, 1);
  await cron.stop();
});

test("catch-up after downtime: one run for all missed minutes; a run that outlived the server is adopted, not duplicated", async () => {
  const db = openDb(":memory:");
  const docker = new FakeDocker();
  const first = setup([job("slow"), job("quick")], { db, docker, now: new Date("2026-03-01T09:00:00Z") });
  first.clock.t = new Date("2026-03-01T10:01:02Z");
  docker.behave = (spec) =>
    spec.labels?.[CRON_LABEL.job] === "quick" ? { lines: ["q"], exitCode: 0 } : { lines: ["working"] };
  await first.cron.tick();
  const slowRun = first.cron.runs.list("shop", "slow")[0];
  await settle(first.cron, first.cron.runs.list("shop", "quick")[0].id);
  await first.cron.stop(); // the server stops; the slow run's container goes on
  assert.equal(first.cron.runs.get(slowRun.id)!.status, "running");
  assert.equal(docker.byJob("slow").length, 1);

  // back 40 minutes later
  const second = setup([job("slow"), job("quick")], { db, docker, now: new Date("2026-03-01T10:41:10Z") });
  await second.cron.tick();
  const quick = second.cron.runs.list("shop", "quick");
  assert.equal(quick.length, 2, "one catch-up run, not forty");
  assert.equal(quick[0].scheduledFor, "2026-03-01T10:41:00.000Z");
  const slow = second.cron.runs.list("shop", "slow");
  assert.deepEqual(
    slow.map((r) => r.status),
    ["skipped", "running"],
    "the adopted run blocks a duplicate under forbid",
  );
  assert.equal(docker.byJob("slow").length, 1);
  // the adopted run's end is recorded
  docker.exit(docker.byJob("slow")[0][0], 3);
  const ended = await settle(second.cron, slowRun.id);
  assert.equal(ended.status, "failed");
  assert.equal(ended.exitCode, 3);
  assert.match(ended.output, /working/);
  await second.cron.stop();
});

test("a run whose container ended while the server was down is recorded at the next start; one whose container is gone is closed", async () => {
  const db = openDb(":memory:");
  const docker = new FakeDocker();
  const first = setup([job("a"), job("b")], { db, docker, now: new Date("2026-03-01T09:00:00Z") });
  first.clock.t = new Date("2026-03-01T10:01:02Z");
  docker.behave = () => ({ lines: ["out"] });
  await first.cron.tick();
  await first.cron.stop();
  const [[aId], [bId]] = [docker.byJob("a")[0], docker.byJob("b")[0]];
  docker.exit(aId, 0);
  docker.containers.delete(bId);
  const second = setup([job("a"), job("b")], { db, docker, now: new Date("2026-03-01T10:01:30Z") });
  await second.cron.tick();
  const a = await settle(second.cron, second.cron.runs.list("shop", "a")[0].id);
  assert.equal(a.status, "succeeded");
  assert.equal(a.exitCode, 0);
  const b = second.cron.runs.list("shop", "b")[0];
  assert.equal(b.status, "failed");
  assert.match(b.output, /container is gone/);
  assert.equal(docker.containers.size, 0);
  await second.cron.stop();
});

test("a run past its timeout is stopped and recorded as timed out", async () => {
  const { cron, clock, docker } = setup([job("stuck")], { now: new Date("2026-03-01T09:00:00Z") });
  clock.t = new Date("2026-03-01T10:01:02Z");
  await cron.tick();
  const [run] = cron.runs.list("shop", "stuck");
  clock.t = new Date("2026-03-01T11:01:03Z");
  const done = await settle(cron, run.id);
  assert.equal(done.status, "timed_out");
  assert.equal(docker.stopped.length, 1);
  await cron.stop();
});

test("a stopped app runs no cron; history keeps the last runs per job", async () => {
  const { cron, clock, store, docker } = setup([job("q")], { now: new Date("2026-03-01T09:00:00Z") });
  docker.behave = () => ({ lines: [], exitCode: 0 });
  store.setStopped("shop", true);
  clock.t = new Date("2026-03-01T10:01:02Z");
  await cron.tick();
  assert.equal(cron.runs.list("shop", "q").length, 0);
  store.setStopped("shop", false);
  await cron.tick();
  const scheduled = cron.runs.list("shop", "q")[0];
  await settle(cron, scheduled.id);
  const app = store.getApp("shop")!;
  for (let i = 0; i < KEEP_RUNS + 5; i++) await settle(cron, cron.runNow(app, "q").id);
  const runs = cron.runs.list("shop", "q");
  // the last KEEP_RUNS, and the newest scheduled one (where the scheduler resumes)
  assert.equal(runs.length, KEEP_RUNS + 1);
  assert.equal(runs.at(-1)!.id, scheduled.id);
  assert.ok(runs.slice(0, -1).every((r) => r.trigger === "manual"));
  await cron.tick();
  assert.equal(cron.runs.list("shop", "q").length, KEEP_RUNS + 1, "the 10:01 run is not repeated");
  assert.throws(() => cron.runNow(app, "nope"), /no cron job named nope/);
  await cron.stop();
});
