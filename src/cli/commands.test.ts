import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import type { DeployView } from "../api/contract.js";
import { CliError } from "./api-client.js";
import { FakeApi as SharedFakeApi } from "./testing/fake-api.js";
import { registerCommands } from "./commands/index.js";
import { runCli } from "./testing/run-cli.js";

/** Deploys are polled until they end: their list answers come one per call. */
class FakeApi extends SharedFakeApi {
  constructor(answers: Record<string, unknown> = {}, logLines: string[] = []) {
    super(answers, logLines, (key) => key.includes("/deploys/"));
  }
}

const run = (args: string[], api: FakeApi): Promise<string> => runCli(registerCommands, args, api, "/tmp/config.json");

const isUsage = (pattern: RegExp) => (e: unknown) =>
  e instanceof CliError && e.exitCode === 2 && pattern.test(e.message);

test("apps:destroy refuses without --confirm and with a different name, calling nothing", async () => {
  const api = new FakeApi();
  await assert.rejects(run(["apps:destroy", "web"], api), isUsage(/without --confirm/));
  await assert.rejects(run(["apps:destroy", "web", "--confirm", "wbe"], api), isUsage(/'wbe' does not match .*'web'/));
  assert.deepEqual(api.calls, []);
});

test("apps:destroy with a matching --confirm deletes the app", async () => {
  const api = new FakeApi({ "DELETE /api/v1/apps/web": { destroyed: "web" } });
  assert.equal(await run(["apps:destroy", "web", "--confirm", "web"], api), "Destroyed web\n");
});

test("-a is required, and YADOKARI_APP stands in for it", async (t) => {
  await assert.rejects(
    run(["ps"], new FakeApi()),
    (e: unknown) => e instanceof CommanderError && /--app/.test(e.message),
  );
  process.env.YADOKARI_APP = "web";
  t.after(() => delete process.env.YADOKARI_APP);
  const api = new FakeApi({
    "GET /api/v1/apps/web/ps": [],
    "GET /api/v1/apps/web/formation": { stopped: false, processes: [] },
  });
  assert.equal(await run(["ps"], api), "web has no containers.\n");
});

test("extra arguments and unknown commands are usage errors", async () => {
  await assert.rejects(
    run(["apps", "extra"], new FakeApi()),
    (e: unknown) => e instanceof CommanderError && e.code === "commander.excessArguments",
  );
  await assert.rejects(
    run(["nope"], new FakeApi()),
    (e: unknown) => e instanceof CommanderError && e.code === "commander.unknownCommand",
  );
});

test("logs -n must be a number; -f and -n become the query", async () => {
  await assert.rejects(run(["logs", "-a", "web", "-n", "ten"], new FakeApi()), isUsage(/not a whole number/));
  const api = new FakeApi({}, ["web.1 | hello"]);
  assert.equal(await run(["logs", "-a", "web", "-f", "-n", "5"], api), "web.1 | hello\n");
  assert.deepEqual(api.calls, ["LINES /api/v1/apps/web/logs?tail=5&follow=1"]);
});

test("login rejects a URL without a scheme before calling the server", async () => {
  await assert.rejects(
    run(["login", "--url", "localhost:7700", "--token", "t"], new FakeApi()),
    isUsage(/not an http\(s\) URL|not a URL/),
  );
});

test("apps prints an aligned table, --json the API's JSON", async () => {
  const app = {
    name: "web",
    createdAt: "2024-05-10T11:00:00Z",
    webReplicas: 2,
    liveRelease: 3,
    status: "running",
    urls: ["http://web.localhost"],
    domains: [],
    gitUrl: "g",
  };
  const api = new FakeApi({ "GET /api/v1/apps": [app] });
  assert.equal(
    await run(["apps"], api),
    "NAME  STATUS   RELEASE  WEB  URL                   CREATED\nweb   running  v3       2    http://web.localhost  1h ago\n",
  );
  assert.deepEqual(JSON.parse(await run(["apps", "--json"], api)), [app]);
});

test("apps:info names the default domain of an app without custom domains, not '-'", async () => {
  const app = {
    name: "web",
    createdAt: "2024-05-10T11:00:00Z",
    webReplicas: 1,
    liveRelease: 3,
    status: "running",
    urls: ["http://web.localhost/", "http://www.example.com/"],
    domains: ["www.example.com"],
    gitUrl: "g",
  };
  const out = await run(["apps:info", "-a", "web"], new FakeApi({ "GET /api/v1/apps/web": app }));
  assert.match(out, /^Domains: +web\.localhost \(default\), www\.example\.com$/m);
  const bare = { ...app, urls: ["http://web.localhost/"], domains: [] };
  assert.match(
    await run(["apps:info", "-a", "web"], new FakeApi({ "GET /api/v1/apps/web": bare })),
    /^Domains: +web\.localhost \(default\)$/m,
  );
});

