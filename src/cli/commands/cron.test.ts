import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import type { CronJobView, CronRunView } from "../../cron/types.js";
import { CliError, type Api } from "../api-client.js";
import { registerCron } from "./cron.js";

class FakeApi implements Api {
  calls: string[] = [];
  constructor(
    private readonly answers: Record<string, unknown[] | unknown>,
    private readonly logLines: string[] = [],
  ) {}
  async json<T>(method: string, path: string): Promise<T> {
    const key = `${method} ${path}`;
    this.calls.push(key);
    if (!(key in this.answers)) throw new Error(`unexpected call ${key}`);
    const a = this.answers[key];
    return (Array.isArray(a) && key.includes("/runs/") ? a.shift() : a) as T;
  }
  async upload<T>(): Promise<T> {
    throw new Error("no upload");
  }
  async *lines(path: string): AsyncIterable<string> {
    this.calls.push(`LINES ${path}`);
    yield* this.logLines;
  }
}

async function run(args: string[], api: FakeApi): Promise<string> {
  let out = "";
  const program = new Command("yk")
    .exitOverride()
    .configureOutput({ outputError: () => {}, writeErr: () => {}, writeOut: () => {} });
  registerCron(program, {
    env: {},
    api: () => api,
    saveConfig: async () => "",
    out: (t) => void (out += t),
    now: () => new Date("2026-03-01T10:00:00Z"),
  });
  await program.parseAsync(args, { from: "user" });
  return out;
}

const runView = (over: Partial<CronRunView>): CronRunView => ({
  id: 7,
  app: "shop",
  job: "report",
  release: 3,
  trigger: "manual",
  scheduledFor: null,
  startedAt: "2026-03-01T09:59:00Z",
  finishedAt: null,
  exitCode: null,
  status: "running",
  output: "",
  ...over,
});

test("cron lists jobs with next run, last run, status and exit code", async () => {
  const jobs: CronJobView[] = [
    {
      name: "report",
      command: "node report.js",
      schedule: "*/5 * * * *",
      concurrencyPolicy: "forbid",
      nextRun: "2026-03-01T10:05:00.000Z",
      lastRun: {
        id: 4,
        status: "failed",
        exitCode: 2,
        startedAt: "2026-03-01T09:55:00Z",
        finishedAt: "2026-03-01T09:55:03Z",
      },
    },
    {
      name: "nightly",
      command: "x",
      schedule: "@daily",
      concurrencyPolicy: "allow",
      nextRun: "2026-03-02T00:00:00.000Z",
      lastRun: null,
    },
  ];
  const out = await run(["cron", "-a", "shop"], new FakeApi({ "GET /api/v1/apps/shop/cron": jobs }));
  assert.equal(
    out,
    [
      "JOB      SCHEDULE     POLICY  NEXT RUN              LAST RUN  STATUS  EXIT CODE",
      "report   */5 * * * *  forbid  2026-03-01 10:05 UTC  5m ago    failed  2",
      "nightly  @daily       allow   2026-03-02 00:00 UTC  never     -       -",
      "",
    ].join("\n"),
  );
  assert.equal(
    await run(["cron", "-a", "shop"], new FakeApi({ "GET /api/v1/apps/shop/cron": [] })),
    'shop has no cron jobs. Add them to app.json "cron" and deploy.\n',
  );
});

test("cron:run prints the run id; --wait streams the output and exits with the job's exit code", async () => {
  const started = runView({});
  const api = new FakeApi({ "POST /api/v1/apps/shop/cron/report/run": started });
  assert.equal(await run(["cron:run", "-a", "shop", "report"], api), "Started run #7 of report (release v3)\n");

  const failing = new FakeApi(
    {
      "POST /api/v1/apps/shop/cron/report/run": started,
      "GET /api/v1/apps/shop/cron/report/runs/7": [
        runView({}),
        runView({ status: "failed", exitCode: 2, finishedAt: "2026-03-01T09:59:02Z", output: "boom\n" }),
      ],
    },
    ["boom"],
  );
  await assert.rejects(
    run(["cron:run", "-a", "shop", "report", "--wait"], failing),
    (e: unknown) =>
      e instanceof CliError && e.exitCode === 2 && /Run #7 of cron job report exited with code 2/.test(e.message),
  );
  assert.ok(failing.calls.includes("LINES /api/v1/apps/shop/cron/report/runs/7/log?follow=1"));

  const ok = new FakeApi(
    {
      "POST /api/v1/apps/shop/cron/report/run": started,
      "GET /api/v1/apps/shop/cron/report/runs/7": [
        runView({ status: "succeeded", exitCode: 0, finishedAt: "2026-03-01T09:59:04Z", output: "hi\n" }),
      ],
    },
    ["hi"],
  );
  const out = await run(["cron:run", "-a", "shop", "report", "--wait"], ok);
  assert.equal(out, "Started run #7 of report (release v3)\nhi\nRun #7 of report succeeded (exit code 0, 4s)\n");
});

test("cron:run --wait prints the record when nothing streamed (the run never started); a timeout exits 1", async () => {
  const api = new FakeApi({
    "POST /api/v1/apps/shop/cron/report/run": runView({}),
    "GET /api/v1/apps/shop/cron/report/runs/7": [
      runView({
        status: "timed_out",
        exitCode: 143,
        finishedAt: "2026-03-01T10:59:00Z",
        output: "[yadokari] still running after 3600s: stopped\n",
      }),
    ],
  });
  await assert.rejects(
    run(["cron:run", "-a", "shop", "report", "--wait"], api),
    (e: unknown) => e instanceof CliError && e.exitCode === 143 && /timed out/.test(e.message),
  );
  assert.ok(api.calls.includes("LINES /api/v1/apps/shop/cron/report/runs/7/log?follow=1"));
});

test("cron:runs shows the history, and --output the output of each run", async () => {
  const runs = [
    runView({
      id: 9,
      trigger: "schedule",
      scheduledFor: "2026-03-01T09:58:00.000Z",
      status: "skipped",
      finishedAt: "2026-03-01T09:58:01Z",
      output: "skipped: run #8 is still running\n",
    }),
    runView({ id: 8, status: "succeeded", exitCode: 0, finishedAt: "2026-03-01T09:59:30Z", output: "done\n" }),
  ];
  const api = new FakeApi({ "GET /api/v1/apps/shop/cron/report/runs": runs });
  const out = await run(["cron:runs", "-a", "shop", "report", "--output"], api);
  assert.match(out, /^RUN\s+TRIGGER\s+SCHEDULED FOR\s+STARTED\s+STATUS\s+EXIT CODE\s+TOOK\s+RELEASE\n/);
  assert.match(out, /#9\s+schedule\s+2026-03-01 09:58 UTC\s+1m ago\s+skipped\s+-\s+-\s+v3/);
  assert.match(out, /#8\s+manual\s+-\s+1m ago\s+succeeded\s+0\s+30s\s+v3/);
  assert.match(out, /=== run #8 \(succeeded\) ===\ndone\n/);
});
