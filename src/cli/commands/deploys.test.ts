import { test } from "node:test";
import assert from "node:assert/strict";
import type { DeployView } from "../../api/contract.js";
import { CliError } from "../api-client.js";
import { FakeApi } from "../testing/fake-api.js";
import { registerDeploys } from "./deploys.js";
import { runCli } from "../testing/run-cli.js";

const run = (args: string[], api: FakeApi): Promise<string> => runCli(registerDeploys, args, api);

const deploy = (id: number, number: number, over: Partial<DeployView> = {}): DeployView => ({
  id,
  number,
  app: "web",
  actor: "ana@example.com",
  status: "succeeded",
  source: "git",
  commit: "abc1234".padEnd(40, "0"),
  ref: "refs/heads/main",
  releaseVersion: number,
  reason: null,
  errorCode: null,
  supersededBy: null,
  supersededByNumber: null,
  containerLog: null,
  steps: [],
  createdAt: "2024-05-10T11:58:00Z",
  finishedAt: "2024-05-10T11:58:12Z",
  urls: ["http://web.localhost/"],
  ...over,
});

test("deploys: the app's numbers, not the API's ids, with who started each and where it came from", async () => {
  const failed = deploy(40, 2, {
    status: "failed",
    source: "tar",
    commit: null,
    ref: null,
    actor: "webhook",
    releaseVersion: null,
    steps: [{ name: "build", status: "failed", startedAt: "2024-05-10T11:58:00Z", finishedAt: null, detail: null }],
  });
  const api = new FakeApi({ "GET /api/v1/apps/web/deploys?limit=2": [deploy(41, 3), failed] });
  const out = await run(["deploys", "-a", "web", "--limit", "2"], api);
  assert.match(out, /^DEPLOY\s+STATUS\s+RELEASE\s+SOURCE\s+BY\s+STARTED\s+TOOK$/m);
  assert.match(out, /^#3\s+succeeded\s+v3\s+git main@abc1234\s+ana@example\.com\s+2m ago\s+12\.0s$/m);
  assert.match(out, /^#2\s+failed at build\s+-\s+tar\s+webhook\s/m);
  assert.match(out, /Older deploys: yk deploys -a web --before 2\n$/);
  assert.doesNotMatch(out, /#4[01]/, "the global ids stay out of sight");
});

test("deploys --before N pages back from deploy #N, through its id", async () => {
  const api = new FakeApi({
    "GET /api/v1/apps/web/deploys/numbers/2": deploy(40, 2),
    "GET /api/v1/apps/web/deploys?limit=20&before=40": [deploy(12, 1)],
  });
  const out = await run(["deploys", "-a", "web", "--before", "2"], api);
  assert.match(out, /^#1\s+succeeded/m);
  assert.doesNotMatch(out, /Older deploys/);
});

test("deploys:info N shows the deploy by its number: steps, reason, container log", async () => {
  const d = deploy(40, 2, {
    status: "failed",
    reason: "nothing listens on port 5000",
    errorCode: "health_check_failed",
    containerLog: "listening on 8080\n",
    steps: [
      {
        name: "build",
        status: "done",
        startedAt: "2024-05-10T11:58:00Z",
        finishedAt: "2024-05-10T11:58:03Z",
        detail: null,
      },
      { name: "health", status: "failed", startedAt: "2024-05-10T11:58:03Z", finishedAt: null, detail: "web.1" },
    ],
  });
  const api = new FakeApi({ "GET /api/v1/apps/web/deploys/numbers/2": d });
  const out = await run(["deploys:info", "-a", "web", "#2"], api);
  assert.match(out, /^Deploy: +#2 of web$/m);
  assert.match(out, /^Status: +failed at health$/m);
  assert.match(out, /^Started by: +ana@example\.com$/m);
  assert.match(out, /^Reason: +nothing listens on port 5000$/m);
  assert.match(out, /^build\s+done\s+3\.0s$/m);
  assert.match(out, /Container log:\nlistening on 8080\n/);
  assert.match(out, /Its log: yk deploys:log -a web 2\n$/);
  await assert.rejects(
    run(["deploys:info", "-a", "web", "two"], api),
    (e: unknown) => e instanceof CliError && /whole number/.test(e.message),
  );
});

test("deploys:log prints the latest deploy's log; -f follows deploy #N to its end", async () => {
  const latest = new FakeApi({ "GET /api/v1/apps/web/deploys?limit=1": [deploy(41, 3)] }, ["-----> Building", "done"]);
  assert.equal(await run(["deploys:log", "-a", "web"], latest), "-----> Building\ndone\n");
  assert.ok(latest.calls.includes("LINES /api/v1/apps/web/deploys/41/log"));

  const running = deploy(41, 3, { status: "building", finishedAt: null, releaseVersion: null });
  const follow = new FakeApi(
    { "GET /api/v1/apps/web/deploys/numbers/3": running, "GET /api/v1/apps/web/deploys/41": deploy(41, 3) },
    ["-----> v3 is live"],
  );
  const out = await run(["deploys:log", "-a", "web", "3", "-f"], follow);
  assert.match(out, /^Deploy #3 of web \(building, git main@abc1234, by ana@example\.com\)\n-----> v3 is live\n/);
  assert.match(out, /Deploy #3 succeeded: v3 is live\n$/);
  assert.ok(follow.calls.includes("LINES /api/v1/apps/web/deploys/41/log?follow=1"));

  const none = new FakeApi({ "GET /api/v1/apps/web/deploys?limit=1": [] });
  await assert.rejects(run(["deploys:log", "-a", "web"], none), /web has no deploys yet/);
});