function deployView(over: Partial<DeployView>): DeployView {
  return {
    id: 7,
    number: 7,
    actor: "admin",
    app: "web",
    status: "queued",
    source: "tar",
    commit: null,
    ref: null,
    releaseVersion: null,
    reason: null,
    errorCode: null,
    supersededBy: null,
    supersededByNumber: null,
    containerLog: null,
    steps: [],
    createdAt: "",
    finishedAt: null,
    urls: [],
    ...over,
  };
}

function srcDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "yk-deploy-"));
  writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("deploy uploads, streams the log, and prints the URLs on success", async (t) => {
  const api = new FakeApi(
    {
      "UPLOAD /api/v1/apps/web/builds application/gzip": deployView({}),
      "GET /api/v1/apps/web/deploys/7": [
        deployView({ status: "succeeded", releaseVersion: 4, urls: ["http://web.localhost"] }),
      ],
    },
    ["Step 1/2 : FROM scratch", "health check passed"],
  );
  const out = await run(["deploy", "-a", "web", srcDir(t)], api);
  assert.match(out, /Step 1\/2 : FROM scratch\nhealth check passed\n/);
  assert.match(out, /Deploy #7 succeeded: release v4\nLive at http:\/\/web.localhost\n$/);
  assert.deepEqual(api.calls.slice(1), [
    "LINES /api/v1/apps/web/deploys/7/log?follow=1",
    "GET /api/v1/apps/web/deploys/7",
  ]);
});

test("a failed deploy throws one error carrying the reason and the container log", async (t) => {
  const failed = deployView({
    status: "failed",
    releaseVersion: 4,
    reason: "web.1 exited with code 1 before it became healthy",
    containerLog: "Error: Cannot find module 'express'\n",
    steps: [{ name: "health web", status: "failed", startedAt: "", finishedAt: "", detail: null }],
  });
  const api = new FakeApi({
    "UPLOAD /api/v1/apps/web/builds application/gzip": deployView({}),
    "GET /api/v1/apps/web/deploys/7": [failed],
  });
  await assert.rejects(run(["deploy", "-a", "web", srcDir(t)], api), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.code, "deploy_failed");
    assert.equal(e.exitCode, 1);
    assert.match(e.message, /failed at step 'health web': web.1 exited/);
    assert.match(e.message, /Container log:\nError: Cannot find module 'express'$/);
    return true;
  });
});

test("deploy refuses a directory without a Dockerfile, naming it, before packing or sending anything", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "yk-deploy-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "package.json"), "{}");
  const api = new FakeApi();
  await assert.rejects(run(["deploy", "-a", "web", dir], api), (e: unknown) => {
    assert.ok(e instanceof CliError && e.exitCode === 2);
    assert.match(e.message, new RegExp(`No Dockerfile in ${dir}: that is the directory 'yk deploy' would send`));
    return true;
  });
  assert.deepEqual(api.calls, []);
});

test("deploy refuses a source over the size limit before the upload, naming the largest parts", async (t) => {
  const dir = srcDir(t);
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "big.bin"), randomBytes(2 * 1024 * 1024));
  const api = new FakeApi();
  await assert.rejects(run(["deploy", "-a", "web", dir, "--max-size", "1"], api), (e: unknown) => {
    assert.ok(e instanceof CliError && e.exitCode === 2);
    assert.match(e.message, /holds 2\.0 MB to send, more than the 1\.0 MB limit\. Nothing was uploaded\./);
    assert.match(e.hint, /The largest: data\/ 2\.0 MB/);
    return true;
  });
  assert.deepEqual(api.calls, []);
});

test("deploy --max-size goes past the server's default limit, for a server set to take more (up to 16 GB)", async (t) => {
  const dir = srcDir(t);
  rmSync(join(dir, "Dockerfile"));
  // accepted: the next check (no Dockerfile) is what stops it
  await assert.rejects(
    run(["deploy", "-a", "web", dir, "--max-size", "1024"], new FakeApi()),
    isUsage(/No Dockerfile/),
  );
  await assert.rejects(
    run(["deploy", "-a", "web", dir, "--max-size", "20000"], new FakeApi()),
    isUsage(/--max-size '20000' is not a size from 1 to 16384 MB/),
  );
});

test("deploy of a missing directory is a usage error", async () => {
  await assert.rejects(run(["deploy", "-a", "web", "/nonexistent/yk"], new FakeApi()), isUsage(/is not a directory/));
});

test("logs -n and metrics --since are checked against the server's limits before anything is sent", async () => {
  const api = new FakeApi();
  await assert.rejects(run(["logs", "-a", "web", "-n", "20000"], api), isUsage(/-n 20000 is more than the 10000/));
  await assert.rejects(run(["metrics", "-a", "web", "--since", "2h"], api), isUsage(/--since '2h'/));
  await assert.rejects(run(["metrics", "-a", "web", "--since", "soon"], api), isUsage(/--since 'soon'/));
  assert.deepEqual(api.calls, []);
});
