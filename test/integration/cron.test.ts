import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, docker, uniqueApp } from "../helpers/yadokari.js";
import { waitFor } from "../helpers/http.js";
import { run } from "../../src/lib/run.js";

/**
 * Cron end to end: the fixture "cron" has three every-minute jobs (quick,
 * fails with exit code 2, slow: `sleep ${SLOW_SECONDS:-5}`). The server
 * evaluates due jobs every second here (YADOKARI_CRON_TICK_MS), so the
 * scheduled runs happen at the first minute boundary after the deploy.
 */

let s: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;
let deployedAt = 0;
const app = uniqueApp("it-cron");
const CLI = join(ROOT, "dist/src/main/cli.js");

const yk = (args: string[]) => run(process.execPath, [CLI, ...args], { env, timeoutMs: 90000 });
const cronContainers = async (job?: string) =>
  (await appContainers(app)).filter(
    (c) => c.Labels["yadokari.kind"] === "cron" && (!job || c.Labels["yadokari.cron"] === job),
  );
const runs = async (job: string) => (await s.api("GET", `/apps/${app}/cron/${job}/runs`)).body as any[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The jobs run every minute: a scheduled run of the same job may be going (forbid refuses then); wait it out. */
async function startRun(job: string): Promise<any> {
  return waitFor(
    `a run of ${job} to start`,
    async () => {
      const r = await s.api("POST", `/apps/${app}/cron/${job}/run`);
      if (r.status === 409 && r.body.error.code === "cron_running") return null;
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return r.body;
    },
    30000,
    250,
  );
}

async function ykRunWait(job: string) {
  for (let i = 0; ; i++) {
    const r = await yk(["cron:run", "-a", app, job, "--wait"]);
    if (r.code === 1 && /still running/.test(r.stderr) && i < 60) {
      await sleep(500);
      continue;
    }
    return r;
  }
}

const runEnded = (job: string, id: number, ms = 30000) =>
  waitFor(
    `run #${id} of ${job} to end`,
    async () => {
      const r = (await s.api("GET", `/apps/${app}/cron/${job}/runs/${id}`)).body;
      return r.status !== "running" ? r : null;
    },
    ms,
    200,
  );

before(async () => {
  work = mkdtempSync(join(tmpdir(), "yk-it-cron-"));
  s = await TestServer.start({ env: { YADOKARI_CRON_TICK_MS: "1000" } });
  env = { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: s.token, YADOKARI_CONFIG: join(work, "cli.json") };
  await s.createApp(app);
  const d = await s.deploy(app, join(FIXTURES, "cron"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  deployedAt = Date.now();
});
after(async () => {
  await s?.close();
  rmSync(work, { recursive: true, force: true });
});

test("yk cron lists the jobs of app.json with their schedules and next runs", async () => {
  const r = await yk(["cron", "-a", app]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^JOB\s+SCHEDULE\s+POLICY\s+NEXT RUN\s+LAST RUN\s+STATUS\s+EXIT CODE$/);
  for (const job of ["quick", "fails", "slow"]) {
    assert.ok(
      lines.some((l) =>
        new RegExp(`^${job}\\s+\\* \\* \\* \\* \\*\\s+forbid\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`).test(l),
      ),
      r.stdout,
    );
  }
  const json = JSON.parse((await yk(["cron", "-a", app, "--json"])).stdout) as any[];
  assert.deepEqual(
    json.map((j) => j.name),
    ["quick", "fails", "slow"],
  );
  for (const j of json) {
    const next = Date.parse(j.nextRun);
    assert.ok(next > Date.now() - 1000 && next <= Date.now() + 60000, `next run ${j.nextRun} is the next minute`);
    assert.equal(new Date(next).getUTCSeconds(), 0);
  }
});

test("cron:run --wait prints the job's output and exits with its exit code (0 and 2)", async () => {
  const ok = await ykRunWait("quick");
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^Started run #\d+ of quick \(release v1\)\n/);
  assert.match(ok.stdout, /quick ran in v1 as cron, GREETING=\n/);
  assert.match(ok.stdout, /Run #\d+ of quick succeeded \(exit code 0/);

  const bad = await ykRunWait("fails");
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stdout, /failing on purpose\n/);
  assert.match(bad.stderr, /Error: Run #\d+ of cron job fails exited with code 2\./);
  const id = Number(/Started run #(\d+)/.exec(bad.stdout)![1]);
  const rec = (await s.api("GET", `/apps/${app}/cron/fails/runs/${id}`)).body;
  assert.equal(rec.status, "failed");
  assert.equal(rec.exitCode, 2);
  assert.equal(rec.trigger, "manual");
  assert.equal(rec.output, "failing on purpose\n");
});

test("forbid: while the slow job runs, cron:run is refused (409) and its scheduled minute is recorded as skipped", async () => {
  // start it just before a minute boundary, so the scheduler meets it running at :00
  // (a 5 s run started at :56 ends after the scheduler's first tick past :00, which comes within 1 s)
  await waitFor(
    "second 56 of a minute",
    async () => {
      const sec = (Date.now() % 60000) / 1000;
      return sec >= 56 && sec < 57.5;
    },
    65000,
    50,
  );
  const first = await startRun("slow");
  assert.equal(first.status, "running");
  // a second run while it runs
  const again = await s.api("POST", `/apps/${app}/cron/slow/run`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "cron_running");
  assert.match(again.body.error.message, new RegExp(`still running \\(run #${first.id},`));
  const cli = await yk(["cron:run", "-a", app, "slow"]);
  assert.equal(cli.code, 1);
  assert.match(
    cli.stderr,
    /^Error: cron job slow of .* is still running .*concurrency_policy is forbid\nHint: Wait for the running one to end/,
  );

  // its container: labelled with the job and run, of the live release with its config
  const [c] = await waitFor("the slow run's container", async () => {
    const cs = await cronContainers("slow");
    return cs.length ? cs : null;
  });
  assert.equal((await cronContainers("slow")).length, 1, "one slow container");
  assert.equal(c.Labels["yadokari.cron.run"], String(first.id));
  const info = await docker.getContainer(c.Id).inspect();
  assert.ok(info.Config.Env.includes("YADOKARI_RELEASE=v1"), info.Config.Env.join(" "));
  assert.ok(info.Config.Env.includes(`YADOKARI_APP=${app}`));

  const ended = await runEnded("slow", first.id);
  assert.equal(ended.status, "succeeded");
  assert.equal(ended.exitCode, 0);
  assert.equal(ended.output, "slow start\nslow done\n");
  const minute = new Date(Math.ceil(Date.parse(first.startedAt) / 60000) * 60000).toISOString();
  const skipped = (await runs("slow")).find((r) => r.status === "skipped" && r.scheduledFor === minute);
  assert.ok(skipped, `a skipped run for ${minute}: ${JSON.stringify(await runs("slow"))}`);
  assert.equal(skipped.trigger, "schedule");
  assert.match(skipped.output, new RegExp(`run #${first.id} of slow is still running`));
});

test("the scheduler runs every-minute jobs at the minute (within ~70 s of the deploy)", async () => {
  const within = Math.max(5000, deployedAt + 75000 - Date.now());
  const quick = await waitFor(
    "a scheduled run of quick that succeeded",
    async () => (await runs("quick")).find((r) => r.trigger === "schedule" && r.status === "succeeded"),
    within,
    250,
  );
  assert.equal(new Date(quick.scheduledFor).getUTCSeconds(), 0);
  assert.ok(
    Date.parse(quick.startedAt) - Date.parse(quick.scheduledFor) < 5000,
    `started ${quick.startedAt} for ${quick.scheduledFor}`,
  );
  assert.match(quick.output, /quick ran in v1 as cron/);
  const fails = await waitFor(
    "a scheduled run of fails",
    async () => (await runs("fails")).find((r) => r.trigger === "schedule" && r.status !== "running"),
    10000,
    250,
  );
  assert.equal(fails.status, "failed");
  assert.equal(fails.exitCode, 2);

  const list = await yk(["cron", "-a", app]);
  assert.match(list.stdout, /\nquick .*(ago|just now)\s+succeeded\s+0\n/);
  const history = await yk(["cron:runs", "-a", app, "quick"]);
  assert.equal(history.code, 0, history.stderr);
  assert.match(history.stdout, /#\d+\s+schedule\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+.*succeeded\s+0\s+\d+s\s+v1/);
  assert.match(history.stdout, /#\d+\s+manual\s+-\s+/);
});

test("no cron container is left behind once the runs end", async () => {
  await waitFor("no cron containers", async () => (await cronContainers()).length === 0, 30000, 250);
});

test("a config change reaches the next run: the release's config and YADOKARI_RELEASE, hostile values intact", async () => {
  const hostile = "hi; rm -rf / $(id) `id` ../../etc";
  const r = await s.api("PATCH", `/apps/${app}/config`, { set: { GREETING: hostile, SLOW_SECONDS: "12" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const d = await s.waitDeploy(app, r.body.deploy.id);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const out = await ykRunWait("quick");
  assert.equal(out.code, 0, out.stderr);
  assert.ok(out.stdout.includes(`quick ran in v2 as cron, GREETING=${hostile}\n`), out.stdout);
});

test("a server killed during a run adopts it on restart: no duplicate under forbid, its end and output recorded", async () => {
  const first = await startRun("slow"); // 12 s now
  await waitFor("the slow run's container", async () => (await cronContainers("slow")).length === 1);
  await sleep(500);
  await s.kill();
  await s.spawn();
  // the run outlived the server: a new one is refused, and no second container started
  const again = await s.api("POST", `/apps/${app}/cron/slow/run`);
  assert.equal(again.status, 409, JSON.stringify(again.body));
  assert.match(again.body.error.message, new RegExp(`run #${first.id},`));
  assert.equal((await cronContainers("slow")).length, 1);
  const ended = await runEnded("slow", first.id, 40000);
  assert.equal(ended.status, "succeeded", JSON.stringify(ended));
  assert.equal(ended.exitCode, 0);
  assert.match(ended.output, /slow start\nslow done\n/);
  assert.match(ended.output, /server restarted during this run/);
  await waitFor(
    "the adopted run's container removed",
    async () => !(await cronContainers()).some((c) => c.Labels["yadokari.cron.run"] === String(first.id)),
  );
});

test("bad input: job names are checked, unknown jobs and runs are 404", async () => {
  const bad = await s.api("POST", `/apps/${app}/cron/${encodeURIComponent("../x;rm")}/run`);
  assert.equal(bad.status, 400);
  assert.equal(
    bad.body.error.message,
    "path.job: expected a cron job name: lowercase letters, digits and '-', at most 63",
  );
  assert.equal((await s.api("POST", `/apps/${app}/cron/Quick/run`)).status, 400);
  assert.equal((await s.api("POST", `/apps/${app}/cron/${"a".repeat(64)}/run`)).status, 400);
  const unknown = await s.api("POST", `/apps/${app}/cron/nope/run`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error.message, /no cron job named nope/);
  assert.equal((await s.api("GET", `/apps/${app}/cron/nope/runs`)).status, 404);
  assert.equal((await s.api("GET", `/apps/${app}/cron/quick/runs/abc`)).status, 400, "a malformed run id");
  assert.equal((await s.api("GET", `/apps/${app}/cron/quick/runs/999999`)).status, 404);
  assert.equal((await s.api("GET", `/apps/nope-${app.slice(0, 20)}/cron`)).status, 404);
  const r = await yk(["cron:run", "-a", app, "nope"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no cron job named nope/);
});
